"""The demo's partnership (issue 15): "East Kent Schools Together" (seed 002), the demo
schools' shared events, shared organisations, and a near-duplicate offered for merging.

With one demo school it does nothing. With two or more, the first three schools form the
partnership; Demo Academy hosts a careers fair today for Year 10 of every partner (so the
demo tutor can show its check-in code and the demo pupil can check in) and a university
day in three weeks for Year 12. The partners' organisations with the same names share one
directory record; "N.H.S. Kent" at the second school sits beside Demo Academy's "NHS Kent",
offered for merging on /organisations and never merged by the demo.
"""
from __future__ import annotations

from datetime import date, time, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from .database import write_transaction
from .domain.benchmarks import EncounterKind, OrganisationKind
from .extensions import db
from .models import Organisation, Role, School, User
from .models.group import GroupKind, SchoolGroup, SchoolGroupMember
from .models.shared import DirectoryOrganisation
from .shared_events.services import SharedEventDetails, plan_shared_event

PARTNERSHIP = "East Kent Schools Together"
SLUGS = ("demo", "demo-2", "demo-3")
SHARED_DETAILS = {
    "Northfield NHS Foundation Trust": ("Health and social care", "https://www.nhs.uk/careers"),
    "Kent County Council": ("Public services", "https://www.kent.gov.uk/jobs"),
    "Canterbury University": ("Higher education", "https://www.example.ac.uk"),
}


def seed_shared(today: date) -> bool:
    """Create the partnership and its shared content once; False when there is nothing to do."""
    schools = db.session.scalars(select(School).where(School.slug.in_(SLUGS))
                                 .order_by(School.id)).all()
    exists = db.session.scalar(select(SchoolGroup.id).where(SchoolGroup.name == PARTNERSHIP))
    if len(schools) < 2 or exists:
        return False
    ids = [s.id for s in schools]
    with write_transaction():
        group = SchoolGroup(name=PARTNERSHIP, kind=GroupKind.PARTNERSHIP)
        db.session.add(group)
        db.session.flush()
        db.session.add_all([SchoolGroupMember(group_id=group.id, school_id=s) for s in ids])
        group_id = group.id
        _share_organisations(ids)
    lead = db.session.scalar(select(User).where(User.school_id == ids[0],
                                                User.role == Role.ADMIN).order_by(User.id))
    secret = current_app.config["SECRET_KEY"]
    for title, kind, day, years, where, org in (
            ("Partnership careers fair", EncounterKind.CAREERS_FAIR, today, [10],
             "Sports hall, Demo Academy", "Northfield NHS Foundation Trust"),
            ("University day", EncounterKind.UNIVERSITY, today + timedelta(days=21), [12],
             "Canterbury University campus", "Canterbury University")):
        plan_shared_event(lead, SharedEventDetails(
            group_id=group_id, host_school_id=ids[0], title=title, kind=kind, date=day,
            start_time=time(9, 30), end_time=time(12, 30), school_ids=ids[1:],
            year_groups=years, location=where, organisation_name=org), secret)
    return True


def _share_organisations(school_ids: list[int]) -> None:
    """The partners' rows of the same name become one directory record (the host's), with
    shared details; a near-duplicate pair is added for the merge offer."""
    rows = db.session.scalars(select(Organisation).where(
        Organisation.school_id.in_(school_ids)).order_by(Organisation.id)).all()
    first: dict[str, Organisation] = {}
    for row in rows:
        keeper = first.setdefault(row.name, row)
        if keeper is not row:
            row.directory_id = keeper.directory_id
    db.session.flush()
    db.session.execute(delete(DirectoryOrganisation).where(~DirectoryOrganisation.id.in_(
        select(Organisation.directory_id).where(Organisation.directory_id.is_not(None)))))
    for name, (sector, website) in SHARED_DETAILS.items():
        if name in first and first[name].directory is not None:
            first[name].directory.sector, first[name].directory.website = sector, website
    db.session.add_all([
        Organisation(school_id=school_ids[0], name="NHS Kent", kind=OrganisationKind.EMPLOYER,
                     private_notes="Our contact runs the Year 10 mock interviews."),
        Organisation(school_id=school_ids[1], name="N.H.S. Kent", kind=OrganisationKind.EMPLOYER)])
    db.session.flush()


def shared_counts() -> dict[str, int]:
    """For tests and the README: what the demo partnership holds."""
    from .models.shared import SharedEvent

    return {"events": db.session.scalar(select(func.count()).select_from(SharedEvent)) or 0,
            "directory": db.session.scalar(
                select(func.count()).select_from(DirectoryOrganisation)) or 0}

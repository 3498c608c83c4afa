"""A partnership of three schools and one outsider, with a shared event today: what the
shared-event, check-in and directory tests stand on (imported, not a conftest)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select

from careers_app.database import write_transaction
from careers_app.domain.benchmarks import EncounterKind
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Role, User
from careers_app.models.group import GroupKind, GroupLead, SchoolGroup, SchoolGroupMember
from careers_app.shared_events import services


@dataclass
class Partnership:
    group_id: int
    schools: dict[str, int]  # "A" host, "B" invited, "C" member not invited, "D" outsider
    pupils: dict[str, int] = field(default_factory=dict)
    event_id: int | None = None


def event_details(p: Partnership, **overrides) -> services.SharedEventDetails:
    values = dict(group_id=p.group_id, host_school_id=p.schools["A"], title="Careers fair",
                  kind=EncounterKind.CAREERS_FAIR, date=today_london(), start_time=time(9),
                  end_time=time(12), school_ids=[p.schools["B"]], year_groups=[10],
                  location="Sports hall", organisation_name="NHS Kent")
    values.update(overrides)
    return services.SharedEventDetails(**values)


def plan(app, p: Partnership, username: str = "leadA", **overrides) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        event = services.plan_shared_event(user, event_details(p, **overrides),
                                           app.config["SECRET_KEY"])
        return event.id


def build(app, make_school, make_user, make_pupil, *, with_event: bool = True,
          on: date | None = None) -> Partnership:
    """Schools A, B, C in "East Kent Schools Together", D outside it; staff and pupils at
    each; a group lead; and (by default) A's careers fair today for Year 10 of A and B."""
    schools = {key: make_school(name=f"School {key}", slug=f"school-{key.lower()}")
               for key in "ABCD"}
    with app.app_context(), write_transaction():
        group = SchoolGroup(name="East Kent Schools Together", kind=GroupKind.PARTNERSHIP)
        db.session.add(group)
        db.session.flush()
        db.session.add_all([SchoolGroupMember(group_id=group.id, school_id=schools[k].id)
                            for k in "ABC"])
        group_id = group.id
    p = Partnership(group_id, {k: s.id for k, s in schools.items()})
    for key in "ABCD":
        sid = p.schools[key]
        make_user(f"lead{key}", Role.ADMIN, school_id=sid)
        make_user(f"staff{key}", Role.STAFF, school_id=sid, tutor_group="10A")
        pupil = make_pupil(year=10, school_id=sid, legal_forename=f"Pupil{key}",
                           surname=f"Secretname{key}")
        make_user(f"pupil{key}", Role.PUPIL, school_id=sid, pupil_id=pupil.id)
        p.pupils[key] = pupil.id
    young = make_pupil(year=8, school_id=p.schools["B"], legal_forename="Young",
                       surname="Secretyoung")
    make_user("pupilB8", Role.PUPIL, school_id=p.schools["B"], pupil_id=young.id)
    p.pupils["B8"] = young.id
    trust = make_user("grouplead", Role.GROUP_LEAD, school_id=p.schools["A"])
    with app.app_context(), write_transaction():
        db.session.add(GroupLead(group_id=group_id, user_id=trust.id))
    if with_event:
        p.event_id = plan(app, p, **({"date": on} if on else {}))
    return p

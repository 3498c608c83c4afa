"""Editing the directory: the shared details, a school's private notes, and merging
near-duplicates (offered, never done without a careers leader's say-so)."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import delete, func, select, update

from .. import audit_trail
from ..database import write_transaction
from ..domain.benchmarks import OrganisationKind
from ..domain.errors import InputError
from ..extensions import db
from ..models import Encounter, Organisation
from ..models.placement import Placement
from ..models.shared import DirectoryOrganisation
from .directory import visible_directory_ids
from .names import name_key


@dataclass
class SharedDetails:
    name: str
    kind: OrganisationKind
    self_employed: bool = False
    sector: str = ""
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _tidy(text: str) -> str:
    return " ".join((text or "").split())


def update_shared(record: DirectoryOrganisation, details: SharedDetails) -> None:
    """The shared details, as every school of the group sees them."""
    name = _tidy(details.name)
    if not name:
        raise InputError("name", "Enter the organisation's name.")
    website = details.website.strip()
    if website and not website.lower().startswith(("https://", "http://")):
        raise InputError("website", "Enter the website as an address starting https://")
    with write_transaction():
        record.name, record.name_key = name, name_key(name)
        record.kind = OrganisationKind(details.kind)
        record.self_employed = details.self_employed
        record.sector = _tidy(details.sector)
        record.website = website
        record.contact_name = _tidy(details.contact_name)
        record.contact_email = details.contact_email.strip()
        record.contact_phone = _tidy(details.contact_phone)


def update_notes(organisation: Organisation, notes: str) -> None:
    """This school's private notes (its own row, never another school's)."""
    with write_transaction():
        organisation.private_notes = notes.strip()


def merge_candidates(school_id: int) -> list[list[DirectoryOrganisation]]:
    """Visible records whose names fold alike, at least one of them this school's: each list
    is a set of near-duplicates a careers leader may merge."""
    visible = visible_directory_ids(school_id)
    keys = (select(DirectoryOrganisation.name_key)
            .where(DirectoryOrganisation.id.in_(visible))
            .group_by(DirectoryOrganisation.name_key).having(func.count() > 1))
    own = select(Organisation.directory_id).where(Organisation.school_id == school_id)
    rows = db.session.scalars(
        select(DirectoryOrganisation)
        .where(DirectoryOrganisation.id.in_(visible), DirectoryOrganisation.name_key.in_(keys))
        .order_by(DirectoryOrganisation.name_key, DirectoryOrganisation.id)).all()
    mine = set(db.session.scalars(own))
    groups = [list(g) for _key, g in groupby(rows, key=lambda r: r.name_key)]
    return [g for g in groups if any(r.id in mine for r in g)]


def merge_pair(school_id: int, keep_id: int, drop_id: int) -> tuple[DirectoryOrganisation,
                                                                   DirectoryOrganisation] | None:
    """The two records of an offered merge, or None if this is no offered pair."""
    for group in merge_candidates(school_id):
        by_id = {r.id: r for r in group}
        if keep_id in by_id and drop_id in by_id and keep_id != drop_id:
            return by_id[keep_id], by_id[drop_id]
    return None


def merge(school_id: int, keep: DirectoryOrganisation, drop: DirectoryOrganisation) -> int:
    """This school's rows for `drop` become `keep`: its encounters and placements are
    repointed to its row for `keep` (or its row is relinked when it has none). Other
    schools' rows are untouched. Returns how many encounters moved."""
    with write_transaction():
        rows = db.session.scalars(select(Organisation).where(
            Organisation.school_id == school_id,
            Organisation.directory_id.in_([keep.id, drop.id])).order_by(Organisation.id)).all()
        target = next((r for r in rows if r.directory_id == keep.id), None)
        losers = [r for r in rows if r.directory_id == drop.id]
        if target is None:
            target, losers = losers[0], losers[1:]
            target.directory_id = keep.id
        moved = _repoint(school_id, target, losers)
        db.session.flush()
        if not db.session.scalar(select(func.count()).where(Organisation.directory_id == drop.id)):
            db.session.execute(delete(DirectoryOrganisation).where(
                DirectoryOrganisation.id == drop.id))
            audit_trail.record_rows("delete", "directory_organisation", [drop.id])
    return moved


def _repoint(school_id: int, target: Organisation, losers: list[Organisation]) -> int:
    if not losers:
        return 0
    loser_ids = [r.id for r in losers]
    moved = db.session.scalars(select(Encounter.id).where(
        Encounter.school_id == school_id, Encounter.organisation_id.in_(loser_ids))).all()
    db.session.execute(update(Encounter).where(Encounter.id.in_(moved))
                       .values(organisation_id=target.id), execution_options={
                           "synchronize_session": False})
    db.session.execute(update(Placement).where(Placement.school_id == school_id,
                                               Placement.organisation_id.in_(loser_ids))
                       .values(organisation_id=target.id),
                       execution_options={"synchronize_session": False})
    audit_trail.record_rows("update", "encounter", moved, school_id)
    notes = [target.private_notes] + [r.private_notes for r in losers]
    target.private_notes = "\n\n".join(n for n in notes if n)
    for loser in losers:
        db.session.delete(loser)
    return len(moved)

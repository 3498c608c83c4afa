"""The shared organisation directory: who sees which record, the type-ahead, the counts.

A school sees a directory record when an organisation row of its own, or of a school it
shares a group (trust or partnership) with, is linked to it. A school outside every group
sees only its own. Each school's row keeps the school's private notes; the directory
record keeps what the schools share (name, kind, sector, website, contact).

Linking happens on insert (a before_flush hook, so the quick log, planned events, the
placement import and the demo all link alike): a new row joins the visible directory record
whose name is the same apart from case, accents and spacing, or gets a record of its own.
A near-duplicate ("N.H.S. Kent" beside "NHS Kent") is never joined: it is offered for
merging on /organisations (merging.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, func, literal, select, union
from sqlalchemy.orm import Session, aliased

from ..database import contains_pattern
from ..domain.search_text import fold
from ..extensions import db
from ..models import Encounter, Organisation, School
from ..models.group import SchoolGroupMember
from ..models.shared import DirectoryOrganisation
from .names import name_key


def peer_school_ids(school_id: int):
    """SQL: the school and every school it shares a group with."""
    mine, theirs = aliased(SchoolGroupMember), aliased(SchoolGroupMember)
    return union(select(literal(school_id).label("school_id")),
                 select(theirs.school_id).join(mine, mine.group_id == theirs.group_id)
                 .where(mine.school_id == school_id))


def visible_directory_ids(school_id: int):
    """SQL: the directory records this school may see."""
    return (select(Organisation.directory_id)
            .where(Organisation.school_id.in_(peer_school_ids(school_id)),
                   Organisation.directory_id.is_not(None)).distinct())


def visible_record(school_id: int, directory_id: int) -> DirectoryOrganisation | None:
    return db.session.scalar(select(DirectoryOrganisation).where(
        DirectoryOrganisation.id == directory_id,
        DirectoryOrganisation.id.in_(visible_directory_ids(school_id))))


def _matching_record(session: Session, school_id: int, name: str) -> DirectoryOrganisation | None:
    candidates = session.scalars(select(DirectoryOrganisation).where(
        DirectoryOrganisation.name_key == name_key(name),
        DirectoryOrganisation.id.in_(visible_directory_ids(school_id)))
        .order_by(DirectoryOrganisation.id)).all()
    return next((c for c in candidates if fold(c.name) == fold(name)), None)


@event.listens_for(Session, "before_flush")
def _link_new_organisations(session: Session, _context, _instances) -> None:
    """Every new organisation row gets its directory record before it is written."""
    new = [o for o in session.new if isinstance(o, Organisation)
           and o.directory_id is None and o.directory is None]
    with session.no_autoflush:
        for organisation in new:
            record = _matching_record(session, organisation.school_id, organisation.name)
            if record is None:
                record = DirectoryOrganisation(
                    name=organisation.name, name_key=name_key(organisation.name),
                    kind=organisation.kind, self_employed=bool(organisation.self_employed))
                session.add(record)
            else:
                organisation.kind = record.kind
                organisation.self_employed = record.self_employed
            organisation.directory = record


def group_suggestions(school_id: int, pattern: str, known: set[str],
                      limit: int) -> list[DirectoryOrganisation]:
    """Directory records of the school's groups whose name matches the LIKE `pattern`, other
    than names the school already has (`known`, folded): for the quick log's type-ahead."""
    if limit <= 0:
        return []
    rows = db.session.scalars(
        select(DirectoryOrganisation)
        .where(DirectoryOrganisation.id.in_(visible_directory_ids(school_id)),
               func.lower(DirectoryOrganisation.name).like(pattern, escape="\\"))
        .order_by(DirectoryOrganisation.name).limit(limit + len(known))).all()
    return [r for r in rows if fold(r.name) not in known][:limit]


@dataclass
class DirectoryEntry:
    """A row of /organisations: the record, this school's own rows and encounter count, and
    the other schools' counts (numbers only)."""

    record: DirectoryOrganisation
    own: list[Organisation]
    own_encounters: int
    other_schools: list[tuple[str, int]]


def _encounter_counts(school_id: int, directory_ids: list[int]):
    """(directory id, school id, school name, encounters) for every visible school."""
    count = (select(func.count(Encounter.id)).where(
        Encounter.organisation_id == Organisation.id, Encounter.deleted_at.is_(None))
        .correlate(Organisation).scalar_subquery())
    return db.session.execute(
        select(Organisation.directory_id, Organisation.school_id, School.name,
               func.sum(count))
        .join(School, School.id == Organisation.school_id)
        .where(Organisation.directory_id.in_(directory_ids),
               Organisation.school_id.in_(peer_school_ids(school_id)))
        .group_by(Organisation.directory_id, Organisation.school_id, School.name)
        .order_by(School.name)).all()


def _entries(school_id: int, records) -> list[DirectoryEntry]:
    ids = [r.id for r in records]
    own = db.session.scalars(select(Organisation).where(
        Organisation.school_id == school_id, Organisation.directory_id.in_(ids))
        .order_by(Organisation.name)).all()
    entries = {r.id: DirectoryEntry(r, [], 0, []) for r in records}
    for row in own:
        entries[row.directory_id].own.append(row)
    for directory_id, other_school, school_name, encounters in _encounter_counts(school_id, ids):
        if other_school == school_id:
            entries[directory_id].own_encounters = int(encounters or 0)
        else:
            entries[directory_id].other_schools.append((school_name, int(encounters or 0)))
    return list(entries.values())


def directory_entries(school_id: int, text: str = "", limit: int = 500) -> list[DirectoryEntry]:
    """The directory as this school sees it, alphabetical; a fixed number of statements."""
    query = select(DirectoryOrganisation).where(
        DirectoryOrganisation.id.in_(visible_directory_ids(school_id)))
    if text.strip():
        query = query.where(func.lower(DirectoryOrganisation.name).like(
            contains_pattern(text), escape="\\"))
    return _entries(school_id, db.session.scalars(
        query.order_by(DirectoryOrganisation.name).limit(limit)).all())


def entry(school_id: int, directory_id: int) -> DirectoryEntry | None:
    """One record as this school sees it, or None when it is not in the school's groups."""
    record = visible_record(school_id, directory_id)
    return _entries(school_id, [record])[0] if record else None

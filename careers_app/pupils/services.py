"""Queries about pupils: the roll, groups and each pupil's own record; the admin's edit."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from flask import abort
from sqlalchemy import Select, and_, func, or_, select, update

from ..database import contains_pattern, write_transaction
from ..domain.academic import YEAR_GROUPS, academic_year_of, cohort_for, natural_sort, year_group
from ..domain.benchmarks import EncounterKind, kind_label
from ..domain.dates import today_london
from ..domain.search_text import fold, pupil_search_text
from ..domain.errors import InputError
from ..domain.progress import encounter_facts
from ..domain.rules import EncounterFact
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Organisation, Participation, Pupil
from .history import current_values, record_years


@dataclass(frozen=True)
class PupilGroup:
    """A tutor group ("tutor", "10B") or a year group ("year", "10") to pick pupils from."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        return f"{'tg' if self.kind == 'tutor' else 'yg'}:{self.value}"

    @property
    def label(self) -> str:
        return f"Tutor group {self.value}" if self.kind == "tutor" else f"Year {self.value}"


_YEAR_GROUP_VALUES = frozenset(str(year) for year in YEAR_GROUPS)


def parse_group(key: str | None) -> PupilGroup | None:
    """"tg:10B" or "yg:10" -> a PupilGroup; anything else -> None."""
    prefix, _, value = (key or "").partition(":")
    value = value.strip()
    if prefix == "tg" and value and len(value) <= 20 and value.isprintable():
        return PupilGroup("tutor", value)
    if prefix == "yg" and value in _YEAR_GROUP_VALUES:  # "yg:²" and "yg:١٠" are no group
        return PupilGroup("year", value)
    return None


def on_roll(on: date):
    """SQL condition: the pupil is on roll on `on`: admission <= on <= leaving date.

    The leaving date is the last day on roll (as the MIS records it); no date is no limit.
    The same rule in Python is `domain.mis_plan.is_on_roll`.
    """
    return and_(or_(Pupil.joined_on.is_(None), Pupil.joined_on <= on),
                or_(Pupil.left_on.is_(None), Pupil.left_on >= on))


def roll_query(school_id: int, on: date | None = None) -> Select:
    """Pupils of the school on roll on `on` (default today) in Y7-13, alphabetical."""
    on = on or today_london()
    academic_year = academic_year_of(on)
    return (select(Pupil)
            .where(Pupil.school_id == school_id, on_roll(on),
                   Pupil.cohort.between(cohort_for(13, academic_year), cohort_for(7, academic_year)))
            .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id))


def group_options(school_id: int, on: date | None = None) -> list[PupilGroup]:
    """Every tutor group on roll, then every year group that has pupils."""
    on = on or today_london()
    academic_year = academic_year_of(on)
    roll = roll_query(school_id, on).subquery()
    tutor_groups = db.session.scalars(
        select(roll.c.tutor_group).where(roll.c.tutor_group.is_not(None))
        .distinct().order_by(roll.c.tutor_group)).all()
    cohorts = db.session.scalars(select(roll.c.cohort).distinct()).all()
    years = sorted(year_group(c, academic_year) for c in cohorts)
    return ([PupilGroup("tutor", tg) for tg in natural_sort(tutor_groups)]
            + [PupilGroup("year", str(y)) for y in years])


def pupils_in_group(school_id: int, group: PupilGroup, on: date | None = None) -> list[Pupil]:
    """Pupils on roll in a tutor group or year group, alphabetical."""
    on = on or today_london()
    query = roll_query(school_id, on)
    if group.kind == "tutor":
        query = query.where(Pupil.tutor_group == group.value)
    else:
        query = query.where(Pupil.cohort == cohort_for(int(group.value), academic_year_of(on)))
    return list(db.session.scalars(query))


def pupils_by_ids(school_id: int, ids: Iterable[int]) -> list[Pupil]:
    """The pupils of this school among `ids` (any other id is silently absent)."""
    ids = set(ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Pupil).where(Pupil.school_id == school_id, Pupil.id.in_(ids))
        .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id)))


def get_pupil(school_id: int, pupil_id: int) -> Pupil | None:
    """A pupil of this school, or None (another school's pupil is None too)."""
    return db.session.scalar(select(Pupil).where(Pupil.id == pupil_id, Pupil.school_id == school_id))


def pupil_or_404(school_id: int, pupil_id: int) -> Pupil:
    """For views: a pupil of this school, or 404 (another school's pupil is not found either)."""
    pupil = get_pupil(school_id, pupil_id)
    if pupil is None:
        abort(404)
    return pupil


PAGE_SIZE = 50


@dataclass
class PupilFilters:
    """The pupil list's filters. Flags are None for "any"."""

    q: str = ""
    year_group: int | None = None
    tutor_group: str = ""
    send: str = ""  # "", "N", "K", "E" or "KE" (any SEND)
    disadvantaged: bool | None = None
    looked_after: bool | None = None
    status: str = "roll"  # "roll", "leavers" or "all"


def search_pupils(school_id: int, filters: PupilFilters | None = None, *, page: int = 1,
                  on: date | None = None):
    """One page of pupils matching the filters (none: every pupil on roll), and the total count."""
    filters = filters or PupilFilters()
    on = on or today_london()
    academic_year = academic_year_of(on)
    if filters.status == "leavers":
        query = (select(Pupil).where(Pupil.school_id == school_id, Pupil.left_on.is_not(None),
                                     Pupil.left_on < on)
                 .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id))
    elif filters.status == "all":
        query = (select(Pupil).where(Pupil.school_id == school_id)
                 .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id))
    else:
        query = roll_query(school_id, on)
    if fold(filters.q):
        # Accents, apostrophes and case folded alike on both sides (domain.search_text).
        query = query.where(Pupil.search_text.like(contains_pattern(fold(filters.q)),
                                                   escape="\\"))
    if filters.year_group:
        query = query.where(Pupil.cohort == cohort_for(filters.year_group, academic_year))
    if filters.tutor_group:
        query = query.where(Pupil.tutor_group == filters.tutor_group)
    if filters.send == "KE":
        query = query.where(Pupil.send_status.in_(("K", "E")))
    elif filters.send in ("N", "K", "E"):
        query = query.where(Pupil.send_status == filters.send)
    if filters.disadvantaged is not None:
        query = query.where(Pupil.disadvantaged.is_(filters.disadvantaged))
    if filters.looked_after is not None:
        query = query.where(Pupil.looked_after.is_(filters.looked_after))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pupils = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return pupils, total


def refresh_search_text(pupil_ids: Iterable[int]) -> None:
    """Re-fold the search column of these pupils after a bulk UPDATE of their names (which
    bypasses the ORM events). Two statements, whatever the number of pupils; runs inside the
    caller's transaction."""
    ids = sorted(set(pupil_ids))
    if not ids:
        return
    rows = db.session.execute(select(Pupil.id, Pupil.legal_forename, Pupil.preferred_forename,
                                     Pupil.surname, Pupil.upn).where(Pupil.id.in_(ids))).all()
    db.session.execute(update(Pupil), [
        {"id": row.id, "search_text": pupil_search_text(row.legal_forename,
                                                        row.preferred_forename, row.surname,
                                                        row.upn)} for row in rows])


@dataclass(frozen=True)
class RecordEntry:
    """One encounter on a pupil's record, with exactly what the record shows (no ORM object:
    /me and the pupil page read a column select, issue 14)."""

    id: int
    title: str
    kind: EncounterKind
    date: date
    academic_year: int
    meaningful: bool
    organisation_name: str | None
    benchmarks: tuple[int, ...]

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass
class YearRecord:
    academic_year: int
    encounters: list[RecordEntry]


@dataclass(frozen=True)
class GuidanceEntry:
    """One guidance interview as its audience may see it.

    `notes` is None when the notes are staff-only and the record is for the pupil: the text
    never leaves the service, so no template can show it by mistake.
    """

    encounter_id: int
    date: date
    adviser_name: str
    adviser_level6: bool
    agreed_actions: str
    notes: str | None
    notes_staff_only: bool


class PupilRecord(list):
    """The pupil's encounters by academic year (a list of YearRecord, newest first), with
    their guidance interviews as `.guidance`, their own reflections by encounter id as
    `.reflections` and, as `.facts`, what the rules read of every encounter on it (the
    reports' `own_progress` takes them instead of asking the database again)."""

    guidance: list[GuidanceEntry]
    reflections: dict[int, str]
    facts: dict[int, EncounterFact]


def guidance_history(pupil: Pupil, *, for_staff: bool = False) -> list[GuidanceEntry]:
    """The pupil's guidance interviews, newest first. Staff-only notes only when `for_staff`."""
    rows = db.session.execute(
        select(Encounter.id, Encounter.date, Encounter.adviser_name, Encounter.adviser_level6,
               Encounter.notes, Encounter.notes_staff_only, Participation.agreed_actions)
        .join(Participation, Participation.encounter_id == Encounter.id)
        # The school is checked on the participation: a condition on the encounter's school
        # leads PostgreSQL to scan all the school's encounters instead of the pupil's few.
        .where(Participation.pupil_id == pupil.id, Participation.school_id == pupil.school_id,
               Encounter.kind == EncounterKind.GUIDANCE_INTERVIEW,
               Encounter.deleted_at.is_(None), Encounter.planned.is_(False))
        .order_by(Encounter.date.desc(), Encounter.id.desc())).all()
    return [GuidanceEntry(
        encounter_id=row.id, date=row.date, adviser_name=row.adviser_name,
        adviser_level6=row.adviser_level6, agreed_actions=row.agreed_actions or "",
        notes=(row.notes or "") if (for_staff or not row.notes_staff_only) else None,
        notes_staff_only=row.notes_staff_only) for row in rows]


def _record_query(pupil: Pupil) -> Select:
    """The pupil's recorded encounters, newest first, one row per benchmark: what the record
    shows (`encounter_kind`, `organisation_name`, the reflection) and what the rules read
    (the columns `domain.progress.encounter_facts` takes, Organisation.kind as `kind`)."""
    return (select(Encounter.id, Encounter.title, Encounter.kind.label("encounter_kind"),
                   Encounter.date, Encounter.academic_year, Encounter.meaningful,
                   Encounter.planned, Encounter.deleted_at, Encounter.organisation_id,
                   Encounter.adviser_level6, Encounter.adviser_name,
                   Organisation.name.label("organisation_name"), Organisation.kind,
                   EncounterBenchmark.benchmark, Participation.reflection)
            .join(Participation, Participation.encounter_id == Encounter.id)
            .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
            .outerjoin(EncounterBenchmark, EncounterBenchmark.encounter_id == Encounter.id)
            .where(Participation.pupil_id == pupil.id, Participation.school_id == pupil.school_id,
                   Encounter.deleted_at.is_(None), Encounter.planned.is_(False))
            .order_by(Encounter.date.desc(), Encounter.id.desc(), EncounterBenchmark.benchmark))


def pupil_record(pupil: Pupil, *, for_staff: bool = False) -> PupilRecord:
    """The pupil's encounters grouped by academic year, newest first, and their guidance
    interviews (two queries in all). Staff-only guidance notes are left out unless
    `for_staff`: /me calls this without it."""
    rows = db.session.execute(_record_query(pupil)).all()
    entries: list[RecordEntry] = []
    for _id, group in groupby(rows, key=lambda row: row.id):
        group = list(group)
        first = group[0]
        entries.append(RecordEntry(
            id=first.id, title=first.title, kind=first.encounter_kind, date=first.date,
            academic_year=first.academic_year, meaningful=first.meaningful,
            organisation_name=first.organisation_name,
            benchmarks=tuple(row.benchmark for row in group if row.benchmark is not None)))
    record = PupilRecord(YearRecord(year, list(items))
                         for year, items in groupby(entries, key=lambda e: e.academic_year))
    record.guidance = guidance_history(pupil, for_staff=for_staff)
    record.reflections = {row.id: row.reflection or "" for row in rows}
    record.facts = encounter_facts(rows)
    return record


def own_participation(pupil: Pupil, encounter_id: int) -> Participation | None:
    """The pupil's own part in a recorded encounter, or None (never anyone else's)."""
    return db.session.scalar(
        select(Participation).join(Encounter, Encounter.id == Participation.encounter_id)
        .where(Participation.pupil_id == pupil.id, Participation.encounter_id == encounter_id,
               Encounter.school_id == pupil.school_id, Encounter.deleted_at.is_(None),
               Encounter.planned.is_(False)))


def save_reflection(participation: Participation, text: str) -> None:
    """The pupil's own words about an encounter."""
    with write_transaction():
        participation.reflection = text.strip().replace("\r\n", "\n")


# Pupils: admin edit -------------------------------------------------------------------------

class PupilInputError(InputError):
    """A problem with an admin's change to a pupil."""


def update_pupil(pupil: Pupil, values: dict[str, Any], today: date | None = None) -> None:
    """Save an admin's changes to a pupil; a UPN already used in the school is refused.

    The pupil's record for the academic year of `today` (default: today) takes the new tutor
    group and flags in the same transaction, so that year is reported as it now stands.
    """
    upn = values["upn"]
    academic_year = academic_year_of(today or today_london())
    with write_transaction():
        clash = db.session.scalar(select(Pupil.id).where(
            Pupil.school_id == pupil.school_id, Pupil.upn == upn, Pupil.id != pupil.id))
        if clash:
            raise PupilInputError("upn", "Another pupil already has this UPN.")
        for name, value in values.items():
            setattr(pupil, name, value)
        db.session.flush()
        record_years(pupil.school_id, academic_year, [current_values(pupil)])

"""Each pupil's tutor group and flags as they were in each academic year (PupilYear).

Every import and every admin edit calls `record_years` in its own transaction: the row for
the academic year of that day then holds the last value imported or edited in it. Reports
read a past year with `flags_in_year` (or join PupilYear on (pupil_id, academic_year)),
falling back to the Pupil columns when a year has no row.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Pupil, PupilYear

YEAR_FIELDS = ("tutor_group", "send_status", "disadvantaged", "looked_after", "considering_he")
# Rows per INSERT: within SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
CHUNK = 2_000


def _insert():
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PupilYear)


def record_years(school_id: int, academic_year: int, rows: Iterable[dict[str, Any]]) -> int:
    """Upsert the PupilYear row of each pupil for `academic_year`, inside the caller's
    transaction: one multi-row INSERT ... ON CONFLICT per 2,000 pupils.

    Each row is a dict with `pupil_id` and every name in YEAR_FIELDS. Returns the count.
    """
    rows = [{"school_id": school_id, "academic_year": academic_year, "pupil_id": row["pupil_id"],
             **{name: row[name] for name in YEAR_FIELDS}} for row in rows]
    for start in range(0, len(rows), CHUNK):
        statement = _insert().values(rows[start:start + CHUNK])
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["pupil_id", "academic_year"],
            set_={name: statement.excluded[name] for name in YEAR_FIELDS}))
    return len(rows)


def years_rows(pupil_ids: Iterable[int], academic_year: int) -> list[dict[str, Any]]:
    """The PupilYear rows these pupils have for `academic_year`, as plain dicts (for an
    import's undo snapshot)."""
    ids = sorted(set(pupil_ids))
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), CHUNK):
        found.extend(dict(row._mapping) for row in db.session.execute(
            select(PupilYear.pupil_id, *(getattr(PupilYear, n) for n in YEAR_FIELDS))
            .where(PupilYear.academic_year == academic_year,
                   PupilYear.pupil_id.in_(ids[start:start + CHUNK]))))
    return found


def forget_years(pupil_ids: Iterable[int], academic_year: int) -> None:
    """Delete these pupils' rows for `academic_year` (undoing an import that created them)."""
    ids = sorted(set(pupil_ids))
    for start in range(0, len(ids), CHUNK):
        db.session.execute(delete(PupilYear).where(
            PupilYear.academic_year == academic_year,
            PupilYear.pupil_id.in_(ids[start:start + CHUNK])))


def current_values(pupil: Pupil) -> dict[str, Any]:
    """A pupil's current columns as a record_years row."""
    return {"pupil_id": pupil.id, **{name: getattr(pupil, name) for name in YEAR_FIELDS}}


@dataclass(frozen=True)
class YearFlags:
    """One pupil's tutor group and flags in one academic year."""

    tutor_group: str | None
    send_status: str
    disadvantaged: bool
    looked_after: bool
    considering_he: bool


def flags_in_year(school_id: int, academic_year: int,
                  pupil_ids: Iterable[int] | None = None) -> dict[int, YearFlags]:
    """pupil id -> that pupil's values in `academic_year`: the year's record where there is
    one, else the Pupil columns. One query. Every pupil of the school unless `pupil_ids`."""
    # No record: the Pupil column. A record's blank tutor group stays blank.
    query = (select(Pupil.id, *(case((PupilYear.id.is_(None), getattr(Pupil, n)),
                                     else_=getattr(PupilYear, n)).label(n) for n in YEAR_FIELDS))
             .outerjoin(PupilYear, (PupilYear.pupil_id == Pupil.id)
                        & (PupilYear.academic_year == academic_year))
             .where(Pupil.school_id == school_id))
    if pupil_ids is not None:
        query = query.where(Pupil.id.in_(sorted(set(pupil_ids))))
    return {row.id: YearFlags(*(getattr(row, n) for n in YEAR_FIELDS))
            for row in db.session.execute(query)}


def restore_years(school_id: int, academic_year: int, before: list[dict[str, Any]],
                  created: Iterable[int]) -> None:
    """Put the rows of `academic_year` back as `before`, and delete those in `created`."""
    record_years(school_id, academic_year, before)
    forget_years(created, academic_year)



"""Queries about pupils: the roll, groups and each pupil's own record."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlalchemy import Select, func, or_, select

from ..domain.academic import YEAR_GROUPS, academic_year_of, cohort_for
from ..domain.dates import today_london
from ..extensions import db
from ..models import Encounter, Participation, Pupil


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


def parse_group(key: str | None) -> PupilGroup | None:
    """"tg:10B" or "yg:10" -> a PupilGroup; anything else -> None."""
    prefix, _, value = (key or "").partition(":")
    value = value.strip()
    if prefix == "tg" and value and len(value) <= 20:
        return PupilGroup("tutor", value)
    if prefix == "yg" and value.isdigit() and int(value) in YEAR_GROUPS:
        return PupilGroup("year", value)
    return None


def on_roll(on: date):
    """SQL condition: the pupil has not left by `on`."""
    return or_(Pupil.left_on.is_(None), Pupil.left_on > on)


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
    years = sorted(academic_year - c + 7 for c in cohorts)
    return ([PupilGroup("tutor", tg) for tg in _natural_sort(tutor_groups)]
            + [PupilGroup("year", str(y)) for y in years])


def _natural_sort(names: Iterable[str]) -> list[str]:
    def key(name: str):
        digits = "".join(ch for ch in name if ch.isdigit())
        return (int(digits) if digits else 99, name)
    return sorted(names, key=key)


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


PAGE_SIZE = 50


def search_pupils(school_id: int, *, q: str = "", year_group: int | None = None,
                  tutor_group: str = "", page: int = 1, on: date | None = None):
    """One page of the roll matching the filters, and the total count."""
    on = on or today_london()
    query = roll_query(school_id, on)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(
            func.lower(Pupil.surname).like(like), func.lower(Pupil.legal_forename).like(like),
            func.lower(Pupil.preferred_forename).like(like), func.lower(Pupil.upn).like(like),
            func.lower(Pupil.legal_forename + " " + Pupil.surname).like(like),
            func.lower(func.coalesce(Pupil.preferred_forename, "") + " " + Pupil.surname).like(like),
        ))
    if year_group:
        query = query.where(Pupil.cohort == cohort_for(year_group, academic_year_of(on)))
    if tutor_group:
        query = query.where(Pupil.tutor_group == tutor_group)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pupils = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return pupils, total


@dataclass
class YearRecord:
    academic_year: int
    encounters: list[Encounter]


def pupil_record(pupil: Pupil) -> list[YearRecord]:
    """The pupil's encounters grouped by academic year, newest first (two queries in all)."""
    encounters = db.session.scalars(
        select(Encounter)
        .join(Participation, Participation.encounter_id == Encounter.id)
        .where(Participation.pupil_id == pupil.id, Encounter.school_id == pupil.school_id,
               Encounter.deleted_at.is_(None), Encounter.planned.is_(False))
        .order_by(Encounter.date.desc(), Encounter.id.desc())).all()
    return [YearRecord(year, list(items))
            for year, items in groupby(encounters, key=lambda e: e.academic_year)]

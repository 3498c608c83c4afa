"""The demo school's roster history (issue 12): admission dates, a mid-year joiner, a
31 August leaver, each pupil's tutor group and flags per academic year, and an import
history whose last import can still be undone.

Bulk statements only, so `seed-demo --pupils N --years N` stays fast.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, insert, select, update

from .domain.academic import academic_year_bounds, academic_year_of, cohort_for, year_group
from .domain.dates import LONDON
from .domain.upn import make_upn
from .extensions import db
from .models import Pupil, PupilYear
from .models.roster import ImportBatch
from .roster.services import new_token

HISTORY_YEARS = 2  # at least last year's record, whatever --years says


def seed_roster_history(rng, school_id: int, lead_id: int, today: date, years: int) -> None:
    """Add the roster history to a freshly seeded demo school (inside its transaction)."""
    this_year = academic_year_of(today)
    cohorts = db.session.scalars(select(Pupil.cohort).where(Pupil.school_id == school_id)
                                 .distinct()).all()
    for cohort in cohorts:  # on roll from the September they started Year 7
        db.session.execute(update(Pupil).where(
            Pupil.school_id == school_id, Pupil.cohort == cohort, Pupil.joined_on.is_(None))
            .values(joined_on=date(cohort, 9, 1)))
    joiner_id = _joiner_and_leaver(school_id, this_year, today)
    changer_id, send_id = _changed_pupils(school_id, this_year)
    _seed_years(school_id, this_year, max(years, HISTORY_YEARS), changer_id, send_id)
    _seed_imports(school_id, lead_id, today, joiner_id, changer_id)


def _joiner_and_leaver(school_id: int, this_year: int, today: date) -> int:
    """A Year 10 pupil who joined part way through this year, and a Year 11 leaver whose
    last day was 31 August (so not in this year at all); the joiner's id."""
    start, _end = academic_year_bounds(this_year)
    joined = start + (today - start) // 2  # half way through the year so far
    leaver_cohort = cohort_for(11, this_year - 1)  # Year 11 last year; left for college
    rows = [
        dict(school_id=school_id, upn=make_upn(886, 6000 + school_id % 3000, 95, 1),
             legal_forename="Kacper", preferred_forename=None, surname="Nowicki",
             cohort=cohort_for(10, this_year), tutor_group="10A", send_status="N",
             disadvantaged=True, looked_after=False, considering_he=False, joined_on=joined,
             left_on=None),
        dict(school_id=school_id, upn=make_upn(886, 6000 + school_id % 3000, 95, 2),
             legal_forename="Ellie", preferred_forename=None, surname="Marsh",
             cohort=leaver_cohort, tutor_group="11B", send_status="N", disadvantaged=False,
             looked_after=False, considering_he=False, joined_on=date(leaver_cohort, 9, 1),
             left_on=date(this_year, 8, 31)),
    ]
    db.session.execute(insert(Pupil), rows)
    return db.session.scalar(select(Pupil.id).where(Pupil.school_id == school_id,
                                                    Pupil.upn == rows[0]["upn"]))


def _changed_pupils(school_id: int, this_year: int) -> tuple[int, int]:
    """Two pupils of 10A (not the demo pupil, the first): one moved there from 9C last year's
    lettering, one identified for SEN support this year."""
    in_group = db.session.scalars(select(Pupil.id).where(
        Pupil.school_id == school_id, Pupil.tutor_group == "10A", Pupil.joined_on < date(
            this_year, 9, 1), Pupil.cohort == cohort_for(10, this_year)).order_by(Pupil.id)).all()
    changer, send = (in_group[1], in_group[2]) if len(in_group) > 2 else (in_group[0],) * 2
    db.session.execute(update(Pupil).where(Pupil.id == send).values(send_status="K"))
    return changer, send


def _seed_years(school_id: int, this_year: int, years: int, changer_id: int,
                send_id: int) -> None:
    """A record for every pupil in every demo year they were on roll: the tutor group named
    for that year's year group, the flags as they were."""
    pupils = db.session.execute(select(
        Pupil.id, Pupil.cohort, Pupil.tutor_group, Pupil.send_status, Pupil.disadvantaged,
        Pupil.looked_after, Pupil.considering_he, Pupil.joined_on, Pupil.left_on)
        .where(Pupil.school_id == school_id)).all()
    rows = []
    for academic_year in range(this_year - years + 1, this_year + 1):
        first, last = academic_year_bounds(academic_year)
        for p in pupils:
            yg = year_group(p.cohort, academic_year)
            if not 7 <= yg <= 13 or (p.left_on and p.left_on < first) or (
                    p.joined_on and p.joined_on > last):
                continue
            past = academic_year < this_year
            letter = "C" if past and p.id == changer_id else (p.tutor_group or "A")[-1]
            rows.append(dict(
                school_id=school_id, pupil_id=p.id, academic_year=academic_year,
                tutor_group=p.tutor_group if not past else f"{yg}{letter}",
                send_status="N" if past and p.id == send_id else p.send_status,
                disadvantaged=p.disadvantaged, looked_after=p.looked_after,
                considering_he=p.considering_he and yg >= 12))
    # Years the figures-over-time demo (demo_history) already kept stay as they are, except
    # for this story's two pupils, whose years are told here.
    story = (changer_id, send_id)
    db.session.execute(delete(PupilYear).where(PupilYear.school_id == school_id,
                                               PupilYear.pupil_id.in_(story)))
    kept = set(db.session.execute(select(PupilYear.pupil_id, PupilYear.academic_year)
                                  .where(PupilYear.school_id == school_id)).all())
    rows = [r for r in rows if (r["pupil_id"], r["academic_year"]) not in kept]
    if rows:
        db.session.execute(insert(PupilYear), rows)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LONDON).astimezone(timezone.utc)


def _seed_imports(school_id: int, lead_id: int, today: date, joiner_id: int,
                  changer_id: int) -> None:
    """September's import (which found the 31 August leaver) and this week's, which added
    the joiner and moved a pupil into 10A: the one that can still be undone."""
    this_year = academic_year_of(today)
    start, _end = academic_year_bounds(this_year)
    now = datetime.now(timezone.utc)
    on_roll = db.session.scalar(select(db.func.count(Pupil.id)).where(
        Pupil.school_id == school_id, Pupil.left_on.is_(None)))
    september = min(_at(start + timedelta(days=2), 8), now - timedelta(days=3))
    recent = max(now - timedelta(days=2), september + timedelta(hours=1))
    changer_year = db.session.execute(select(PupilYear).where(
        PupilYear.pupil_id == changer_id, PupilYear.academic_year == this_year)).scalar_one()
    before_row = {"pupil_id": changer_id, "tutor_group": "10C",
                  **{n: getattr(changer_year, n) for n in (
                      "send_status", "disadvantaged", "looked_after", "considering_he")}}
    common = dict(school_id=school_id, created_by_id=lead_id, encoding="utf-8", delimiter=",",
                  headers=["UPN", "Legal Surname", "Legal Forename", "Year", "Reg Group",
                           "SEN Status", "Pupil Premium", "Admission Date"],
                  rows=[], mapping={})
    db.session.add_all([
        ImportBatch(token=new_token(), filename="SIMS students September.csv",
                    created_at=september, applied_at=september, leaving_date=date(this_year, 8, 31),
                    result={"new": 0, "updated": on_roll - 2, "unchanged": 0, "leavers": 1},
                    undo=None, **common),
        ImportBatch(token=new_token(), filename="SIMS students this week.csv",
                    created_at=recent, applied_at=recent,
                    result={"new": 1, "updated": 1, "unchanged": on_roll - 2, "leavers": 0},
                    undo={"academic_year": this_year, "new": [joiner_id],
                          "updated": [{"id": changer_id, "before": {"tutor_group": "10C"}}],
                          "leavers": [], "years_before": [before_row], "years_created": []},
                    **common),
    ])

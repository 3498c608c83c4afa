"""Work experience figures per year group, the chase list and the CSV export.

Every figure is for a day (`as_of`): a placement counts as done only once it is completed and
over by then, feedback and evaluations only once they were in by then.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, func, or_, select

from ..domain import placements as rules
from ..domain.academic import (YEAR_GROUPS, academic_year_bounds, academic_year_of, cohort_for,
                               year_group)
from ..domain.dates import LONDON
from ..domain.placements import DAY_BUCKETS
from ..domain.rules import as_of_day, percentage
from ..extensions import db
from ..models import Pupil
from ..models.placement import Placement, PlacementFeedback, PlacementWeek
from .planning import AssignRow, _group_members_without

DONE_VALUES = sorted(s.value for s in rules.DONE)
CHASE_HORIZON = timedelta(days=28)


def end_of_day(day: date) -> datetime:
    """The first moment after `day` in London, in UTC: stamps before it were made by then."""
    return datetime.combine(day + timedelta(days=1), time(), LONDON).astimezone(timezone.utc)


@dataclass
class YearRow:
    year_group: int
    pupils: int
    completed: int
    feedback: int
    evaluated: int
    buckets: dict[str, int] = field(default_factory=dict)
    days: int = 0

    @property
    def completed_percent(self) -> int | None:
        return percentage(self.completed, self.pupils)

    @property
    def feedback_percent(self) -> int | None:
        return percentage(self.feedback, self.pupils)

    @property
    def evaluated_percent(self) -> int | None:
        return percentage(self.evaluated, self.pupils)


def year_group_report(school_id: int, academic_year: int, today: date) -> list[YearRow]:
    """Per year group on roll in the year: pupils with a completed placement, their days of
    experience in buckets, and how many have employer feedback and their own evaluation.

    One statement: a per-pupil aggregate of placements, joined to the roll and grouped by
    cohort. A pupil's placements from earlier years count too (Year 11 did theirs in Year 10).
    """
    as_of = as_of_day(academic_year, today)
    start, _end = academic_year_bounds(academic_year)
    cutoff = end_of_day(as_of)
    done = and_(Placement.status.in_(DONE_VALUES), Placement.end_on <= as_of)
    per_pupil = (
        select(Placement.pupil_id,
               func.sum(case((done, Placement.school_days), else_=0)).label("days"),
               func.max(case((done, 1), else_=0)).label("completed"),
               func.max(case((and_(done, PlacementFeedback.submitted_at < cutoff), 1),
                             else_=0)).label("feedback"),
               func.max(case((and_(done, Placement.evaluated_at < cutoff), 1),
                             else_=0)).label("evaluated"))
        .outerjoin(PlacementFeedback, PlacementFeedback.placement_id == Placement.id)
        .where(Placement.school_id == school_id)
        .group_by(Placement.pupil_id).subquery())
    days = func.coalesce(per_pupil.c.days, 0)
    bucket_columns = [func.sum(case((and_(days >= low, days <= high) if high is not None
                                     else days >= low, 1), else_=0)).label(f"b{n}")
                      for n, (_label, low, high) in enumerate(DAY_BUCKETS)]
    cohorts = [cohort_for(y, academic_year) for y in YEAR_GROUPS]
    query = (select(Pupil.cohort, func.count(Pupil.id),
                    func.sum(func.coalesce(per_pupil.c.completed, 0)),
                    func.sum(func.coalesce(per_pupil.c.feedback, 0)),
                    func.sum(func.coalesce(per_pupil.c.evaluated, 0)),
                    func.sum(days), *bucket_columns)
             .select_from(Pupil).outerjoin(per_pupil, per_pupil.c.pupil_id == Pupil.id)
             .where(Pupil.school_id == school_id, Pupil.cohort.in_(cohorts),
                    or_(Pupil.joined_on.is_(None), Pupil.joined_on <= as_of),
                    or_(Pupil.left_on.is_(None), Pupil.left_on >= start))
             .group_by(Pupil.cohort))
    found = {row[0]: row for row in db.session.execute(query)}
    rows = []
    for year in YEAR_GROUPS:
        row = found.get(cohort_for(year, academic_year))
        if row is None:
            rows.append(YearRow(year, 0, 0, 0, 0, {label: 0 for label, *_ in DAY_BUCKETS}))
            continue
        _cohort, pupils, completed, feedback, evaluated, total_days, *buckets = row
        rows.append(YearRow(year, pupils, int(completed or 0), int(feedback or 0),
                            int(evaluated or 0),
                            {label: int(n or 0) for (label, *_r), n in zip(DAY_BUCKETS, buckets)},
                            int(total_days or 0)))
    return rows


# The chase list -------------------------------------------------------------------------------

@dataclass
class ChaseWeek:
    week: PlacementWeek
    without_employer: list[AssignRow]
    stuck: list[Placement]

    @property
    def pupil_ids(self) -> list[int]:
        ids = [r.pupil.id for r in self.without_employer] + [p.pupil_id for p in self.stuck]
        return list(dict.fromkeys(ids))


@dataclass
class ChaseList:
    weeks: list[ChaseWeek]
    stuck_elsewhere: list[Placement]  # placements of no planned week

    @property
    def empty(self) -> bool:
        return not self.weeks and not self.stuck_elsewhere


def chase_list(school_id: int, as_of: date) -> ChaseList:
    """Placements stuck in one status for more than a week, and, for weeks starting within
    four weeks (or under way), the pupils who have no employer yet."""
    year_start = academic_year_bounds(academic_year_of(as_of))[0]
    open_placements = db.session.scalars(select(Placement).where(
        Placement.school_id == school_id, Placement.end_on >= year_start,
        Placement.status.not_in([s.value for s in rules.FINAL]))
        .order_by(Placement.start_on, Placement.id)).all()
    stuck = [p for p in open_placements
             if rules.is_stuck(p.status, p.status_since, p.end_on, as_of)]
    weeks = {w.id: w for w in db.session.scalars(select(PlacementWeek).where(
        PlacementWeek.school_id == school_id, PlacementWeek.end_on >= as_of,
        PlacementWeek.start_on <= as_of + CHASE_HORIZON))}
    by_week: dict[int, ChaseWeek] = {wid: ChaseWeek(w, [], []) for wid, w in weeks.items()}
    for placement in open_placements:
        if placement.week_id in by_week and placement.organisation_id is None:
            by_week[placement.week_id].without_employer.append(AssignRow(placement.pupil,
                                                                         placement))
    for week_id, entry in by_week.items():
        entry.without_employer += [AssignRow(p, None)
                                   for p in _group_members_without(weeks[week_id], as_of)]
    elsewhere = []
    for placement in stuck:
        if placement.week_id is None:
            elsewhere.append(placement)
            continue
        if placement.week_id not in by_week:
            by_week[placement.week_id] = ChaseWeek(placement.week, [], [])
        entry = by_week[placement.week_id]
        if all(r.placement is not placement for r in entry.without_employer):
            entry.stuck.append(placement)
    chased = [w for w in by_week.values() if w.without_employer or w.stuck]
    chased.sort(key=lambda w: (w.week.start_on, w.week.id))
    for entry in chased:
        entry.without_employer.sort(key=lambda r: (r.pupil.surname, r.pupil.forename))
    return ChaseList(chased, elsewhere)


# Export ---------------------------------------------------------------------------------------

EXPORT_HEADER = ["UPN", "Surname", "Forename", "Year group", "Tutor group", "Week", "Employer",
                 "First day", "Last day", "School days", "Mode", "Status", "Status since",
                 "Contact name", "Contact email", "Contact phone", "Employer task",
                 "Insurance seen", "Risk assessment received", "Employer feedback",
                 "Pupil evaluation", "Meaningful"]


def export_rows(school_id: int, academic_year: int):
    """Every placement starting in the academic year, one row each (two queries)."""
    first, last = academic_year_bounds(academic_year)
    placements = db.session.scalars(
        select(Placement).join(Pupil, Pupil.id == Placement.pupil_id)
        .where(Placement.school_id == school_id, Placement.start_on.between(first, last))
        .order_by(Placement.start_on, Pupil.surname, Pupil.legal_forename, Placement.id)).all()
    weeks = {w.id: w.title for w in db.session.scalars(select(PlacementWeek).where(
        PlacementWeek.school_id == school_id))}
    for p in placements:
        pupil = p.pupil
        met = rules.criteria(p.employer_task, p.feedback is not None, p.evaluated).met
        yield [pupil.upn, pupil.surname, pupil.forename,
               year_group(pupil.cohort, academic_year_of(p.start_on)), pupil.tutor_group or "",
               weeks.get(p.week_id, ""), p.organisation.name if p.organisation else "",
               p.start_on.isoformat(), p.end_on.isoformat(), p.school_days, p.mode_label,
               p.status_label, p.status_since.isoformat(), p.contact_name, p.contact_email,
               p.contact_phone, p.employer_task,
               p.insurance_seen_on.isoformat() if p.insurance_seen_on else "",
               p.risk_assessment_on.isoformat() if p.risk_assessment_on else "",
               "Yes" if p.feedback is not None else "No", "Yes" if p.evaluated else "No",
               "Yes" if met else "No"]

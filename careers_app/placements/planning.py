"""Planning work experience: a placement week for a group, and its assign table, where each
pupil's employer is typed in turn. Every write is one transaction, with the Benchmark 6
records brought into step in it (records.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select

from ..database import write_transaction
from ..domain import placements as rules
from ..domain.academic import academic_year_of, cohort_for, year_group
from ..domain.benchmarks import OrganisationKind
from ..domain.placements import Status
from ..encounters.services import find_or_create_organisation
from ..extensions import db
from ..models import Pupil, User
from ..models.placement import Placement, PlacementWeek
from ..pupils.services import PupilGroup, pupils_in_group, roll_query
from .records import sync_benchmark_record
from .services import PlacementInputError, _set_status, check_dates, holidays


def week_group_label(week: PlacementWeek) -> str:
    if week.tutor_group:
        return f"Tutor group {week.tutor_group}"
    if week.cohort is not None:
        return f"Year {year_group(week.cohort, academic_year_of(week.start_on))}"
    return "Chosen pupils"


def plan_week(school_id: int, user: User, title: str, start: date | None, end: date | None,
              group: PupilGroup | None, as_of: date) -> tuple[PlacementWeek, int, int]:
    """A placement week with a "seeking" placement for every pupil of the group on roll.

    Pupils who already have a placement on any of those days are left out (and counted), so
    planning the same week twice makes nothing twice. Returns the week, how many placements
    it made and how many pupils it left out."""
    title = " ".join((title or "").split())
    if not title:
        raise PlacementInputError("title", "Give the week a title.")
    if group is None:
        raise PlacementInputError("group", "Choose a year group or tutor group.")
    ranges = holidays(school_id)
    check_dates(start, end, ranges)
    if group.kind == "year":
        # "Year 10" is the year group during the week itself, not today.
        cohort, tutor_group = cohort_for(int(group.value), academic_year_of(start)), None
        pupils = list(db.session.scalars(roll_query(school_id, as_of).where(
            Pupil.cohort == cohort).order_by(None).order_by(Pupil.id)))
        pupils = [p for p in pupils if p.left_on is None or p.left_on >= start]
    else:
        cohort, tutor_group = None, group.value
        pupils = pupils_in_group(school_id, group, as_of)
    if not pupils:
        raise PlacementInputError("group", "Nobody in that group is on roll.")
    busy = set(db.session.scalars(select(Placement.pupil_id).where(
        Placement.school_id == school_id, Placement.pupil_id.in_([p.id for p in pupils]),
        Placement.status != Status.CANCELLED.value, Placement.start_on <= end,
        Placement.end_on >= start)))
    if len(busy) == len(pupils):
        raise PlacementInputError("group", "Everyone in that group already has a placement on "
                                  "these dates.")
    pupils = [p for p in pupils if p.id not in busy]
    days = rules.school_day_count(start, end, ranges)
    with write_transaction():
        week = PlacementWeek(school_id=school_id, title=title[:200], start_on=start, end_on=end,
                             cohort=cohort, tutor_group=tutor_group, created_by_id=user.id)
        db.session.add(week)
        db.session.flush()
        db.session.add_all([Placement(
            school_id=school_id, pupil_id=pupil.id, week_id=week.id, start_on=start,
            end_on=end, school_days=days, status=Status.SEEKING.value, status_since=as_of,
            created_by_id=user.id) for pupil in pupils])
    return week, len(pupils), len(busy)


def get_week(school_id: int, week_id: int) -> PlacementWeek | None:
    return db.session.scalar(select(PlacementWeek).where(PlacementWeek.id == week_id,
                                                         PlacementWeek.school_id == school_id))


@dataclass
class WeekSummary:
    week: PlacementWeek
    total: int
    with_employer: int
    done: int
    counts: dict[str, int] = field(default_factory=dict)


def week_summaries(school_id: int) -> list[WeekSummary]:
    """Every week, newest first, with its counts by status (one aggregate query)."""
    weeks = list(db.session.scalars(select(PlacementWeek).where(
        PlacementWeek.school_id == school_id)
        .order_by(PlacementWeek.start_on.desc(), PlacementWeek.id.desc())))
    counts: dict[int, dict[str, int]] = {}
    employers: dict[int, int] = {}
    for week_id, status, total, placed in db.session.execute(
            select(Placement.week_id, Placement.status, func.count(),
                   func.count(Placement.organisation_id))
            .where(Placement.school_id == school_id, Placement.week_id.is_not(None))
            .group_by(Placement.week_id, Placement.status)):
        counts.setdefault(week_id, {})[status] = total
        if status != Status.CANCELLED:
            employers[week_id] = employers.get(week_id, 0) + placed
    return [WeekSummary(w, sum(counts.get(w.id, {}).values()), employers.get(w.id, 0),
                        sum(n for s, n in counts.get(w.id, {}).items() if s in rules.DONE),
                        counts.get(w.id, {})) for w in weeks]


@dataclass
class AssignRow:
    """One line of a week's assign table: a pupil and their placement, if they have one."""

    pupil: Pupil
    placement: Placement | None

    @property
    def needs_employer(self) -> bool:
        return self.placement is None or (self.placement.organisation_id is None
                                          and self.placement.status != Status.CANCELLED)


@dataclass(frozen=True)
class RowFilters:
    status: str = ""  # a Status value, "none" (no employer yet) or "" for all
    pupil_ids: frozenset[int] = frozenset()


def _group_members_without(week: PlacementWeek, as_of: date) -> list[Pupil]:
    """Pupils of the week's group on roll with no placement in the week yet (joiners since
    it was planned). Only while the week is still to come or under way."""
    if week.end_on < as_of or (week.cohort is None and not week.tutor_group):
        return []
    query = roll_query(week.school_id, as_of).where(~exists(select(Placement.id).where(
        Placement.week_id == week.id, Placement.pupil_id == Pupil.id)))
    if week.tutor_group:
        query = query.where(Pupil.tutor_group == week.tutor_group)
    else:
        query = query.where(Pupil.cohort == week.cohort)
    return list(db.session.scalars(query))


def week_rows(week: PlacementWeek, filters: RowFilters, as_of: date) -> list[AssignRow]:
    """The week's pupils for the assign table, by tutor group and name (two queries)."""
    placements = db.session.scalars(select(Placement).where(Placement.week_id == week.id)).all()
    rows = [AssignRow(p.pupil, p) for p in placements]
    rows += [AssignRow(pupil, None) for pupil in _group_members_without(week, as_of)]
    if filters.pupil_ids:
        rows = [r for r in rows if r.pupil.id in filters.pupil_ids]
    if filters.status == "none":
        rows = [r for r in rows if r.needs_employer]
    elif filters.status:
        rows = [r for r in rows
                if r.placement is not None and r.placement.status == filters.status]
    return sorted(rows, key=lambda r: (r.pupil.tutor_group or "", r.pupil.surname,
                                       r.pupil.forename, r.pupil.id))


def week_row(week: PlacementWeek, pupil_id: int, as_of: date) -> AssignRow | None:
    """One row of the assign table; None when the pupil is not in the week at all."""
    placement = db.session.scalar(select(Placement).where(Placement.week_id == week.id,
                                                          Placement.pupil_id == pupil_id))
    if placement is not None:
        return AssignRow(placement.pupil, placement)
    pupil = next((p for p in _group_members_without(week, as_of) if p.id == pupil_id), None)
    return AssignRow(pupil, None) if pupil else None


def assign_employer(week: PlacementWeek, row: AssignRow, organisation_name: str, user: User,
                    as_of: date) -> Placement:
    """Give the pupil's placement in the week an employer (a blank name removes it).

    A placement still seeking becomes "arranged"; one arranged whose employer is removed goes
    back to seeking. A pupil who joined after the week was planned gets their placement now.
    """
    name = " ".join((organisation_name or "").split())
    if len(name) > 200:
        raise PlacementInputError("organisation", "Keep the employer's name under 200 characters.")
    placement = row.placement
    if placement is not None and placement.status == Status.CANCELLED:
        raise PlacementInputError("organisation", "This placement is cancelled. Open it to "
                                  "set it back to “Seeking an employer” first.")
    if placement is not None and not name and Status(placement.status) not in (
            Status.SEEKING, Status.ARRANGED):
        raise PlacementInputError("organisation", f"The placement is “{placement.status_label}”,"
                                  " so it needs its employer. Open it to change the status.")
    with write_transaction():
        if placement is None:
            placement = Placement(
                school_id=week.school_id, pupil_id=row.pupil.id, week_id=week.id,
                start_on=week.start_on, end_on=week.end_on,
                school_days=rules.school_day_count(week.start_on, week.end_on,
                                                   holidays(week.school_id)),
                status=Status.SEEKING.value, status_since=as_of, created_by_id=user.id)
            db.session.add(placement)
        organisation = find_or_create_organisation(week.school_id, name, OrganisationKind.EMPLOYER)
        placement.organisation = organisation
        placement.organisation_id = organisation.id if organisation else None
        if organisation and placement.status == Status.SEEKING:
            _set_status(placement, Status.ARRANGED, as_of)
        elif organisation is None and placement.status == Status.ARRANGED:
            _set_status(placement, Status.SEEKING, as_of)
        db.session.flush()
        sync_benchmark_record(placement.pupil_id, placement.school_id, as_of, user.id)
    return placement

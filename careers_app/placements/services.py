"""Work experience placements: planning a week, assigning employers, details, status, the
pupil's evaluation, the school's holidays, and the Benchmark 6 record of a completed placement.

Every write is one transaction, and every write that can change whether a placement counts
brings its Benchmark 6 record (a workplace-experience encounter) into step in that same
transaction, so the dashboard never sees half of a change.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from ..database import contains_pattern, write_transaction
from ..domain import placements as rules
from ..domain.academic import academic_year_of, cohort_for, year_group
from ..domain.benchmarks import EncounterKind, OrganisationKind
from ..domain.dates import format_date
from ..domain.placements import Mode, PlacementFacts, Status
from ..encounters.building import describe_encounter, new_encounter, set_benchmarks
from ..encounters.services import find_or_create_organisation
from ..extensions import db
from ..models import (Encounter, EncounterBenchmark, Organisation, Participation, Pupil, School,
                      User)
from ..models.base import utcnow
from ..models.placement import Placement, PlacementFeedback, PlacementWeek
from ..pupils.services import PupilGroup, pupils_in_group, roll_query

HOLIDAYS_KEY = "placement_holidays"
BM6 = 6


class PlacementInputError(Exception):
    """A problem with what was submitted, tied to a form field ("" for the whole form)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field_name = field_name
        self.message = message


# The school's holidays ------------------------------------------------------------------------

def holidays(school_id: int) -> list[tuple[date, date]]:
    """The school's holidays as (first day, last day) pairs, from its settings."""
    raw = db.session.scalar(select(School.settings).where(School.id == school_id)) or {}
    ranges = []
    for pair in raw.get(HOLIDAYS_KEY) or []:
        try:
            first, last = date.fromisoformat(pair[0]), date.fromisoformat(pair[1])
        except (TypeError, ValueError, IndexError):
            continue
        if first <= last:
            ranges.append((first, last))
    return sorted(ranges)


def save_holidays(school_id: int, ranges: Iterable[tuple[date, date]]) -> int:
    """Keep the holidays and recount every placement's school days; returns how many changed."""
    ranges = sorted(ranges)
    with write_transaction():
        school = db.session.get(School, school_id)
        school.settings = {**(school.settings or {}),
                           HOLIDAYS_KEY: [[a.isoformat(), b.isoformat()] for a, b in ranges]}
        changed = 0
        for placement in db.session.scalars(select(Placement).where(
                Placement.school_id == school_id)):
            days = rules.school_day_count(placement.start_on, placement.end_on, ranges)
            if placement.school_days != days:
                placement.school_days = days
                changed += 1
    return changed


def check_dates(start: date | None, end: date | None, ranges) -> None:
    problems = rules.date_problems(start, end, ranges)
    if problems:
        raise PlacementInputError("end_on" if start and end else "start_on", problems[0])


# Weeks ----------------------------------------------------------------------------------------

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


# Placements -----------------------------------------------------------------------------------

def get_placement(school_id: int, placement_id: int) -> Placement | None:
    """A placement of this school, or None (another school's is None too)."""
    return db.session.scalar(select(Placement).where(Placement.id == placement_id,
                                                     Placement.school_id == school_id))


@dataclass(frozen=True)
class ListFilters:
    q: str = ""
    status: str = ""  # a Status value, "none" for no employer yet, "" for all
    week_id: int | None = None


PAGE_SIZE = 50


def list_placements(school_id: int, filters: ListFilters, page: int = 1):
    """Placements matching the filters, newest first, and how many match."""
    query = (select(Placement).join(Pupil, Pupil.id == Placement.pupil_id)
             .outerjoin(Organisation, Organisation.id == Placement.organisation_id)
             .where(Placement.school_id == school_id))
    if filters.q:
        like = contains_pattern(filters.q)
        query = query.where(or_(*(func.lower(column).like(like, escape="\\") for column in (
            Pupil.surname, Pupil.legal_forename, func.coalesce(Pupil.preferred_forename, ""),
            Pupil.upn, Organisation.name))))
    if filters.status == "none":
        query = query.where(Placement.organisation_id.is_(None),
                            Placement.status != Status.CANCELLED.value)
    elif filters.status:
        query = query.where(Placement.status == filters.status)
    if filters.week_id:
        query = query.where(Placement.week_id == filters.week_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    placements = db.session.scalars(
        query.order_by(Placement.start_on.desc(), Pupil.surname, Pupil.legal_forename,
                       Placement.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return placements, total


@dataclass
class PlacementDetails:
    """What staff say about a placement, already type-checked by the form."""

    organisation_name: str
    start_on: date
    end_on: date
    mode: Mode
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    employer_task: str = ""
    insurance_seen_on: date | None = None
    risk_assessment_on: date | None = None
    notes: str = ""


def facts_of(placement: Placement, **changes) -> PlacementFacts:
    values = dict(start=placement.start_on, end=placement.end_on,
                  has_employer=placement.organisation_id is not None,
                  mode=Mode(placement.mode), insurance_seen_on=placement.insurance_seen_on,
                  risk_assessment_on=placement.risk_assessment_on,
                  evaluated=placement.evaluated_at is not None)
    values.update(changes)
    return PlacementFacts(**values)


def _clean(text: str) -> str:
    return (text or "").strip().replace("\r\n", "\n")


def update_details(placement: Placement, details: PlacementDetails, user: User,
                   as_of: date) -> None:
    """Change the employer, dates, contact, task, checks and notes in one transaction.

    The placement's current status must still hold afterwards (a placement under way keeps
    its employer and its checks)."""
    ranges = holidays(placement.school_id)
    check_dates(details.start_on, details.end_on, ranges)
    name = " ".join(details.organisation_name.split())
    facts = facts_of(placement, start=details.start_on, end=details.end_on,
                     has_employer=bool(name), mode=details.mode,
                     insurance_seen_on=details.insurance_seen_on,
                     risk_assessment_on=details.risk_assessment_on)
    if placement.status != Status.CANCELLED:
        problems = rules.status_problems(placement.status, facts, as_of)
        if problems:
            raise PlacementInputError("", f"The placement is “{placement.status_label}”: "
                                      f"{problems[0]} Change its status first.")
    with write_transaction():
        organisation = find_or_create_organisation(placement.school_id, name,
                                                   OrganisationKind.EMPLOYER)
        placement.organisation = organisation
        placement.organisation_id = organisation.id if organisation else None
        placement.start_on, placement.end_on = details.start_on, details.end_on
        placement.school_days = rules.school_day_count(details.start_on, details.end_on, ranges)
        placement.mode = Mode(details.mode).value
        placement.contact_name = " ".join(details.contact_name.split())
        placement.contact_email = details.contact_email.strip()
        placement.contact_phone = " ".join(details.contact_phone.split())
        placement.employer_task = _clean(details.employer_task)
        placement.insurance_seen_on = details.insurance_seen_on
        placement.risk_assessment_on = details.risk_assessment_on
        placement.notes = _clean(details.notes)
        placement.updated_at = utcnow()
        db.session.flush()
        sync_benchmark_record(placement.pupil_id, placement.school_id, as_of, user.id)


def _set_status(placement: Placement, status: Status, as_of: date) -> None:
    if placement.status != status.value:
        placement.status = status.value
        placement.status_since = as_of


def change_status(placement: Placement, target: str, reason: str, user: User,
                  as_of: date) -> None:
    """Move the placement to `target` if its rules allow it on `as_of`."""
    try:
        wanted = Status(target)
    except ValueError:
        raise PlacementInputError("status", "Choose a status from the list.") from None
    problems = rules.status_problems(wanted, facts_of(placement), as_of,
                                     current=placement.status, reason=reason)
    if problems:
        about_reason = wanted is Status.CANCELLED and placement.status not in rules.DONE
        raise PlacementInputError("cancel_reason" if about_reason else "status",
                                  " ".join(problems))
    with write_transaction():
        _set_status(placement, rules.settled_status(wanted, placement.evaluated), as_of)
        placement.cancel_reason = reason.strip() if wanted is Status.CANCELLED else ""
        placement.updated_at = utcnow()
        db.session.flush()
        sync_benchmark_record(placement.pupil_id, placement.school_id, as_of, user.id)


def criteria_of(placement: Placement) -> rules.Criteria:
    return rules.criteria(placement.employer_task, placement.feedback is not None,
                          placement.evaluated)


# The pupil ------------------------------------------------------------------------------------

def own_placements(pupil: Pupil) -> list[Placement]:
    """The pupil's own placements, newest first (never anyone else's)."""
    return list(db.session.scalars(select(Placement).where(
        Placement.pupil_id == pupil.id, Placement.school_id == pupil.school_id,
        Placement.status != Status.CANCELLED.value)
        .order_by(Placement.start_on.desc(), Placement.id.desc())))


def own_placement(pupil: Pupil, placement_id: int) -> Placement | None:
    return db.session.scalar(select(Placement).where(
        Placement.id == placement_id, Placement.pupil_id == pupil.id,
        Placement.school_id == pupil.school_id, Placement.status != Status.CANCELLED.value))


@dataclass(frozen=True)
class MyPlacement:
    placement: Placement
    can_evaluate: bool
    upcoming: bool


def for_me(pupil: Pupil, as_of: date) -> list[MyPlacement]:
    """The pupil's placements as /me shows them, with what the pupil may do with each."""
    return [MyPlacement(p, can_evaluate(p, as_of), p.end_on >= as_of)
            for p in own_placements(pupil)]


def can_evaluate(placement: Placement, as_of: date) -> bool:
    return rules.can_evaluate(placement.status, placement.end_on,
                              placement.organisation_id is not None, as_of)


def save_evaluation(placement: Placement, did: str, learnt: str, advice: str,
                    as_of: date) -> None:
    """The pupil's own evaluation: a completed placement becomes "evaluated"."""
    if not can_evaluate(placement, as_of):
        raise PlacementInputError("", "You can fill this in once your placement is over.")
    with write_transaction():
        placement.evaluation_did = _clean(did)
        placement.evaluation_learnt = _clean(learnt)
        placement.evaluation_advice = _clean(advice)
        placement.evaluated_at = placement.evaluated_at or utcnow()
        _set_status(placement, rules.settled_status(placement.status, True), as_of)
        placement.updated_at = utcnow()
        db.session.flush()
        sync_benchmark_record(placement.pupil_id, placement.school_id, as_of, None)


# Benchmark 6 ----------------------------------------------------------------------------------

def _workplace_visits(pupil_id: int, school_id: int) -> list[rules.WorkplaceVisit]:
    """The pupil's one-off Benchmark 6 encounters (not the placements' own records)."""
    rows = db.session.execute(
        select(Encounter.id, Encounter.date, Encounter.meaningful)
        .join(Participation, Participation.encounter_id == Encounter.id)
        .where(Participation.pupil_id == pupil_id, Encounter.school_id == school_id,
               Encounter.deleted_at.is_(None), Encounter.planned.is_(False),
               exists(select(EncounterBenchmark.encounter_id).where(
                   EncounterBenchmark.encounter_id == Encounter.id,
                   EncounterBenchmark.benchmark == BM6)),
               ~exists(select(Placement.id).where(Placement.encounter_id == Encounter.id))))
    return [rules.WorkplaceVisit(row.id, row.date, row.meaningful) for row in rows]


def sync_benchmark_record(pupil_id: int, school_id: int, as_of: date,
                          user_id: int | None) -> None:
    """Bring the pupil's placements' Benchmark 6 records into step (caller's transaction).

    A placement that counts as done is recorded as a workplace-experience encounter with the
    pupil as its one participant, so the dashboard's existing BM6 rules count it; it is
    meaningful only when its three criteria hold. So that no day is counted twice, a placement
    whose days already hold a one-off workplace encounter (or an overlapping placement) keeps
    its record but counts towards no benchmark. A placement that no longer counts has its
    record removed from every report (soft-deleted, like any deleted encounter).
    """
    placements = db.session.scalars(
        select(Placement).where(Placement.pupil_id == pupil_id, Placement.school_id == school_id)
        .options(selectinload(Placement.feedback))).all()
    done = [p for p in placements if rules.counts_as_done(p.status, p.end_on, as_of)
            and p.organisation_id is not None]
    spans = [rules.PlacementSpan(p.id, p.start_on, p.end_on, criteria_of(p).met) for p in done]
    experiences = rules.workplace_experiences(spans, _workplace_visits(pupil_id, school_id))
    counted = rules.placements_to_count(experiences)
    done_ids = {p.id for p in done}
    for placement in placements:
        if placement.id in done_ids:
            meaningful = criteria_of(placement).met
            # A meaningful placement left uncounted shares its days with an experience
            # that is counted already.
            _record_placement(placement, meaningful,
                              duplicate=meaningful and placement.id not in counted,
                              user_id=user_id)
        elif placement.encounter_id is not None:
            encounter = db.session.get(Encounter, placement.encounter_id)
            if encounter is not None and encounter.deleted_at is None:
                encounter.deleted_at = utcnow()


def _record_placement(placement: Placement, meaningful: bool, *, duplicate: bool,
                      user_id: int | None) -> None:
    encounter = (db.session.get(Encounter, placement.encounter_id)
                 if placement.encounter_id else None)
    if encounter is None:
        encounter = new_encounter(placement.school_id, user_id)
        encounter.participations = [Participation(school_id=placement.school_id,
                                                  pupil_id=placement.pupil_id)]
        db.session.add(encounter)
    elif placement.pupil_id not in {part.pupil_id for part in encounter.participations}:
        encounter.participations.append(Participation(school_id=placement.school_id,
                                                      pupil_id=placement.pupil_id))
    organisation = placement.organisation
    describe_encounter(encounter, f"Work experience: {organisation.name}"[:200],
                       EncounterKind.WORK_EXPERIENCE, placement.start_on)
    encounter.organisation_id = organisation.id
    encounter.meaningful = meaningful
    encounter.deleted_at = None
    lines = [f"Work experience placement, {format_date(placement.start_on)} to "
             f"{format_date(placement.end_on)} ({placement.school_days} school days), "
             f"{placement.mode_label.lower()}.",
             "Kept in step with the placement: change it on the placement's page."]
    if duplicate:
        lines.append("Counted once, with another workplace experience on the same days.")
    encounter.notes = "\n".join(lines)
    set_benchmarks(encounter, () if duplicate else (BM6,))
    encounter.updated_at = utcnow()
    db.session.flush()
    placement.encounter_id = encounter.id


def experiences_of(pupil_id: int, school_id: int, as_of: date) -> list[rules.Experience]:
    """The pupil's experiences of workplaces as the domain counts them: the reference the
    dashboard's count of Benchmark 6 records is checked against."""
    placements = db.session.scalars(select(Placement).where(
        Placement.pupil_id == pupil_id, Placement.school_id == school_id)).all()
    spans = [rules.PlacementSpan(p.id, p.start_on, p.end_on, criteria_of(p).met)
             for p in placements if rules.counts_as_done(p.status, p.end_on, as_of)
             and p.organisation_id is not None]
    visits = [v for v in _workplace_visits(pupil_id, school_id) if v.day <= as_of]
    return rules.workplace_experiences(spans, visits)



# The pupil's data (subject access, erasure, retention) --------------------------------------

def export_for(pupil: Pupil) -> list[dict]:
    """Everything held about the pupil's placements, for a subject-access export."""
    rows = []
    for p in db.session.scalars(select(Placement).where(
            Placement.pupil_id == pupil.id, Placement.school_id == pupil.school_id)
            .order_by(Placement.start_on, Placement.id)):
        feedback = p.feedback
        rows.append({
            "employer": p.organisation.name if p.organisation else None,
            "first_day": p.start_on.isoformat(), "last_day": p.end_on.isoformat(),
            "school_days": p.school_days, "held": p.mode_label, "status": p.status_label,
            "cancel_reason": p.cancel_reason, "employer_task": p.employer_task,
            "notes": p.notes,
            "evaluation": {"did": p.evaluation_did, "learnt": p.evaluation_learnt,
                           "advice": p.evaluation_advice} if p.evaluated else None,
            "employer_feedback": {
                "attendance": feedback.attendance, "punctuality": feedback.punctuality,
                "task": feedback.task, "task_outcome": feedback.task_outcome,
                "skills": list(feedback.skills or []), "comment": feedback.comment,
            } if feedback else None})
    return rows


def erase_records(pupil_ids: list[int]) -> None:
    """Before pupils are erased: remove their placements' own Benchmark 6 records (each is
    about one pupil alone). The placements, links and feedback go with the pupil (cascade).
    Caller's transaction."""
    encounter_ids = [i for i in db.session.scalars(select(Placement.encounter_id).where(
        Placement.pupil_id.in_(pupil_ids))) if i is not None]
    if encounter_ids:
        db.session.execute(delete(Encounter).where(Encounter.id.in_(encounter_ids)))


def forget_texts(pupil_ids: list[int]) -> None:
    """For anonymised leavers: drop the words written about them or by them, keep the counts.
    Caller's transaction."""
    if not pupil_ids:
        return
    placement_ids = select(Placement.id).where(Placement.pupil_id.in_(pupil_ids))
    db.session.execute(update(Placement).where(Placement.pupil_id.in_(pupil_ids)).values(
        notes="", employer_task="", cancel_reason="", evaluation_did="", evaluation_learnt="",
        evaluation_advice="", contact_name="", contact_email="", contact_phone=""))
    db.session.execute(update(PlacementFeedback).where(
        PlacementFeedback.placement_id.in_(placement_ids)).values(task="", comment=""))

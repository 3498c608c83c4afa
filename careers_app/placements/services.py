"""Work experience placements: the school's holidays, each placement's details and status,
and the pupil's own placements and evaluation. Planning a week and its assign table are in
planning.py; the Benchmark 6 record of a completed placement in records.py.

Every write is one transaction, and every write that can change whether a placement counts
brings its Benchmark 6 record (a workplace-experience encounter) into step in that same
transaction, so the dashboard never sees half of a change.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from ..database import contains_pattern, write_transaction
from ..domain import placements as rules
from ..domain.benchmarks import OrganisationKind
from ..domain.placements import Mode, PlacementFacts, Status
from ..encounters.services import find_or_create_organisation
from ..domain.errors import InputError
from ..extensions import db
from ..models import Organisation, Pupil, School, User
from ..models.base import utcnow
from ..models.placement import Placement
from .records import sync_benchmark_record

HOLIDAYS_KEY = "placement_holidays"


class PlacementInputError(InputError):
    """A problem with what was submitted, tied to a form field ("" for the whole form)."""


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
    """One of the pupil's own placements as /me shows it: exactly the columns it reads (no
    ORM object, issue 14), with what the pupil may do with it."""

    id: int
    organisation_name: str | None
    start_on: date
    end_on: date
    mode: str
    employer_task: str
    evaluated: bool
    evaluation_did: str
    evaluation_learnt: str
    evaluation_advice: str
    can_evaluate: bool
    upcoming: bool

    @property
    def mode_label(self) -> str:
        return rules.mode_label(self.mode)


def for_me(pupil: Pupil, as_of: date) -> list[MyPlacement]:
    """The pupil's placements as /me shows them, newest first (never anyone else's). One query."""
    rows = db.session.execute(
        select(Placement.id, Organisation.name.label("organisation_name"),
               Placement.organisation_id, Placement.start_on, Placement.end_on, Placement.mode,
               Placement.status, Placement.employer_task, Placement.evaluated_at,
               Placement.evaluation_did, Placement.evaluation_learnt, Placement.evaluation_advice)
        .outerjoin(Organisation, Organisation.id == Placement.organisation_id)
        .where(Placement.pupil_id == pupil.id, Placement.school_id == pupil.school_id,
               Placement.status != Status.CANCELLED.value)
        .order_by(Placement.start_on.desc(), Placement.id.desc()))
    return [MyPlacement(
        id=row.id, organisation_name=row.organisation_name, start_on=row.start_on,
        end_on=row.end_on, mode=row.mode, employer_task=row.employer_task,
        evaluated=row.evaluated_at is not None, evaluation_did=row.evaluation_did,
        evaluation_learnt=row.evaluation_learnt, evaluation_advice=row.evaluation_advice,
        can_evaluate=rules.can_evaluate(row.status, row.end_on, row.organisation_id is not None,
                                        as_of),
        upcoming=row.end_on >= as_of) for row in rows]


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

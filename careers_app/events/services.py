"""Planned events: encounters planned ahead with a time slot and invited groups.

A planned encounter counts towards no benchmark until its register is taken: the record
pages and reports skip `planned` encounters, and taking the register writes the
participations and clears `planned` in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import or_, select

from ..database import write_transaction
from ..domain.benchmarks import ENCOUNTER_KINDS, EncounterKind
from ..domain.errors import InputError
from ..encounters.building import describe_encounter, new_encounter, set_benchmarks
from ..domain.academic import cohort_for
from ..encounters.services import check_ticked, find_or_create_organisation, set_offers
from ..domain.errors import InputError
from ..extensions import db
from ..models import Encounter, Participation, Pupil, User
from ..models.base import utcnow
from ..models.shared import SharedEventCheckin
from ..pupils.services import PupilGroup, parse_group, pupils_in_group


# The one InputError (domain/errors.py); the old name is what the views catch.
EventInputError = InputError


@dataclass
class EventDetails:
    title: str
    kind: EncounterKind
    date: date
    start_time: time
    end_time: time
    location: str = ""
    organisation_name: str = ""
    invited_groups: list[str] = field(default_factory=list)


def calendar_events(school_id: int) -> tuple[list[Encounter], list[Encounter]]:
    """(still planned, register taken) events of the school, by date."""
    rows = list(db.session.scalars(
        select(Encounter).where(Encounter.school_id == school_id, Encounter.deleted_at.is_(None),
                                or_(Encounter.planned.is_(True), Encounter.start_time.is_not(None)))
        .order_by(Encounter.date, Encounter.start_time, Encounter.id)))
    return [e for e in rows if e.planned], [e for e in rows if not e.planned]


def get_event(school_id: int, encounter_id: int) -> Encounter | None:
    return db.session.scalar(select(Encounter).where(
        Encounter.id == encounter_id, Encounter.school_id == school_id,
        Encounter.deleted_at.is_(None),
        or_(Encounter.planned.is_(True), Encounter.start_time.is_not(None))))


def _apply(encounter: Encounter, details: EventDetails) -> None:
    if details.end_time <= details.start_time:
        raise InputError("end_time", "The end time must be after the start time.")
    groups = [g.key for g in map(parse_group, details.invited_groups) if g]
    if not groups:
        raise InputError("invited_groups", "Invite at least one tutor group or year group.")
    kind = EncounterKind(details.kind)
    describe_encounter(encounter, " ".join(details.title.split()), kind, details.date)
    encounter.start_time = details.start_time
    encounter.end_time = details.end_time
    encounter.location = " ".join(details.location.split())
    encounter.invited_groups = "\n".join(dict.fromkeys(groups))
    encounter.organisation = find_or_create_organisation(
        encounter.school_id, details.organisation_name, ENCOUNTER_KINDS[kind].organisation_kind)
    if not encounter.benchmark_rows:
        set_benchmarks(encounter)


def plan_event(school_id: int, user: User, details: EventDetails) -> Encounter:
    with write_transaction():
        encounter = new_encounter(school_id, user.id, planned=True)
        _apply(encounter, details)
        db.session.add(encounter)
    return encounter


def update_event(encounter: Encounter, details: EventDetails) -> None:
    with write_transaction():
        _apply(encounter, details)
        encounter.updated_at = utcnow()


def cancel_event(encounter: Encounter) -> None:
    """Cancelled: soft-deleted, so it leaves calendars and every record."""
    with write_transaction():
        encounter.deleted_at = utcnow()


def invited_groups(encounter: Encounter) -> list[PupilGroup]:
    return [g for g in map(parse_group, (encounter.invited_groups or "").splitlines()) if g]


def invited_pupils(encounter: Encounter) -> list[Pupil]:
    """Everyone on roll on the day in the invited groups, once each, alphabetical."""
    seen: dict[int, Pupil] = {}
    for group in invited_groups(encounter):
        for pupil in pupils_in_group(encounter.school_id, group, on=encounter.date):
            seen.setdefault(pupil.id, pupil)
    return sorted(seen.values(), key=lambda p: (p.surname, p.legal_forename, p.id))


def checked_in(encounter: Encounter) -> set[int]:
    """Pupils of the school who checked themselves in at this (shared) event."""
    if encounter.shared_event_id is None:
        return set()
    return set(db.session.scalars(select(SharedEventCheckin.pupil_id).where(
        SharedEventCheckin.shared_event_id == encounter.shared_event_id,
        SharedEventCheckin.school_id == encounter.school_id)))


def can_change(user: User, encounter: Encounter) -> bool:
    """A shared event's copy is changed only through the shared event (/shared-events),
    which keeps every invited school's copy alike."""
    if encounter.shared_event_id is not None:
        return False
    return user.is_admin or (user.is_staff and encounter.created_by_id == user.id)


def take_register(encounter: Encounter, pupil_ids: list[int], today: date) -> None:
    """The pupils who came: participations written (each with the pupil's tutor group that
    year) and the event counted, in one transaction. The year groups it invited were offered
    it (Provider Access phase 3), whoever came."""
    if encounter.date > today:
        raise InputError("pupil_ids", "The register can be taken on the day of the event "
                                           "or afterwards.")
    with write_transaction():
        pupils = check_ticked(encounter.school_id, pupil_ids, None, encounter.academic_year)
        current = {p.pupil_id: p for p in encounter.participations}
        encounter.participations = [current.get(p.id) or Participation(
            school_id=encounter.school_id, pupil_id=p.id, tutor_group=p.tutor_group)
            for p in pupils]
        set_offers(encounter, sorted({cohort_for(int(g.value), encounter.academic_year)
                                      for g in invited_groups(encounter) if g.kind == "year"}))
        encounter.planned = False
        encounter.updated_at = utcnow()

"""Shared events: planned by a group lead or a member school's careers leader, hosted by one
school, open to chosen member schools and year groups.

Each invited school (the host too) gets its own planned Encounter linked to the event, so it
registers only its own pupils, on its own register page, and its reports, calendars and
benchmarks read it like any other encounter. Every change the planner makes is copied onto
each school's encounter in the same transaction (the encounter's SEQUENCE goes up, so
subscribed calendars replace their copy). The host and the group lead see each school's
numbers, never another school's names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import func, or_, select

from ..database import write_transaction
from ..domain.academic import YEAR_GROUPS
from ..domain.benchmarks import ENCOUNTER_KINDS, EncounterKind
from ..domain.errors import InputError
from ..encounters.building import describe_encounter, new_encounter, set_benchmarks
from ..encounters.services import find_or_create_organisation
from ..extensions import db
from ..models import Encounter, Participation, School, User
from ..models.base import utcnow
from ..models.group import GroupLead, SchoolGroup, SchoolGroupMember
from ..models.shared import SharedEvent, SharedEventCheckin, SharedEventSchool
from . import codes


@dataclass
class SharedEventDetails:
    group_id: int
    host_school_id: int
    title: str
    kind: EncounterKind
    date: date
    start_time: time
    end_time: time
    school_ids: list[int] = field(default_factory=list)
    year_groups: list[int] = field(default_factory=list)
    location: str = ""
    organisation_name: str = ""


# Who may do what ------------------------------------------------------------------------------

def led_group_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(GroupLead.group_id).where(GroupLead.user_id == user.id)))


def planning_groups(user: User) -> list[SchoolGroup]:
    """Groups the user may plan shared events in: those they lead, and, for a careers
    leader, those their school belongs to."""
    conditions = [SchoolGroup.id.in_(select(GroupLead.group_id).where(
        GroupLead.user_id == user.id))]
    if user.is_admin:
        conditions.append(SchoolGroup.id.in_(select(SchoolGroupMember.group_id).where(
            SchoolGroupMember.school_id == user.school_id)))
    return list(db.session.scalars(select(SchoolGroup).where(or_(*conditions))
                                   .order_by(SchoolGroup.name)))


def can_manage(user: User, event: SharedEvent) -> bool:
    """Edit, cancel, new code: the group's leads, the host's careers leader, the planner."""
    if event.group_id in led_group_ids(user):
        return True
    return user.is_admin and (user.school_id == event.host_school_id
                              or event.created_by_id == user.id)


def can_see(user: User, event: SharedEvent) -> bool:
    """Staff of an invited school, and whoever may manage it. Nobody else learns of it."""
    return (user.is_staff and user.school_id in event.school_ids) or can_manage(user, event)


def visible_events(user: User) -> list[SharedEvent]:
    """Events (not cancelled) the user's school is invited to or the user's groups hold."""
    invited = select(SharedEventSchool.shared_event_id).where(
        SharedEventSchool.school_id == user.school_id)
    conditions = [SharedEvent.group_id.in_(select(GroupLead.group_id).where(
        GroupLead.user_id == user.id))]
    if user.is_staff:
        conditions.append(SharedEvent.id.in_(invited))
    return list(db.session.scalars(select(SharedEvent).where(
        SharedEvent.cancelled_at.is_(None), or_(*conditions))
        .order_by(SharedEvent.date, SharedEvent.start_time, SharedEvent.id)))


def get_event(event_id: int) -> SharedEvent | None:
    return db.session.scalar(select(SharedEvent).where(SharedEvent.id == event_id,
                                                       SharedEvent.cancelled_at.is_(None)))


def member_school_ids(group_id: int) -> set[int]:
    return set(db.session.scalars(select(SchoolGroupMember.school_id).where(
        SchoolGroupMember.group_id == group_id)))


# Planning -------------------------------------------------------------------------------------

def _check(user: User, details: SharedEventDetails) -> list[int]:
    if details.group_id not in {g.id for g in planning_groups(user)}:
        raise InputError("group_id", "You cannot plan events for that group.")
    members = member_school_ids(details.group_id)
    if details.host_school_id not in members:
        raise InputError("host_school_id", "The host must be a school in the group.")
    schools = sorted({details.host_school_id, *details.school_ids})
    if not set(schools) <= members:
        raise InputError("school_ids", "Invite only schools in the group.")
    if not details.year_groups or not set(details.year_groups) <= set(YEAR_GROUPS):
        raise InputError("year_groups", "Invite at least one year group.")
    if details.end_time <= details.start_time:
        raise InputError("end_time", "The end time must be after the start time.")
    if not " ".join(details.title.split()):
        raise InputError("title", "Give the event a title.")
    return schools


def _describe(event: SharedEvent, details: SharedEventDetails) -> None:
    event.group_id = details.group_id
    event.host_school_id = details.host_school_id
    event.title = " ".join(details.title.split())
    event.kind = EncounterKind(details.kind)
    event.date = details.date
    event.start_time, event.end_time = details.start_time, details.end_time
    event.location = " ".join(details.location.split())
    event.organisation_name = " ".join(details.organisation_name.split())
    event.year_groups = ",".join(str(y) for y in sorted(set(details.year_groups)))


def _copy_onto(encounter: Encounter, event: SharedEvent) -> None:
    """A school's encounter says what the event says (its register is its own)."""
    describe_encounter(encounter, event.title, event.kind, event.date)
    encounter.start_time, encounter.end_time = event.start_time, event.end_time
    encounter.location = event.location
    encounter.invited_groups = "\n".join(f"yg:{y}" for y in event.year_group_list)
    encounter.organisation = find_or_create_organisation(
        encounter.school_id, event.organisation_name,
        ENCOUNTER_KINDS[event.kind].organisation_kind)
    encounter.deleted_at = None
    if not encounter.benchmark_rows:
        set_benchmarks(encounter)


def _school_encounters(event: SharedEvent) -> dict[int, Encounter]:
    if event.id is None:
        return {}
    return {e.school_id: e for e in db.session.scalars(select(Encounter).where(
        Encounter.shared_event_id == event.id))}


def _sync(event: SharedEvent, school_ids: list[int], user_id: int | None) -> None:
    """Every invited school has its encounter, up to date; a school no longer invited loses
    its (still planned) one. A school whose register is taken cannot be dropped."""
    current = _school_encounters(event)
    held = [e for e in current.values() if not e.planned and e.deleted_at is None]
    if any((e.date, e.kind) != (event.date, event.kind) for e in held):
        raise InputError("date", "A school has taken its register for this event, so its "
                                 "date and type can no longer change.")
    for school_id, encounter in current.items():
        if school_id not in school_ids and encounter.deleted_at is None:
            if not encounter.planned:
                raise InputError("school_ids", "A school that has taken its register for "
                                               "this event cannot be taken off it.")
            encounter.deleted_at = utcnow()
    invited = {row.school_id: row for row in event.invited}
    event.invited = [invited.get(s) or SharedEventSchool(school_id=s) for s in school_ids]
    for school_id in school_ids:
        encounter = current.get(school_id)
        if encounter is None:
            encounter = new_encounter(school_id, user_id, planned=True, shared_event_id=event.id)
            db.session.add(encounter)
        _copy_onto(encounter, event)


def _new_code(event: SharedEvent, secret_key: str) -> None:
    event.checkin_salt = codes.new_salt()
    event.checkin_lookup = codes.lookup_for(secret_key, codes.code_for(secret_key,
                                                                       event.checkin_salt))


def plan_shared_event(user: User, details: SharedEventDetails, secret_key: str) -> SharedEvent:
    """A new shared event and each invited school's planned encounter, in one transaction."""
    user_id = user.id
    with write_transaction():
        schools = _check(user, details)
        event = SharedEvent(created_by_id=user_id)
        _describe(event, details)
        _new_code(event, secret_key)
        db.session.add(event)
        db.session.flush()
        _sync(event, schools, user_id)
    return event


def update_shared_event(user: User, event: SharedEvent, details: SharedEventDetails) -> None:
    """The planner's change, copied onto every school's encounter in the same transaction."""
    user_id = user.id
    with write_transaction():
        schools = _check(user, details)
        _describe(event, details)
        event.updated_at = utcnow()
        _sync(event, schools, user_id)


def new_code(event: SharedEvent, secret_key: str) -> None:
    """A fresh check-in code: the old one stops working."""
    with write_transaction():
        _new_code(event, secret_key)


def cancel_shared_event(event: SharedEvent) -> None:
    """Cancelled: every school's still-planned encounter leaves calendars and records.
    A school that has already taken its register keeps what happened."""
    with write_transaction():
        event.cancelled_at = utcnow()
        for encounter in _school_encounters(event).values():
            if encounter.planned and encounter.deleted_at is None:
                encounter.deleted_at = utcnow()


# Reading --------------------------------------------------------------------------------------

def school_encounter(event: SharedEvent, school_id: int) -> Encounter | None:
    """This school's own encounter for the event (its register)."""
    return db.session.scalar(select(Encounter).where(
        Encounter.shared_event_id == event.id, Encounter.school_id == school_id,
        Encounter.deleted_at.is_(None)))


@dataclass
class SchoolAttendance:
    """One school's numbers at the event: never its pupils' names."""

    school_id: int
    school_name: str
    checked_in: int
    on_register: int
    register_taken: bool


def attendance(event: SharedEvent) -> list[SchoolAttendance]:
    """Each invited school's numbers, in two aggregate queries."""
    counts = dict(db.session.execute(
        select(Encounter.school_id, func.count(Participation.id))
        .outerjoin(Participation, Participation.encounter_id == Encounter.id)
        .where(Encounter.shared_event_id == event.id, Encounter.deleted_at.is_(None))
        .group_by(Encounter.school_id)).all())
    taken = set(db.session.scalars(select(Encounter.school_id).where(
        Encounter.shared_event_id == event.id, Encounter.deleted_at.is_(None),
        Encounter.planned.is_(False))))
    checked = dict(db.session.execute(
        select(SharedEventCheckin.school_id, func.count()).where(
            SharedEventCheckin.shared_event_id == event.id)
        .group_by(SharedEventCheckin.school_id)).all())
    schools = db.session.execute(select(School.id, School.name).where(
        School.id.in_(event.school_ids)).order_by(School.name)).all()
    return [SchoolAttendance(sid, name, checked.get(sid, 0), counts.get(sid, 0), sid in taken)
            for sid, name in schools]


def group_schools(groups: list[SchoolGroup]) -> list[tuple[int, str]]:
    """(id, name) of every school in these groups, for the planning form."""
    ids = select(SchoolGroupMember.school_id).where(
        SchoolGroupMember.group_id.in_([g.id for g in groups]))
    return list(db.session.execute(select(School.id, School.name).where(School.id.in_(ids))
                                   .order_by(School.name)).all())

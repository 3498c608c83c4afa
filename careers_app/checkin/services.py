"""A pupil's self check-in at a shared event, with the code staff show on screen.

- The code works only for an invited pupil (their school and year group invited, on roll on
  the day), only on the event's day (Europe/London), and once per pupil: a second check-in
  says so and writes nothing.
- Checking in puts the pupil on their own school's register for the event (a Participation
  on the school's planned encounter) and records the check-in. It does NOT take the
  register: the encounter stays planned, counting towards no benchmark, until the school's
  staff confirm the register on the existing register page, where checked-in pupils come
  ticked and staff can untick or add anyone. So a code passed to a friend at home cannot,
  on its own, give anyone a benchmark. The pupil is told exactly that.
- Once a school has taken its register, a check-in is still recorded but adds nobody to it
  (the register is the staff's): the pupil is asked to tell their teacher.
- Wrong codes are throttled in the database, per pupil and per address (the address as the
  login throttle counts it), in the same transaction that checks the code, serialised like
  the login throttle's reservations, so a burst of guesses from several workers cannot race
  past the limit. Refusals that are not guesses (wrong day, not invited) are not counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select

from ..auth.throttle import address_key, advisory_lock
from ..database import write_transaction
from ..domain.academic import academic_year_of
from ..domain.dates import format_date
from ..extensions import db
from ..models import Encounter, Participation, Pupil
from ..models.base import utcnow
from ..models.shared import CheckinAttempt, SharedEvent, SharedEventCheckin
from ..pupils.services import on_roll
from ..shared_events import codes

WINDOW = timedelta(minutes=15)
MAX_PUPIL_FAILURES = 5
# A school's wifi puts a hall full of phones behind one address: generous, but a limit.
MAX_ADDRESS_FAILURES = 60

WRONG_CODE = "That code is not right. Check the code on the screen and try again."
TOO_MANY = "Too many wrong codes. Wait 15 minutes, then try again, or ask a teacher."
NOT_INVITED = ("This event is not for you: your school or your year group is not invited. "
               "Ask a teacher if you think it should be.")


@dataclass(frozen=True)
class Outcome:
    """What happened: "checked_in", "already" or "refused", and what to tell the pupil."""

    status: str
    message: str


def _failures(since, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(CheckinAttempt).where(
        CheckinAttempt.at >= since, *conditions)) or 0


def _throttled(pupil_id: int, address: str) -> bool:
    since = utcnow() - WINDOW
    return (_failures(since, CheckinAttempt.pupil_id == pupil_id) >= MAX_PUPIL_FAILURES
            or _failures(since, CheckinAttempt.ip == address) >= MAX_ADDRESS_FAILURES)


def _note_failure(school_id: int, pupil_id: int, address: str) -> None:
    db.session.add(CheckinAttempt(school_id=school_id, pupil_id=pupil_id, ip=address))
    db.session.execute(delete(CheckinAttempt).where(CheckinAttempt.at < utcnow() - 2 * WINDOW))


def _invited(pupil: Pupil, event: SharedEvent) -> bool:
    if pupil.school_id not in event.school_ids:
        return False
    if pupil.year_group_in(academic_year_of(event.date)) not in event.year_group_list:
        return False
    if pupil.joined_on is not None and pupil.joined_on > event.date:
        return False
    return db.session.scalar(select(func.count()).select_from(Pupil).where(
        Pupil.id == pupil.id, on_roll(event.date))) == 1


def _own_encounter(event: SharedEvent, school_id: int) -> Encounter | None:
    return db.session.scalar(select(Encounter).where(
        Encounter.shared_event_id == event.id, Encounter.school_id == school_id,
        Encounter.deleted_at.is_(None)))


def _record(pupil: Pupil, event: SharedEvent, encounter: Encounter) -> Outcome:
    db.session.add(SharedEventCheckin(school_id=pupil.school_id, shared_event_id=event.id,
                                      pupil_id=pupil.id))
    if not encounter.planned:
        return Outcome("checked_in", f"You’re checked in to “{event.title}”. Your teacher has "
                       "already taken the register, so tell them you are here.")
    listed = db.session.scalar(select(func.count()).select_from(Participation).where(
        Participation.encounter_id == encounter.id, Participation.pupil_id == pupil.id))
    if not listed:
        db.session.add(Participation(school_id=pupil.school_id, encounter_id=encounter.id,
                                     pupil_id=pupil.id, tutor_group=pupil.tutor_group))
    return Outcome("checked_in", f"You’re checked in to “{event.title}”. Your teacher will "
                   "check the register, and then it goes on your record.")


def check_in(pupil: Pupil, typed: str, ip: str, secret_key: str, today: date) -> Outcome:
    """Check the pupil in with the code they typed, or say plainly why not."""
    address = address_key(ip)
    code = codes.normalise(typed)
    with write_transaction():
        advisory_lock(f"checkin-pupil:{pupil.id}", f"checkin-address:{address}")
        if _throttled(pupil.id, address):
            return Outcome("refused", TOO_MANY)
        event = db.session.scalar(select(SharedEvent).where(
            SharedEvent.checkin_lookup == codes.lookup_for(secret_key, code))) if code else None
        if event is None or event.cancelled_at is not None:
            _note_failure(pupil.school_id, pupil.id, address)
            return Outcome("refused", WRONG_CODE)
        if event.date != today:
            return Outcome("refused", f"That code is for “{event.title}” on "
                           f"{format_date(event.date)}. It only works on that day.")
        encounter = _own_encounter(event, pupil.school_id)
        if encounter is None or not _invited(pupil, event):
            return Outcome("refused", NOT_INVITED)
        if db.session.scalar(select(func.count()).select_from(SharedEventCheckin).where(
                SharedEventCheckin.shared_event_id == event.id,
                SharedEventCheckin.pupil_id == pupil.id)):
            return Outcome("already", f"You’re already checked in to “{event.title}”.")
        return _record(pupil, event, encounter)


@dataclass(frozen=True)
class MyEvent:
    title: str
    date: date
    start: str
    location: str
    checked_in: bool
    confirmed: bool


def my_events(pupil: Pupil, today: date) -> list[MyEvent]:
    """The pupil's school's shared events from today on, each with where the pupil stands:
    checked in (waiting for the register) or on the confirmed register."""
    rows = db.session.execute(
        select(Encounter, SharedEventCheckin.id, Participation.id)
        .outerjoin(SharedEventCheckin, (SharedEventCheckin.shared_event_id
                                        == Encounter.shared_event_id)
                   & (SharedEventCheckin.pupil_id == pupil.id))
        .outerjoin(Participation, (Participation.encounter_id == Encounter.id)
                   & (Participation.pupil_id == pupil.id))
        .where(Encounter.school_id == pupil.school_id, Encounter.shared_event_id.is_not(None),
               Encounter.deleted_at.is_(None), Encounter.date >= today,
               Encounter.date <= today + timedelta(days=31))
        .order_by(Encounter.date, Encounter.start_time)).all()
    year_groups = {e.id: {int(g[3:]) for g in e.invited_groups.splitlines() if g[3:].isdigit()}
                   for e, _c, _p in rows}
    mine = [(e, c, p) for e, c, p in rows
            if pupil.year_group_in(e.academic_year) in year_groups[e.id]]
    return [MyEvent(e.title, e.date, e.start_time.strftime("%H:%M") if e.start_time else "",
                    e.location, c is not None, p is not None and not e.planned)
            for e, c, p in mine]

"""The employer's feedback by a one-time link, with no login.

A link carries 256 random bits; only their SHA-256 is stored (as for calendar links), so a
leaked backup cannot be turned back into working links. A link works once and for 30 days,
and opens one placement, showing the employer only the pupil's first name and the dates.
Every failure (malformed, unknown, used, expired, cancelled placement) looks the same: 404.

Guessing is throttled per address in the database, so the limit holds across every worker:
after MAX_FAILURES bad links in WINDOW, that address gets 429 for every link, good or bad.
Reading a link (GET, HEAD) never writes anything; only a submission is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import delete, func, insert, select

from ..database import write_transaction
from ..domain.dates import format_date, format_datetime
from ..domain.placements import Status
from ..extensions import db
from ..models import School
from ..models.base import utcnow
from ..models.placement import FeedbackAttempt, Placement, PlacementFeedback, PlacementFeedbackLink
from ..tokens import TOKEN_RE, hash_token, new_token
from .records import sync_benchmark_record

LINK_LIFETIME = timedelta(days=30)
WINDOW = timedelta(minutes=15)
MAX_FAILURES = 10
# An employer's answers are short: anything bigger than this is not a real form.
MAX_BODY_BYTES = 24 * 1024

ATTENDANCE = (("every_day", "Attended every day"), ("most_days", "Missed a day"),
              ("some_days", "Missed two days or more"))
PUNCTUALITY = (("always", "Always on time"), ("mostly", "Usually on time"),
               ("rarely", "Often late"))
TASK_OUTCOMES = (("very_well", "Very well"), ("well", "Well"), ("partly", "Partly"),
                 ("not_well", "Not well"))
SKILLS = (("communication", "Communication"), ("teamwork", "Teamwork"),
          ("problem_solving", "Problem solving"), ("reliability", "Reliability"),
          ("initiative", "Using initiative"), ("customer_care", "Customer care"),
          ("digital", "Digital skills"), ("creativity", "Creativity"))
LABELS = {key: dict(pairs) for key, pairs in (("attendance", ATTENDANCE),
                                              ("punctuality", PUNCTUALITY),
                                              ("task_outcome", TASK_OUTCOMES),
                                              ("skills", SKILLS))}


def answer_label(kind: str, value: str) -> str:
    return LABELS.get(kind, {}).get(value, value)


class LinkUnavailable(Exception):
    """The placement cannot take feedback (cancelled, or not under way yet)."""


def can_have_link(placement: Placement, as_of: date) -> bool:
    """A link is for a placement with an employer that has started and is not cancelled."""
    return (placement.organisation_id is not None and placement.start_on <= as_of
            and placement.status not in (Status.SEEKING.value, Status.CANCELLED.value))


def create_link(placement: Placement, user_id: int | None, as_of: date,
                now: datetime | None = None) -> tuple[PlacementFeedbackLink, str]:
    """A fresh link for the placement's employer; any earlier unused link stops working."""
    if not can_have_link(placement, as_of):
        raise LinkUnavailable("A feedback link can be made once the placement has an employer "
                              "and has started.")
    now = now or utcnow()
    token, digest = new_token()
    with write_transaction():
        db.session.execute(delete(PlacementFeedbackLink).where(
            PlacementFeedbackLink.placement_id == placement.id,
            PlacementFeedbackLink.used_at.is_(None)))
        link = PlacementFeedbackLink(school_id=placement.school_id, placement_id=placement.id,
                                     token_hash=digest, created_by_id=user_id, created_at=now,
                                     expires_at=now + LINK_LIFETIME)
        db.session.add(link)
    return link, token


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def link_state(link: PlacementFeedbackLink, now: datetime | None = None) -> str:
    if link.used_at is not None:
        return f"used {format_datetime(link.used_at)}"
    if _aware(link.expires_at) <= (now or utcnow()):
        return "expired"
    return f"works until {format_date(link.expires_at)}"


def links_of(placement: Placement) -> list[tuple[PlacementFeedbackLink, str]]:
    """The placement's links, newest first, each with what has become of it."""
    links = db.session.scalars(select(PlacementFeedbackLink).where(
        PlacementFeedbackLink.placement_id == placement.id)
        .order_by(PlacementFeedbackLink.created_at.desc())).all()
    return [(link, link_state(link)) for link in links]


@dataclass(frozen=True)
class OpenLink:
    """What a good link shows: the pupil's first name, the dates, and the school."""

    link_id: int
    placement_id: int
    first_name: str
    start_on: date
    end_on: date
    school_name: str


def find_link(token: str, now: datetime | None = None) -> OpenLink | None:
    """The placement a link opens, or None for any link that must not work. Reads only."""
    if not TOKEN_RE.match(token or ""):
        return None
    now = _aware(now or utcnow())
    row = db.session.execute(
        select(PlacementFeedbackLink, Placement, School.name)
        .join(Placement, Placement.id == PlacementFeedbackLink.placement_id)
        .join(School, School.id == Placement.school_id)
        .where(PlacementFeedbackLink.token_hash == hash_token(token))).first()
    if row is None:
        return None
    link, placement, school_name = row
    if (link.used_at is not None or _aware(link.expires_at) <= now
            or link.school_id != placement.school_id
            or placement.status == Status.CANCELLED.value or placement.feedback is not None):
        return None
    return OpenLink(link.id, placement.id, placement.pupil.forename, placement.start_on,
                    placement.end_on, school_name)


# Throttle ------------------------------------------------------------------------------------

def refused(ip: str, now: datetime | None = None) -> bool:
    """Has this address had too many bad links lately? Reads only."""
    since = (now or utcnow()) - WINDOW
    failures = db.session.scalar(select(func.count()).where(
        FeedbackAttempt.ip == ip[:64], FeedbackAttempt.at >= since,
        FeedbackAttempt.succeeded.is_(False)))
    return failures >= MAX_FAILURES


def note_failure(ip: str, now: datetime | None = None) -> None:
    """Record a bad link from this address (its own transaction); prune old rows."""
    now = now or utcnow()
    with write_transaction():
        # Core statements: bookkeeping, not a change anyone needs in the audit log.
        db.session.execute(insert(FeedbackAttempt).values(ip=ip[:64], succeeded=False, at=now))
        db.session.execute(delete(FeedbackAttempt).where(FeedbackAttempt.at < now - 2 * WINDOW))


@dataclass
class Answers:
    attendance: str
    punctuality: str
    task: str
    task_outcome: str
    skills: list[str]
    comment: str


def submit(token: str, answers: Answers, as_of: date, now: datetime | None = None) -> bool:
    """Store the employer's answers and use up the link, in one transaction.

    False when the link does not work (the caller answers 404, as for a bad link). Two
    submissions racing each other: the second finds the link used, or trips over the unique
    feedback row, and writes nothing.
    """
    now = now or utcnow()
    with write_transaction():
        link = db.session.scalar(select(PlacementFeedbackLink).where(
            PlacementFeedbackLink.token_hash == hash_token(token))
            .with_for_update())
        found = find_link(token, now) if link is not None else None
        if found is None:
            return False
        placement = db.session.get(Placement, found.placement_id)
        link.used_at = now
        placement.feedback = PlacementFeedback(
            school_id=placement.school_id, placement_id=placement.id,
            attendance=answers.attendance, punctuality=answers.punctuality,
            task=answers.task.strip().replace("\r\n", "\n"), task_outcome=answers.task_outcome,
            skills=[s for s, _label in SKILLS if s in set(answers.skills)],
            comment=answers.comment.strip().replace("\r\n", "\n"), submitted_at=now)
        placement.updated_at = now
        db.session.flush()
        sync_benchmark_record(placement.pupil_id, placement.school_id, as_of, None)
    return True

"""Calendar subscription tokens and the feeds they open.

A token (tokens.py) is 256 random bits shown once; the database keeps only its SHA-256, so a leaked
backup cannot be turned back into working links. A feed's ETag and Last-Modified come from
one small query (the plans' feed version, or the newest change to a planned event), so a
calendar client that polls with If-None-Match gets its 304 without the feed being rendered.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from threading import Lock

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import lazyload

from ..database import write_transaction
from ..domain.benchmarks import kind_label
from ..domain.errors import InputError
from ..extensions import db
from ..models import Encounter, Organisation, School, User
from ..models.base import utcnow
from ..models.calendar import CalendarToken, FeedScope, PlanFeedVersion
from ..models.group import SchoolGroupMember
from ..models.plans import ActionPlan, Milestone, PlanItem
from ..pupils.services import parse_group
from ..tokens import TOKEN_RE, hash_token, new_token
from . import placement_feed
from .ical import FeedEvent, as_utc, build_feed

# Bump when the feed's layout changes, so every ETag changes with it.
FEED_FORMAT = "2"
# Writing "last used" on every poll would make each feed request a write; once in a while is enough.
LAST_USED_RESOLUTION = timedelta(minutes=15)
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


# The one InputError (domain/errors.py); the old name is what the views catch.
TokenInputError = InputError


def plans_for_school(school_id: int) -> list[ActionPlan]:
    """The school's own plans (a group's plan is subscribed to as "My trust's milestones")."""
    return list(db.session.scalars(select(ActionPlan).where(ActionPlan.school_id == school_id,
                                                            ActionPlan.group_id.is_(None))
                                   .order_by(ActionPlan.title, ActionPlan.id)))


def _school_groups(school_id: int):
    """SQL: the ids of the groups the school belongs to."""
    return select(SchoolGroupMember.group_id).where(SchoolGroupMember.school_id == school_id)


def tokens_of(user: User) -> list[CalendarToken]:
    return list(db.session.scalars(
        select(CalendarToken).where(CalendarToken.user_id == user.id,
                                    CalendarToken.school_id == user.school_id)
        .order_by(CalendarToken.created_at, CalendarToken.id)))


def get_own_token(user: User, token_id: int) -> CalendarToken | None:
    return db.session.scalar(select(CalendarToken).where(
        CalendarToken.id == token_id, CalendarToken.user_id == user.id,
        CalendarToken.school_id == user.school_id))


def create_token(user: User, scope: str, plan_id: int | None,
                 with_events: bool = False) -> tuple[CalendarToken, str]:
    """A new subscription link for `user`; returns the row and the token (shown once).

    A milestone link (all, mine, one plan) `with_events` carries the planned events too."""
    try:
        scope = FeedScope(scope)
    except ValueError:
        raise InputError("scope", "Choose what the calendar shows.") from None
    with write_transaction():
        if scope == FeedScope.PLAN:
            plan = db.session.scalar(select(ActionPlan).where(
                ActionPlan.id == (plan_id or 0), ActionPlan.school_id == user.school_id,
                ActionPlan.group_id.is_(None)))
            if plan is None:
                raise InputError("plan_id", "Choose the plan this calendar shows.")
            plan_id = plan.id
        else:
            if scope == FeedScope.TRUST and db.session.scalar(
                    _school_groups(user.school_id).limit(1)) is None:
                raise InputError("scope", "Your school is not in a trust or partnership yet.")
            plan_id = None
        token, digest = new_token()
        row = CalendarToken(school_id=user.school_id, user_id=user.id, scope=scope.value,
                            plan_id=plan_id, token_hash=digest,
                            with_events=bool(with_events) and scope != FeedScope.EVENTS)
        db.session.add(row)
    return row, token


def regenerate_token(row: CalendarToken) -> str:
    """Replace the link's token: the old address stops working at once."""
    with write_transaction():
        token, digest = new_token()
        row.token_hash = digest
        row.created_at = utcnow()
        row.last_used_at = None
    return token


def revoke_token(row: CalendarToken) -> None:
    with write_transaction():
        db.session.execute(delete(CalendarToken).where(CalendarToken.id == row.id))


# Feeds -----------------------------------------------------------------------------------

@dataclass
class Feed:
    """What a valid token opens, with the validators for conditional requests."""

    token: CalendarToken
    user: User
    name: str
    etag: str
    last_modified: datetime


def find_feed(token: str) -> Feed | None:
    """The feed a token opens, or None for a malformed, unknown or revoked token, or one
    whose owner is disabled or no longer staff (all of which the caller answers with 404)."""
    if not TOKEN_RE.match(token or ""):
        return None
    row = db.session.execute(
        select(CalendarToken, User, School.name)
        .join(User, User.id == CalendarToken.user_id)
        .join(School, School.id == CalendarToken.school_id)
        .where(CalendarToken.token_hash == hash_token(token))).first()
    if row is None:
        return None
    token_row, user, school_name = row
    if not user.active or not user.is_staff or user.school_id != token_row.school_id:
        return None
    scope = FeedScope(token_row.scope)
    if scope == FeedScope.EVENTS:
        name = f"{school_name}: careers events"
        count, changed = _events_state(token_row.school_id)
        parts = (scope.value, count, changed.isoformat())
    elif scope == FeedScope.PLACEMENTS:  # work experience (issue 16): no pupil names
        name = f"{school_name}: work experience"
        count, changed = placement_feed.calendar_state(token_row.school_id)
        parts = (scope.value, count, changed.isoformat())
    else:
        if scope == FeedScope.PLAN:
            plan = token_row.plan
            if plan is None:
                return None
            name = f"{plan.title} {plan.period}".strip()
        elif scope == FeedScope.MINE:
            name = f"My careers milestones ({user.display_name})"
        elif scope == FeedScope.TRUST:
            name = f"{school_name}: trust and partnership milestones"
        else:
            name = f"{school_name}: careers milestones"
        version, changed = (_trust_state(token_row.school_id) if scope == FeedScope.TRUST
                            else _plans_state(token_row.school_id))
        parts = (scope.value, token_row.plan_id, user.id if scope == FeedScope.MINE else None,
                 version, changed.isoformat())
        if token_row.with_events:
            name += " and events"
            count, events_changed = _events_state(token_row.school_id)
            parts += ("events", count, events_changed.isoformat())
            changed = max(changed, events_changed)
    digest = hashlib.sha256(repr((FEED_FORMAT, name, *parts)).encode()).hexdigest()[:32]
    return Feed(token=token_row, user=user, name=name, etag=digest,
                last_modified=changed.replace(microsecond=0))


def _plans_state(school_id: int) -> tuple[int, datetime]:
    state = db.session.get(PlanFeedVersion, school_id)
    return (state.version, as_utc(state.changed_at)) if state else (0, EPOCH)


def _trust_state(school_id: int) -> tuple[tuple, datetime]:
    """The feed versions of the schools that host the plans of the school's groups: any
    write to a group plan moves its host's version on (models.calendar)."""
    hosts = select(ActionPlan.school_id).where(ActionPlan.group_id.in_(_school_groups(school_id)))
    rows = db.session.execute(select(PlanFeedVersion.school_id, PlanFeedVersion.version,
                                     PlanFeedVersion.changed_at)
                              .where(PlanFeedVersion.school_id.in_(hosts))
                              .order_by(PlanFeedVersion.school_id)).all()
    changed = max((as_utc(row.changed_at) for row in rows), default=EPOCH)
    return tuple((row.school_id, row.version) for row in rows), changed


def _events_state(school_id: int) -> tuple[int, datetime]:
    """(how many planned events, when one last changed): what an events feed's ETag needs."""
    count, newest = db.session.execute(
        select(func.count(Encounter.id).filter(Encounter.deleted_at.is_(None)),
               func.max(Encounter.updated_at))
        .where(Encounter.school_id == school_id, _is_calendar_event())).one()
    return count, as_utc(newest) if newest else EPOCH


def note_use(feed: Feed, now: datetime | None = None) -> None:
    """Record when the link was last used (to the nearest quarter of an hour or so)."""
    now = now or utcnow()
    last = feed.token.last_used_at
    if last is not None and now - as_utc(last) < LAST_USED_RESOLUTION:
        return
    with write_transaction():
        db.session.execute(update(CalendarToken).where(CalendarToken.id == feed.token.id)
                           .values(last_used_at=now))


def _is_calendar_event():
    """Encounters that belong in a calendar: planned ahead, or given a time slot."""
    return or_(Encounter.planned.is_(True), Encounter.start_time.is_not(None))


_BODIES: OrderedDict[str, bytes] = OrderedDict()
_BODIES_LOCK = Lock()
BODY_CACHE_SIZE = 64


def render_feed(feed: Feed) -> bytes:
    """The feed's bytes; a body already rendered for this ETag is served again as it is."""
    with _BODIES_LOCK:
        body = _BODIES.get(feed.etag)
        if body is not None:
            _BODIES.move_to_end(feed.etag)
            return body
    body = render_feed_uncached(feed)
    with _BODIES_LOCK:
        _BODIES[feed.etag] = body
        while len(_BODIES) > BODY_CACHE_SIZE:
            _BODIES.popitem(last=False)
    return body


def render_feed_uncached(feed: Feed) -> bytes:
    scope = FeedScope(feed.token.scope)
    if scope == FeedScope.EVENTS:
        events = event_feed_events(feed.token.school_id)
    elif scope == FeedScope.PLACEMENTS:
        events = placement_feed.calendar_events(feed.token.school_id)
    else:
        events = milestone_feed_events(
            feed.token.school_id,
            plan_id=feed.token.plan_id if scope == FeedScope.PLAN else None,
            lead_user_id=feed.user.id if scope == FeedScope.MINE else None,
            trust=scope == FeedScope.TRUST)
        if feed.token.with_events:
            events += event_feed_events(feed.token.school_id)
    return build_feed(feed.name, events)


def milestone_feed_events(school_id: int, *, plan_id: int | None = None,
                          lead_user_id: int | None = None, trust: bool = False) -> list[FeedEvent]:
    """Milestones as calendar events: one query of plain columns, no pupil data (plans hold
    none). The school's own plans, or (`trust`) the plans of the groups it belongs to."""
    if trust:
        mine = ActionPlan.group_id.in_(_school_groups(school_id))
    else:
        mine = and_(Milestone.school_id == school_id, ActionPlan.group_id.is_(None))
    query = (select(Milestone.uid, Milestone.title, Milestone.date, Milestone.start_time,
                    Milestone.end_time, Milestone.done, Milestone.sequence, Milestone.created_at,
                    Milestone.updated_at, PlanItem.benchmark, PlanItem.aim, PlanItem.lead_name,
                    ActionPlan.title, ActionPlan.period, User.display_name)
             .join(PlanItem, PlanItem.id == Milestone.item_id)
             .join(ActionPlan, ActionPlan.id == PlanItem.plan_id)
             .outerjoin(User, User.id == PlanItem.lead_user_id)
             .where(mine)
             .order_by(Milestone.date, Milestone.start_time, Milestone.id))
    if plan_id is not None:
        query = query.where(ActionPlan.id == plan_id)
    if lead_user_id is not None:
        query = query.where(PlanItem.lead_user_id == lead_user_id)
    events = []
    headings: dict[tuple, str] = {}
    for (uid, title, day, start, end, done, sequence, created, updated, benchmark, aim,
         lead_name, plan_title, period, lead_user_name) in db.session.execute(query):
        heading = headings.get((benchmark, aim))
        if heading is None:
            heading = headings[(benchmark, aim)] = PlanItem(benchmark=benchmark, aim=aim).heading
        lead = lead_user_name or lead_name
        lines = [f"Action plan: {plan_title}" + (f" ({period})" if period else ""), heading]
        if lead:
            lines.append(f"Lead: {lead}")
        if done:
            lines.append("Done.")
        timed = start is not None and end is not None
        events.append(FeedEvent(
            uid=uid, summary=("✓ " if done else "") + title, day=day,
            start_time=start if timed else None, end_time=end if timed else None,
            sequence=sequence, created=as_utc(created), last_modified=as_utc(updated),
            description="\n".join(lines), categories=("Careers action plan",)))
    return events


def event_uid(encounter_id: int) -> str:
    return f"encounter-{encounter_id}@careers-tracker"


def event_feed_events(school_id: int) -> list[FeedEvent]:
    """Planned events (and events that were planned and have happened). Titles, places and
    the groups invited: never a pupil's name, flags or the staff notes."""
    rows = db.session.execute(
        select(Encounter, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
        .where(Encounter.school_id == school_id, Encounter.deleted_at.is_(None),
               _is_calendar_event())
        .order_by(Encounter.date, Encounter.start_time, Encounter.id)
        .options(lazyload("*"))).all()
    events = []
    for encounter, organisation_name in rows:
        lines = [kind_label(encounter.kind)]
        if organisation_name:
            lines.append(f"With: {organisation_name}")
        groups = [g.label for g in map(parse_group, (encounter.invited_groups or "").splitlines()) if g]
        if groups:
            lines.append("Invited: " + ", ".join(groups))
        lines.append("Planned." if encounter.planned else "Register taken.")
        timed = encounter.start_time is not None and encounter.end_time is not None
        events.append(FeedEvent(
            uid=event_uid(encounter.id),
            summary=encounter.title,
            day=encounter.date,
            start_time=encounter.start_time if timed else None,
            end_time=encounter.end_time if timed else None,
            sequence=encounter.sequence,
            created=as_utc(encounter.created_at),
            last_modified=as_utc(encounter.updated_at),
            description="\n".join(lines),
            location=encounter.location or "",
            categories=("Careers event",),
        ))
    return events

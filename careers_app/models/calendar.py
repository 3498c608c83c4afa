"""Calendar subscriptions: the tokens staff subscribe with, and the per-school version of the
action plans that milestone feeds cache on."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .base import SchoolOwned, utcnow
from .plans import ActionPlan, Milestone, PlanItem
from .user import User


class FeedScope(StrEnum):
    """What a calendar subscription shows."""

    ALL = "all"        # every milestone of the school's own plans
    MINE = "mine"      # milestones of items I lead
    PLAN = "plan"      # one plan's milestones
    EVENTS = "events"  # planned events (encounters with a time slot)
    PLACEMENTS = "placements"  # work experience placements, by employer (no pupil names)
    TRUST = "trust"    # milestones of the plans of the school's trusts and partnerships


FEED_SCOPE_LABELS = {
    FeedScope.ALL: "All school milestones",
    FeedScope.MINE: "My milestones",
    FeedScope.PLAN: "One plan",
    FeedScope.EVENTS: "Planned events",
    FeedScope.PLACEMENTS: "Work experience",
    FeedScope.TRUST: "My trust's milestones",
}


class CalendarToken(SchoolOwned, db.Model):
    """A staff member's iCalendar subscription link. Only the SHA-256 of the token is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"),
                                                index=True)
    # A milestone link (all, mine, one plan) may carry the planned events too.
    with_events: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")
    plan: Mapped[ActionPlan | None] = relationship()

    @property
    def scope_label(self) -> str:
        label = FEED_SCOPE_LABELS[FeedScope(self.scope)]
        if self.scope == FeedScope.PLAN and self.plan is not None:
            label = f"{label}: {self.plan.title}"
        if self.with_events:
            label += ", with planned events"
        return label


class PlanFeedVersion(db.Model):
    """Goes up with every write to a school's plans, so a milestone feed's ETag and
    Last-Modified are one row away, and deletions change them too."""

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"),
                                           primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


_PLAN_MODELS = (ActionPlan, PlanItem, Milestone)


def _bump_feed_versions(session: Session, school_ids: set[int]) -> None:
    table = PlanFeedVersion.__table__
    connection = session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    for school_id in sorted(school_ids):
        statement = insert(table).values(school_id=school_id, version=1, changed_at=now)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c.school_id],
            set_={"version": table.c.version + 1, "changed_at": now}))


@event.listens_for(Session, "before_flush")
def _plans_changed(session: Session, _context, _instances) -> None:
    """Any write to a plan, item or milestone moves the school's feed version on, in the same
    transaction, whichever code made it (views, the CSV import, the CLI, tests)."""
    school_ids = {obj.school_id for group in (session.new, session.dirty, session.deleted)
                  for obj in group if isinstance(obj, _PLAN_MODELS) and obj.school_id}
    if school_ids:
        _bump_feed_versions(session, school_ids)

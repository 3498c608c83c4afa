"""Careers action plans: plan -> items (aim or benchmark, actions, lead) -> milestones."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer,
                        String, Text, Time, event, inspect)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.benchmarks import BY_NUMBER
from ..extensions import db
from .base import SchoolOwned, utcnow
from .user import User


class Rag(StrEnum):
    """Red / amber / green, or not rated yet."""

    NONE = ""
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


RAG_LABELS = {Rag.NONE: "Not rated", Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}


class ActionPlan(SchoolOwned, db.Model):
    """A careers action plan, e.g. "Careers action plan 2025-2027".

    A plan with a `group_id` belongs to a trust or partnership (issue 15): its leads keep it,
    and staff of every member school read it. Its `school_id` (and its items' and
    milestones') is the host school, the home school of the lead who made it, so every
    plan row still carries a school; no school page lists a group plan as its own.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_group.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(40), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    owner: Mapped[User | None] = relationship(lazy="joined")
    group: Mapped["SchoolGroup | None"] = relationship(lazy="joined")  # noqa: F821
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: (PlanItem.position, PlanItem.id))

    def __repr__(self) -> str:
        return f"<ActionPlan {self.id} {self.title!r}>"


class PlanItem(SchoolOwned, db.Model):
    """One aim or benchmark of a plan: actions, lead, resources, success criteria, status."""

    __table_args__ = (
        CheckConstraint("benchmark IS NULL OR benchmark BETWEEN 1 AND 8", name="benchmark_range"),
        CheckConstraint("rag IN ('', 'red', 'amber', 'green')", name="rag_values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The heading the item sits under in the school's own document ("Community outreach").
    section: Mapped[str] = mapped_column(String(200), default="")
    benchmark: Mapped[int | None] = mapped_column(Integer)
    aim: Mapped[str] = mapped_column(Text, default="")
    # Where the school is now (a benchmark-by-benchmark plan's "Current provision").
    current_provision: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    # A staff user, or free text for people without an account ("Enterprise Adviser").
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                     index=True)
    lead_name: Mapped[str] = mapped_column(String(120), default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    cost_pence: Mapped[int | None] = mapped_column(Integer)
    success_criteria: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    rag: Mapped[str] = mapped_column(String(5), default="")
    status_note: Mapped[str] = mapped_column(Text, default="")
    status_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="items")
    lead_user: Mapped[User | None] = relationship(lazy="joined")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: (Milestone.date, Milestone.start_time, Milestone.id))

    @property
    def lead_label(self) -> str:
        if self.lead_user is not None:
            return self.lead_user.display_name
        return self.lead_name

    @property
    def heading(self) -> str:
        """"BM5 Encounters with employers and employees", else the aim's first line."""
        if self.benchmark in BY_NUMBER:
            return f"BM{self.benchmark} {BY_NUMBER[self.benchmark].name}"
        first = (self.aim or "").strip().splitlines()
        return first[0] if first else "Untitled aim"

    @property
    def rag_label(self) -> str:
        return RAG_LABELS.get(Rag(self.rag or ""), "Not rated")


class Milestone(SchoolOwned, db.Model):
    """A dated milestone of a plan item; all day, or a date with a start and an end time."""

    __table_args__ = (Index("ix_milestone_school_date", "school_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"),
                                         index=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # iCalendar: the UID never changes; SEQUENCE goes up with every change of what a
    # calendar shows; updated_at is DTSTAMP and LAST-MODIFIED.
    uid: Mapped[str] = mapped_column(String(100), unique=True,
                                     default=lambda: f"{uuid.uuid4()}@careers-tracker")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[PlanItem] = relationship(back_populates="milestones")

    @property
    def timed(self) -> bool:
        return self.start_time is not None and self.end_time is not None

    def bump(self) -> None:
        """Record a change a calendar must pick up (also used when the item or plan changes)."""
        self.sequence = (self.sequence or 0) + 1
        self.updated_at = utcnow()


_MILESTONE_CONTENT = ("title", "date", "start_time", "end_time", "done", "item_id")


@event.listens_for(Milestone, "before_update")
def _bump_changed_milestone(_mapper, _connection, target: Milestone) -> None:
    """Any change to what a feed shows raises SEQUENCE, unless the service already did."""
    state = inspect(target)
    if state.attrs.sequence.history.has_changes():
        return
    if any(state.attrs[name].history.has_changes() for name in _MILESTONE_CONTENT):
        target.bump()

"""Work experience placements (issue 16): planned weeks, placements, the employer's feedback
by a one-time link, and the record of feedback-link attempts that throttles guessing."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.placements import Mode, Status, mode_label, status_label
from ..extensions import db
from .base import SchoolOwned, utcnow
from .encounter import Organisation
from .pupil import Pupil
from .user import User

STATUS_SQL = "(" + ", ".join(f"'{s.value}'" for s in Status) + ")"
MODE_SQL = "(" + ", ".join(f"'{m.value}'" for m in Mode) + ")"


class PlacementWeek(SchoolOwned, db.Model):
    """A planned block of work experience, e.g. "Year 10 work experience, 6-10 July", for a
    year group (kept as its cohort, so it never goes stale) or one tutor group."""

    __table_args__ = (CheckConstraint("end_on >= start_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    cohort: Mapped[int | None] = mapped_column(Integer)
    tutor_group: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    placements: Mapped[list[Placement]] = relationship(back_populates="week",
                                                       passive_deletes=True)

    def __repr__(self) -> str:
        return f"<PlacementWeek {self.id} {self.title!r}>"


class Placement(SchoolOwned, db.Model):
    """One pupil with one employer from a start date to an end date."""

    __table_args__ = (
        CheckConstraint(f"status IN {STATUS_SQL}", name="status_values"),
        CheckConstraint(f"mode IN {MODE_SQL}", name="mode_values"),
        CheckConstraint("end_on >= start_on", name="dates_in_order"),
        UniqueConstraint("week_id", "pupil_id"),
        Index("ix_placement_school_dates", "school_id", "start_on", "end_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    week_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement_week.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    # School days in the range, worked out with the school's holidays on every change.
    school_days: Mapped[int] = mapped_column(Integer, default=0)
    mode: Mapped[str] = mapped_column(String(10), default=Mode.IN_PERSON.value)
    status: Mapped[str] = mapped_column(String(12), default=Status.SEEKING.value)
    status_since: Mapped[date] = mapped_column(Date)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    employer_task: Mapped[str] = mapped_column(Text, default="")
    insurance_seen_on: Mapped[date | None] = mapped_column(Date)
    risk_assessment_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The pupil's evaluation, once the placement is over.
    evaluation_did: Mapped[str] = mapped_column(Text, default="")
    evaluation_learnt: Mapped[str] = mapped_column(Text, default="")
    evaluation_advice: Mapped[str] = mapped_column(Text, default="")
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The workplace-experience encounter that puts a completed placement on the pupil's
    # record and into the Benchmark 6 figures.
    encounter_id: Mapped[int | None] = mapped_column(
        ForeignKey("encounter.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    pupil: Mapped[Pupil] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    week: Mapped[PlacementWeek | None] = relationship(back_populates="placements")
    feedback: Mapped[PlacementFeedback | None] = relationship(
        back_populates="placement", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin", uselist=False)
    created_by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def mode_label(self) -> str:
        return mode_label(self.mode)

    @property
    def evaluated(self) -> bool:
        return self.evaluated_at is not None

    def __repr__(self) -> str:
        return f"<Placement {self.id} pupil={self.pupil_id} {self.status}>"


class PlacementFeedbackLink(SchoolOwned, db.Model):
    """A one-time link for the employer's feedback. Only the SHA-256 of its token is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"),
                                              index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PlacementFeedback(SchoolOwned, db.Model):
    """What the employer said about the placement (one answer per placement)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"),
                                              unique=True)
    attendance: Mapped[str] = mapped_column(String(20))
    punctuality: Mapped[str] = mapped_column(String(20))
    task: Mapped[str] = mapped_column(Text, default="")
    task_outcome: Mapped[str] = mapped_column(String(20))
    skills: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    placement: Mapped[Placement] = relationship(back_populates="feedback")


class FeedbackAttempt(db.Model):
    """One use of a feedback link (good or bad), kept for the throttle window. Like login
    attempts it belongs to an address, not a school: a guessed token names no school."""

    __tablename__ = "feedback_attempt"
    __table_args__ = (Index("ix_feedback_attempt_ip_at", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

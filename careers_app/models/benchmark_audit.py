"""The benchmark audit of practice: one audit per sitting, one answer row per criterion.

An answer keeps, as it stood when it was saved, the criterion's wording, the figure measured
from the data (with its drill-down link) and the rating that figure suggested, so an old
audit reads the same for ever, whatever is logged afterwards.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import SchoolOwned, utcnow
from .user import User

RATINGS_SQL = "('', 'not', 'partial', 'achieved')"


class BenchmarkAudit(SchoolOwned, db.Model):
    """One sitting of the audit, e.g. "Spring term 2026"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    academic_year: Mapped[int] = mapped_column(Integer)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                      index=True)
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("benchmark_audit.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    started_by: Mapped[User | None] = relationship(lazy="joined")
    answers: Mapped[list[BenchmarkAuditAnswer]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: BenchmarkAuditAnswer.id)

    def __repr__(self) -> str:
        return f"<BenchmarkAudit {self.id} {self.title!r}>"


class BenchmarkAuditAnswer(SchoolOwned, db.Model):
    """The answer to one criterion, with the evidence snapshot taken when it was saved."""

    __table_args__ = (
        UniqueConstraint("audit_id", "criterion_key"),
        CheckConstraint("benchmark BETWEEN 1 AND 8", name="benchmark_range"),
        CheckConstraint(f"rating IN {RATINGS_SQL}", name="rating_values"),
        CheckConstraint(f"suggested_rating IN {RATINGS_SQL}", name="suggested_values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("benchmark_audit.id", ondelete="CASCADE"),
                                          index=True)
    criterion_key: Mapped[str] = mapped_column(String(60))
    benchmark: Mapped[int] = mapped_column(Integer)
    criterion_text: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(10), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    # Copied from the previous audit and not yet confirmed: shown, but not counted.
    copied: Mapped[bool] = mapped_column(Boolean, default=False)
    # The snapshot of the measured evidence, as it stood when the answer was saved.
    suggested_rating: Mapped[str] = mapped_column(String(10), default="")
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    measured_met: Mapped[int | None] = mapped_column(Integer)
    measured_total: Mapped[int | None] = mapped_column(Integer)
    measured_percent: Mapped[int | None] = mapped_column(Integer)
    measured_text: Mapped[str] = mapped_column(Text, default="")
    measured_url: Mapped[str] = mapped_column(String(400), default="")
    measured_detail: Mapped[dict | None] = mapped_column(JSON)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                       index=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    audit: Mapped[BenchmarkAudit] = relationship(back_populates="answers")
    answered_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def answered(self) -> bool:
        return bool(self.rating) and self.answered_at is not None and not self.copied

"""Models for the roster feature: MIS imports (and their undo), remembered column and value
mappings, destinations."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import SchoolOwned, utcnow
from .pupil import Pupil


class ImportBatch(SchoolOwned, db.Model):
    """An uploaded MIS export between preview and commit, kept server-side by a random token.

    The decoded cells are stored (not the session cookie), so the mapping screen, the preview
    and the confirm all work on exactly the same file. `applied_at` makes a second confirm a
    no-op.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    encoding: Mapped[str] = mapped_column(String(20), default="utf-8")
    delimiter: Mapped[str] = mapped_column(String(2), default=",")
    headers: Mapped[list] = mapped_column(JSON, default=list)
    # [[line number, [cell, ...]], ...]
    rows: Mapped[list] = mapped_column(JSON, default=list)
    # {field name: column index}
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The counts written, shown again if the import is confirmed twice.
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the careers leader chose on the preview: the last day on roll of the pupils
    # marked as leavers, and (first import) the day pupils without an admission date were
    # on roll from.
    leaving_date: Mapped[date | None] = mapped_column(Date)
    on_roll_from: Mapped[date | None] = mapped_column(Date)
    # What undoing the import restores (roster.undo): the new pupils' ids, the held values of
    # every changed column, the leavers' previous dates and the per-year records replaced.
    # Dropped once the undo window has passed: it holds pupil data.
    undo: Mapped[dict | None] = mapped_column(JSON)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportMapping(SchoolOwned, db.Model):
    """A column heading a school's MIS uses, and the pupil field it was mapped to."""

    __table_args__ = (UniqueConstraint("school_id", "header"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    header: Mapped[str] = mapped_column(String(120))  # normalised heading
    field: Mapped[str] = mapped_column(String(30))  # a pupil field, or "" for "ignore"


class ImportValueMapping(SchoolOwned, db.Model):
    """A value a school's MIS writes in a SEN or flag column ("SEN Support - K", "PP"), and
    the status it means, as the careers leader chose on the value screen."""

    __table_args__ = (UniqueConstraint("school_id", "field", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(String(30))  # send_status, disadvantaged, looked_after
    value: Mapped[str] = mapped_column(String(120))  # normalised (mis_values.normalise_value)
    mapped: Mapped[str] = mapped_column(String(1))  # N/K/E for SEN, Y/N for a flag


class Destination(SchoolOwned, db.Model):
    """Where a leaver is, in each of the three years after leaving (Benchmark 3)."""

    __table_args__ = (
        UniqueConstraint("pupil_id", "year_after"),
        CheckConstraint("year_after BETWEEN 1 AND 3", name="year_after_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    year_after: Mapped[int] = mapped_column(Integer)  # 1, 2 or 3 years after leaving
    status: Mapped[str] = mapped_column(String(20))  # see domain.destinations.STATUSES
    provider: Mapped[str] = mapped_column(String(200), default="")
    checked_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    pupil: Mapped[Pupil] = relationship()

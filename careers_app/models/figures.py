"""The data version behind every cached benchmark figure (issue 14).

Both tables are written only by database triggers (migration 0022), in the same transaction
as the write that changed a figure; the app only reads them. See reports/figure_cache.py.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class FigureVersion(db.Model):
    """A school's data version: raised by every write that can change one of its figures."""

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"),
                                           primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    # Change rows at or below this version have been pruned: a cache this old starts again.
    pruned_to: Mapped[int] = mapped_column(BigInteger)
    # Drawn at random when the row is made: a cache from another life of this id never matches.
    epoch: Mapped[int] = mapped_column(BigInteger)
    # Set only inside the transaction that bulk-loads a new school (reports.figure_cache).
    paused: Mapped[bool] = mapped_column(Boolean, server_default=false())


class FigureChange(db.Model):
    """Which pupil a version touched (None: every pupil, e.g. a rule setting changed)."""

    __table_args__ = (Index("ix_figure_change_school_version", "school_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(BigInteger)
    pupil_id: Mapped[int | None] = mapped_column(Integer)

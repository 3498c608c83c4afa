"""Column helpers shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """Current time in UTC, stored timezone-aware."""
    return datetime.now(timezone.utc)


class SchoolOwned:
    """Mixin for every row that belongs to one school."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(Integer, ForeignKey("school.id", ondelete="CASCADE"), index=True)

"""The audit trail and the login-attempt record used to throttle password guessing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class AuditLog(db.Model):
    """Append-only: who did what, when, from where. Never updated (a trigger enforces it)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_school_at", "school_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null only for events with no school, such as a failed login for an unknown username.
    school_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("school.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(Integer)  # kept even if the user is deleted
    username: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginAttempt(db.Model):
    """One login attempt, kept for the throttle window. Shared by every worker process."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),
                      Index("ix_login_attempt_ip_at", "ip", "at"),
                      Index("ix_login_attempt_device_at", "device", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    trusted_device: Mapped[bool] = mapped_column(Boolean, default=False)
    # The device id of a valid device cookie sent with the attempt: its own failures are
    # counted, wherever the cookie has been copied to.
    device: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

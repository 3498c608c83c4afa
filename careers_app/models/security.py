"""The audit trail and the login-attempt record used to throttle password guessing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from ..extensions import db
from .base import utcnow
from .user import User


class AuditLog(db.Model):
    """Append-only: who did what, when, from where. Triggers refuse every UPDATE and DELETE
    except the retention job's pruning of old entries (migration 0008).

    An entry names an account by `user_id` only, never by its username, so erasing a pupil
    leaves nothing in the log that names them; `username` is looked up when the log is read.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_school_at", "school_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null only for events with no school, such as a failed login for an unknown username.
    school_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("school.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(Integer)  # kept even if the user is deleted
    # Only for an actor that is no account: "(command line)", or the username typed at a
    # login that matched no account. Empty whenever user_id is set.
    actor_label: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Who acted, for reading: the account's current username (gone once it is erased), or
    # the label of an actor that is no account.
    username: Mapped[str] = column_property(func.coalesce(
        select(User.username).where(User.id == user_id).correlate_except(User).scalar_subquery(),
        actor_label))


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

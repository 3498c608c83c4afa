from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import SchoolOwned, utcnow
from .pupil import Pupil


class Role(StrEnum):
    ADMIN = "admin"  # careers leader
    STAFF = "staff"  # tutors and teachers
    PUPIL = "pupil"
    # Leads a trust or partnership: figures across its schools, no pupil-level access
    # (User.school_id is their home school; the role grants nothing there). Issue 15.
    GROUP_LEAD = "group_lead"


STAFF_ROLES = frozenset({Role.ADMIN, Role.STAFF})


class User(SchoolOwned, db.Model):
    """A login. A pupil user links to exactly one Pupil."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    # Room for a pupil's forename and surname (100 characters each) and the space between.
    display_name: Mapped[str] = mapped_column(String(201))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=10,
                                            values_callable=lambda e: [m.value for m in e]))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout and password change: every session cookie issued before is void.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    tutor_group: Mapped[str | None] = mapped_column(String(20))
    pupil_id: Mapped[int | None] = mapped_column(
        ForeignKey("pupil.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    pupil: Mapped[Pupil | None] = relationship()

    # Flask-Login protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The version makes old cookies invalid once the user logs out everywhere.
        return f"{self.id}:{self.session_version}"

    # Roles ----------------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_pupil(self) -> bool:
        return self.role == Role.PUPIL

    @property
    def is_group_lead(self) -> bool:
        """The group-lead role. Staff may lead groups too: see models.group.GroupLead."""
        return self.role == Role.GROUP_LEAD

    @property
    def can_view_sensitive(self) -> bool:
        """SEND, disadvantaged and looked-after flags: staff roles only."""
        return self.is_staff

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

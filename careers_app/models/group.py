"""Trusts and partnerships: groups of schools, and who leads them (issue 15).

A school may belong to several groups (its trust and a local partnership). Leading a group
gives figures across its member schools, never pupil-level access: a group lead sees a
school's pupils only if they are also staff at that school (their own User.school_id).
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, ForeignKey, String, exists
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .school import School
from .user import User


class GroupKind(StrEnum):
    TRUST = "trust"
    PARTNERSHIP = "partnership"


GROUP_KIND_LABELS = {GroupKind.TRUST: "Trust", GroupKind.PARTNERSHIP: "Partnership"}


class SchoolGroup(db.Model):
    """A multi-academy trust or a partnership of schools."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[GroupKind] = mapped_column(Enum(GroupKind, native_enum=False, length=20,
                                                 values_callable=lambda e: [m.value for m in e]))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    schools: Mapped[list[School]] = relationship(secondary="school_group_member",
                                                 order_by="School.name")

    @property
    def kind_label(self) -> str:
        return GROUP_KIND_LABELS[self.kind]

    def __repr__(self) -> str:
        return f"<SchoolGroup {self.name!r}>"


class SchoolGroupMember(db.Model):
    """A school's membership of a group."""

    group_id: Mapped[int] = mapped_column(ForeignKey("school_group.id", ondelete="CASCADE"),
                                          primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)


class GroupLead(db.Model):
    """A user who leads a group: a "group lead" login, or a careers leader who also leads."""

    group_id: Mapped[int] = mapped_column(ForeignKey("school_group.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


# Loaded with the user in the same SELECT (no extra statement per page): whether they lead any
# group, for the navigation and the /trust check. A careers leader may lead a group too.
User.leads_groups = column_property(
    exists().where(GroupLead.user_id == User.id).correlate_except(GroupLead), deferred=False)

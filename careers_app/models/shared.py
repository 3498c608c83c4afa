"""What schools share within a trust or partnership (issue 15): events and organisations.

A **shared event** is hosted by one member school and open to chosen member schools and
year groups. Every invited school (the host too) gets its OWN planned `Encounter` linked to
it (`Encounter.shared_event_id`): each school registers only its own pupils, and its
reports, calendars and benchmarks read that encounter like any other. The shared row holds
only what every school sees alike: what, when, where, who is invited.

A **directory organisation** is the one shared record of an employer or provider: name,
kind, sector, website, contact. Each school keeps its own `Organisation` row linked to it
(the row its encounters point at) with its own private notes.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (Boolean, Date, DateTime, Enum, ForeignKey, Index, String, Time,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from ..domain.benchmarks import EncounterKind, OrganisationKind, kind_label
from ..extensions import db
from .base import SchoolOwned, utcnow


def _enum(cls, length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class DirectoryOrganisation(db.Model):
    """An organisation as the schools of a group know it: one record, shared."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The folded name (organisations.names.name_key): near-duplicates share it.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, 20))
    self_employed: Mapped[bool] = mapped_column(Boolean, default=False)
    sector: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<DirectoryOrganisation {self.name!r}>"


class SharedEvent(SchoolOwned, db.Model):
    """An event hosted by one school of a group (its school_id) and open to some of its
    schools."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("school_group.id", ondelete="CASCADE"),
                                          index=True)
    host_school_id = synonym("school_id")
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EncounterKind] = mapped_column(_enum(EncounterKind, 40))
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    location: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    # Invited year groups, e.g. "9,10" (each school's pupils in them, on roll on the day).
    year_groups: Mapped[str] = mapped_column(String(40))
    # The check-in code is derived from this salt with the app's SECRET_KEY (checkin/codes.py):
    # a database read alone gives no working code. A new salt is a new code.
    checkin_salt: Mapped[str] = mapped_column(String(64))
    checkin_lookup: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    host_school = relationship("School", lazy="joined")
    group = relationship("SchoolGroup", lazy="joined")
    invited: Mapped[list[SharedEventSchool]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def year_group_list(self) -> list[int]:
        return [int(y) for y in self.year_groups.split(",") if y.strip().isdigit()]

    @property
    def school_ids(self) -> set[int]:
        return {row.school_id for row in self.invited}

    def __repr__(self) -> str:
        return f"<SharedEvent {self.id} {self.title!r}>"


class SharedEventSchool(db.Model):
    """A school invited to a shared event (the host is always one)."""

    shared_event_id: Mapped[int] = mapped_column(
        ForeignKey("shared_event.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)


class SharedEventCheckin(SchoolOwned, db.Model):
    """A pupil checked themselves in at a shared event with its code (once each)."""

    __table_args__ = (UniqueConstraint("shared_event_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shared_event_id: Mapped[int] = mapped_column(
        ForeignKey("shared_event.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CheckinAttempt(SchoolOwned, db.Model):
    """A wrong check-in code, kept WINDOW long: the throttle counts these per pupil and
    per address, in the database so the limit holds across every worker."""

    __table_args__ = (Index("ix_checkin_attempt_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"),
                                          index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, Enum, ForeignKey, Index, Integer,
                        String, Text, Time, UniqueConstraint)
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.benchmarks import EncounterKind, OrganisationKind, kind_label
from ..extensions import db
from .base import SchoolOwned, utcnow
from .pupil import Pupil


def _enum(cls, length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Organisation(SchoolOwned, db.Model):
    """An employer or education/training provider a school works with."""

    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, 20))
    self_employed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The shared directory record (models/shared.py) this school's row is; set on insert
    # (organisations/directory.py) and by a merge.
    directory_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organisation.id", ondelete="SET NULL"), index=True)
    # This school's own notes about the organisation: never shown to another school.
    private_notes: Mapped[str] = mapped_column(Text, default="")

    directory = relationship("DirectoryOrganisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


class Encounter(SchoolOwned, db.Model):
    """A careers activity on a date, with the pupils who took part."""

    __table_args__ = (
        # The quick-log form's one-time key: a double submit finds the first encounter.
        UniqueConstraint("school_id", "submission_key"),
        Index("ix_encounter_school_year_date", "school_id", "academic_year", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EncounterKind] = mapped_column(_enum(EncounterKind, 40))
    date: Mapped[date] = mapped_column(Date)
    # Derived from `date` on every write; kept as a column so reports can index on it.
    academic_year: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    meaningful: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # Planned events: a time slot and a place; participations count only once the register
    # has been taken (planned becomes False).
    planned: Mapped[bool] = mapped_column(Boolean, default=False)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    location: Mapped[str] = mapped_column(String(200), default="")
    invited_groups: Mapped[str] = mapped_column(Text, default="")  # group keys, one per line
    # Personal guidance: who gave it, and whether they hold a level 6 qualification.
    adviser_name: Mapped[str] = mapped_column(String(120), default="")
    adviser_level6: Mapped[bool] = mapped_column(Boolean, default=False)
    # Safeguarding-sensitive notes are never shown to the pupil.
    notes_staff_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # iCalendar SEQUENCE for a planned event: goes up on every change of the row.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # This school's copy of a shared event (models/shared.py): the host's edits are synced.
    shared_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("shared_event.id", ondelete="SET NULL"), index=True)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    created_by = relationship("User", lazy="joined")
    benchmark_rows: Mapped[list[EncounterBenchmark]] = relationship(
        cascade="all, delete-orphan", order_by="EncounterBenchmark.benchmark", lazy="selectin")
    participations: Mapped[list[Participation]] = relationship(
        back_populates="encounter", cascade="all, delete-orphan")
    # The year groups it was offered to (Provider Access phase 3); loaded only when read.
    offers: Mapped[list[EncounterOffer]] = relationship(
        cascade="all, delete-orphan", order_by="EncounterOffer.cohort")

    @property
    def benchmarks(self) -> tuple[int, ...]:
        return tuple(row.benchmark for row in self.benchmark_rows)

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    def __repr__(self) -> str:
        return f"<Encounter {self.id} {self.title!r}>"


@event.listens_for(Encounter, "before_update")
def _bump_sequence(_mapper, _connection, target: Encounter) -> None:
    """Every change to an encounter raises its SEQUENCE, so calendars replace the old copy."""
    if inspect(target).attrs.sequence.history.has_changes():
        return
    target.sequence = (target.sequence or 0) + 1


class EncounterBenchmark(db.Model):
    """One benchmark an encounter counts towards (defaults come from its kind)."""

    __table_args__ = (CheckConstraint("benchmark BETWEEN 1 AND 8", name="benchmark_range"),)

    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounter.id", ondelete="CASCADE"), primary_key=True)
    benchmark: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class Participation(SchoolOwned, db.Model):
    """A pupil took part in an encounter."""

    __table_args__ = (UniqueConstraint("encounter_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounter.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    reflection: Mapped[str] = mapped_column(Text, default="")
    # The tutor group the pupil was in on the encounter's date (exports show this, not today's).
    tutor_group: Mapped[str | None] = mapped_column(String(20))
    # For a guidance interview: the actions agreed with the pupil (shown to them on /me).
    agreed_actions: Mapped[str] = mapped_column(Text, default="")

    encounter: Mapped[Encounter] = relationship(back_populates="participations")
    pupil: Mapped[Pupil] = relationship()


class EncounterOffer(SchoolOwned, db.Model):
    """An encounter offered to a whole year group (the pupils of one cohort on roll that day).

    The Provider Access Legislation's phase 3 asks schools to *offer* provider encounters to
    every pupil in Years 12-13; attendance is optional. The careers leader records the offer
    (the quick log does by default when it logs for a whole year group), so one pupil at a
    targeted session no longer counts for the rest of the year group.
    """

    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounter.id", ondelete="CASCADE"), primary_key=True)
    # The year group, stored as the cohort so it never goes stale (domain.academic).
    cohort: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_encounter_offer_school_cohort", "school_id", "cohort"),)

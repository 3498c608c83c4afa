from __future__ import annotations

from datetime import date

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint,
                        event)
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.academic import year_group
from ..domain.pupil_flags import has_send
from ..domain.search_text import SEARCH_TEXT_LENGTH, pupil_search_text
from ..extensions import db
from .base import SchoolOwned


def _search_text_default(context) -> str:
    """For INSERTs that bypass the ORM's unit of work (the MIS import, the demo seed)."""
    values = context.get_current_parameters()
    return pupil_search_text(values.get("legal_forename"), values.get("preferred_forename"),
                             values.get("surname"), values.get("upn"))


class Pupil(SchoolOwned, db.Model):
    """A pupil on roll (or a leaver). Year group is derived from the cohort, never stored."""

    __table_args__ = (
        UniqueConstraint("school_id", "upn"),
        Index("ix_pupil_school_cohort", "school_id", "cohort"),
        Index("ix_pupil_school_tutor_group", "school_id", "tutor_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upn: Mapped[str] = mapped_column(String(13))
    legal_forename: Mapped[str] = mapped_column(String(100))
    preferred_forename: Mapped[str | None] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    # Academic year (starting calendar year) in which the pupil is in Year 7.
    cohort: Mapped[int] = mapped_column(Integer)
    tutor_group: Mapped[str | None] = mapped_column(String(20))
    # Special-category data: shown only to staff roles that need it.
    send_status: Mapped[str] = mapped_column(String(1), default="N")  # N, K (SEN support), E (EHCP)
    disadvantaged: Mapped[bool] = mapped_column(Boolean, default=False)
    looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    considering_he: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    # Names and UPN folded for search (domain.search_text), kept up to date on every write:
    # by the events below, the column default for bulk INSERTs, and
    # pupils.services.refresh_search_text after bulk UPDATEs.
    search_text: Mapped[str] = mapped_column(String(SEARCH_TEXT_LENGTH),
                                             default=_search_text_default, server_default="")

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forename

    @property
    def display_name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def sort_name(self) -> str:
        return f"{self.surname}, {self.forename}"

    @property
    def has_send(self) -> bool:
        return has_send(self.send_status)

    def year_group_in(self, academic_year: int) -> int:
        return year_group(self.cohort, academic_year)

    def __repr__(self) -> str:
        return f"<Pupil {self.upn}>"


class PupilYear(SchoolOwned, db.Model):
    """A pupil's tutor group and flags as they were in one academic year.

    The row holds the last value imported or edited during that year, so a past year is
    always reported with that year's values. The columns on `Pupil` are the current values
    (the newest year's), kept for lists and search.
    """

    __table_args__ = (
        UniqueConstraint("pupil_id", "academic_year"),
        Index("ix_pupil_year_school_year", "school_id", "academic_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    academic_year: Mapped[int] = mapped_column(Integer)
    tutor_group: Mapped[str | None] = mapped_column(String(20))
    send_status: Mapped[str] = mapped_column(String(1), default="N")
    disadvantaged: Mapped[bool] = mapped_column(Boolean, default=False)
    looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    considering_he: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<PupilYear {self.pupil_id} {self.academic_year}>"


@event.listens_for(Pupil, "before_insert")
@event.listens_for(Pupil, "before_update")
def _fold_for_search(_mapper, _connection, target: Pupil) -> None:
    target.search_text = pupil_search_text(target.legal_forename, target.preferred_forename,
                                           target.surname, target.upn)

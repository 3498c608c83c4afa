"""Leavers' destinations: one a year for the three years after leaving (Benchmark 3)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..database import write_transaction
from ..domain.academic import academic_year_of
from ..domain.destinations import STATUSES, summarise
from ..domain.parsing import EARLIEST_DATE, LATEST_DATE
from ..extensions import db
from ..models import Pupil
from ..models.roster import Destination


def destinations_of(pupil: Pupil) -> dict[int, Destination]:
    return {d.year_after: d for d in db.session.scalars(
        select(Destination).where(Destination.pupil_id == pupil.id,
                                  Destination.school_id == pupil.school_id))}


def record_destination(pupil: Pupil, year_after: int, status: str, provider: str,
                       checked_on: date | None) -> Destination:
    """Create or replace the destination for one year after leaving."""
    if status not in STATUSES:
        raise ValueError(status)
    with write_transaction():
        destination = db.session.scalar(select(Destination).where(
            Destination.pupil_id == pupil.id, Destination.year_after == year_after))
        if destination is None:
            destination = Destination(school_id=pupil.school_id, pupil_id=pupil.id,
                                      year_after=year_after)
            db.session.add(destination)
        destination.status = status
        destination.provider = " ".join(provider.split())
        destination.checked_on = checked_on
    return destination


def leaving_years(school_id: int) -> list[int]:
    """Academic years in which pupils of this school left, newest first.

    Only dates in the accepted range: a leaving date in year 9999, stored before dates were
    checked, must not make the report (which counts up to the next year) fail for everyone.
    """
    dates = db.session.scalars(select(Pupil.left_on).where(
        Pupil.school_id == school_id,
        Pupil.left_on.between(EARLIEST_DATE, LATEST_DATE)).distinct()).all()
    return sorted({academic_year_of(d) for d in dates}, reverse=True)


@dataclass
class DestinationReport:
    leaving_year: int
    year_after: int
    leavers: list[tuple[Pupil, Destination | None]]

    @property
    def shares(self):
        return summarise(d.status if d else None for _p, d in self.leavers)

    @property
    def not_known(self) -> list[Pupil]:
        return [p for p, d in self.leavers if d is None or d.status == "not_known"]


def destination_report(school_id: int, leaving_year: int, year_after: int) -> DestinationReport:
    """The leavers of one academic year with their destination in one year after leaving."""
    start, end = date(leaving_year, 9, 1), date(leaving_year + 1, 8, 31)
    rows = db.session.execute(
        select(Pupil, Destination)
        .outerjoin(Destination, (Destination.pupil_id == Pupil.id)
                   & (Destination.year_after == year_after))
        .where(Pupil.school_id == school_id, Pupil.left_on.between(start, end))
        .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id)).all()
    return DestinationReport(leaving_year, year_after, list(rows))

"""Import placements from the school's spreadsheet: preview with every row error, then all
rows in one transaction or none.

The preview posts the file back as CSV text (an XLSX is turned into CSV once, on upload), so
nothing is kept on the server between the two steps; the confirm checks it all again against
the database as it is then.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..database import write_transaction
from ..domain import placement_import as sheet_rules
from ..domain import placements as rules
from ..domain.benchmarks import OrganisationKind
from ..domain.placements import Status
from ..encounters.services import find_or_create_organisation
from ..extensions import db
from ..models import User
from ..models.base import utcnow
from ..models.placement import Placement, PlacementWeek
from ..pupils.services import roll_query
from .records import sync_benchmark_record
from .services import holidays


class ImportRefused(Exception):
    """The file no longer passes (the roll or the placements changed since the preview)."""

    def __init__(self, checked: sheet_rules.CheckedImport):
        super().__init__("import refused")
        self.checked = checked


def _roll(school_id: int, as_of: date) -> list[sheet_rules.RosterPupil]:
    return [sheet_rules.RosterPupil(p.id, p.upn, p.forename, p.legal_forename, p.surname)
            for p in db.session.scalars(roll_query(school_id, as_of))]


def _held(school_id: int) -> list[sheet_rules.HeldPlacement]:
    rows = db.session.execute(
        select(Placement.id, Placement.pupil_id, Placement.start_on, Placement.end_on,
               Placement.week_id)
        .where(Placement.school_id == school_id, Placement.status != Status.CANCELLED.value))
    return [sheet_rules.HeldPlacement(*row) for row in rows]


def check(school_id: int, sheet: sheet_rules.Sheet, week: PlacementWeek | None,
          as_of: date) -> sheet_rules.CheckedImport:
    """Every row checked against the roll on `as_of` and the placements held. Reads only."""
    return sheet_rules.check_import(
        sheet, _roll(school_id, as_of), _held(school_id),
        week=(week.id, week.start_on, week.end_on) if week else None,
        holidays=holidays(school_id))


def apply(school_id: int, sheet: sheet_rules.Sheet, week: PlacementWeek | None, user: User,
          as_of: date) -> sheet_rules.CheckedImport:
    """Check again and write every row in one transaction; ImportRefused if any row fails."""
    with write_transaction():
        checked = check(school_id, sheet, week, as_of)
        if not checked.can_import:
            raise ImportRefused(checked)
        ranges = holidays(school_id)
        existing = {p.id: p for p in db.session.scalars(select(Placement).where(
            Placement.id.in_([r.existing_id for r in checked.rows if r.existing_id])))}
        for row in checked.rows:
            placement = existing.get(row.existing_id) if row.existing_id else None
            if placement is None:
                placement = Placement(school_id=school_id, pupil_id=row.pupil_id,
                                      week_id=week.id if week else None,
                                      status=Status.SEEKING.value, status_since=as_of,
                                      created_by_id=user.id)
                _apply_row(placement, row, ranges, as_of)  # complete before it is flushed
                db.session.add(placement)
            else:
                _apply_row(placement, row, ranges, as_of)
        db.session.flush()
        for pupil_id in {row.pupil_id for row in checked.rows}:
            sync_benchmark_record(pupil_id, school_id, as_of, user.id)
    return checked


def _apply_row(placement: Placement, row: sheet_rules.ImportRow, ranges, as_of: date) -> None:
    # Only what the row says replaces what is held: a blank employer or contact keeps the
    # one already recorded.
    organisation = find_or_create_organisation(placement.school_id, row.employer,
                                               OrganisationKind.EMPLOYER)
    if organisation is not None:
        placement.organisation = organisation
        placement.organisation_id = organisation.id
    placement.start_on, placement.end_on = row.start, row.end
    placement.school_days = rules.school_day_count(row.start, row.end, ranges)
    for name in ("contact_name", "contact_email", "contact_phone"):
        if getattr(row, name):
            setattr(placement, name, getattr(row, name))
    if row.task:
        placement.employer_task = row.task
    if organisation is not None and placement.status in (None, Status.SEEKING.value):
        placement.status = Status.ARRANGED.value
        placement.status_since = as_of
    placement.updated_at = utcnow()


def week_choices(school_id: int) -> list[PlacementWeek]:
    return list(db.session.scalars(select(PlacementWeek).where(
        PlacementWeek.school_id == school_id).order_by(PlacementWeek.start_on.desc())))


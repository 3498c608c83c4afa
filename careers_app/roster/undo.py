"""Undoing the school's last MIS import, within a week, and the import history.

The import's snapshot (roster.writing) says what it replaced: undoing deletes the pupils it
added, puts every changed column back, gives the leavers back their previous dates, and
restores (or removes) the per-year records it wrote. Later edits to the same columns are
overwritten; a pupil the import added who has since been given records (encounters, a
login, a placement, a destination) stops the undo, because deleting them would lose those.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, union_all, update

from .. import audit_trail
from ..database import write_transaction
from ..extensions import db
from ..models import Participation, Pupil, User
from ..models.base import utcnow
from ..models.placement import Placement
from ..models.roster import Destination, ImportBatch
from ..pupils.history import forget_years, restore_years
from ..pupils.services import refresh_search_text
from .services import UNDO_WINDOW
from .writing import NAME_FIELDS, _unjson


class UndoRefused(Exception):
    """The import cannot be undone (too old, not the last, already undone): nothing changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def last_applied(school_id: int) -> ImportBatch | None:
    """The school's most recent applied import (undone or not)."""
    return db.session.scalar(select(ImportBatch).where(
        ImportBatch.school_id == school_id, ImportBatch.applied_at.is_not(None))
        .order_by(ImportBatch.applied_at.desc(), ImportBatch.id.desc()).limit(1))


def history(school_id: int, limit: int = 50) -> list[ImportBatch]:
    """The school's applied imports, newest first."""
    return list(db.session.scalars(select(ImportBatch).where(
        ImportBatch.school_id == school_id, ImportBatch.applied_at.is_not(None))
        .order_by(ImportBatch.applied_at.desc(), ImportBatch.id.desc()).limit(limit)))


def undo_problem(batch: ImportBatch, now: datetime | None = None) -> str | None:
    """Why this import cannot be undone now, or None."""
    now = now or utcnow()
    if batch.applied_at is None:
        return "This file has not been imported."
    if batch.undone_at is not None:
        return "This import has already been undone."
    applied_at = batch.applied_at
    if applied_at.tzinfo is None:  # SQLite hands back naive UTC
        applied_at = applied_at.replace(tzinfo=now.tzinfo)
    if now - applied_at > UNDO_WINDOW or not batch.undo:
        return "An import can be undone for a week only; this one is older."
    last = last_applied(batch.school_id)
    if last is not None and last.id != batch.id:
        return "Only the most recent import can be undone."
    return None


def _pupils_with_records(pupil_ids: list[int]) -> int:
    if not pupil_ids:
        return 0
    used = union_all(*(select(column.label("pupil_id")).where(column.in_(pupil_ids))
                       for column in (Participation.pupil_id, User.pupil_id, Placement.pupil_id,
                                      Destination.pupil_id))).subquery()
    return db.session.scalar(select(func.count(func.distinct(used.c.pupil_id))))


@dataclass
class UndoResult:
    removed: int
    restored: int
    leavers: int


def undo_batch(batch_id: int, school_id: int, now: datetime | None = None) -> UndoResult:
    """Reverse the import in one transaction and audit it, or raise UndoRefused."""
    with write_transaction():
        batch = db.session.scalar(select(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.school_id == school_id).with_for_update())
        if batch is None:
            raise UndoRefused("That import is not in the history.")
        if problem := undo_problem(batch, now):
            raise UndoRefused(problem)
        snapshot = batch.undo
        new_ids = [int(i) for i in snapshot.get("new", [])]
        if used := _pupils_with_records(new_ids):
            raise UndoRefused(f"{used:,} of the pupils this import added now have records "
                              "(encounters, a login, a placement or a destination). Undoing "
                              "would delete them, so the import was not undone.")
        year = int(snapshot["academic_year"])
        forget_years(new_ids, year)
        if new_ids:
            db.session.execute(delete(Pupil).where(Pupil.school_id == school_id,
                                                   Pupil.id.in_(new_ids)))
        updated = snapshot.get("updated", [])
        if updated:
            db.session.execute(update(Pupil), [
                {"id": row["id"], **{n: _unjson(n, v) for n, v in row["before"].items()}}
                for row in updated])
            refresh_search_text(row["id"] for row in updated if NAME_FIELDS & set(row["before"]))
        leavers = snapshot.get("leavers", [])
        if leavers:
            db.session.execute(update(Pupil), [
                {"id": row["id"], "left_on": _unjson("left_on", row["left_on"])}
                for row in leavers])
        restore_years(school_id, year, snapshot.get("years_before", []),
                      snapshot.get("years_created", []))
        batch.undone_at = utcnow()
        batch.undo = None
        result = UndoResult(removed=len(new_ids), restored=len(updated), leavers=len(leavers))
        audit_trail.record("undo_import_pupils", entity="import_batch", entity_id=batch.id,
                           school_id=school_id,
                           detail=f"{result.removed} new pupils removed, {result.restored} "
                                  f"restored, {result.leavers} leavers back on roll")
    return result

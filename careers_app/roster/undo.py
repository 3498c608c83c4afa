"""Undoing the school's last MIS import, within a week, and the import history.

The import's snapshot (roster.writing) says what it replaced: undoing deletes the pupils it
added, puts every changed column back, gives the leavers back their previous dates, and
restores (or removes) the per-year records it wrote. Later edits to the same columns are
overwritten; a pupil the import added who has since been given records (encounters, a
login, a placement, a destination) stops the undo, because deleting them would lose those.

The snapshot and the uploaded cells are pupil data (names, UPNs, SEND and other flags), so
they go as soon as they are no longer needed (`forget_expired`, run by every upload and by
the retention job), and an erased or anonymised pupil is taken out of them at once
(`scrub_pupils`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, union_all, update

from .. import audit_trail
from ..database import write_transaction
from ..extensions import db
from ..models import Participation, Pupil, User
from ..models.base import utcnow
from ..models.placement import Placement
from ..models.roster import Destination, ImportBatch
from ..pupils.history import forget_years, restore_years
from ..pupils.services import refresh_search_text
from .services import BATCH_LIFETIME, UNDO_WINDOW
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


# Pupil data in the import history ---------------------------------------------------------

def _cell_upn(cell) -> str:
    return str(cell).strip().upper().replace(" ", "")


def _scrubbed_snapshot(snapshot: dict, ids: set[int]) -> dict:
    """The snapshot without a word about these pupils. Each entry is about one pupil and no
    entry depends on another, so undoing with what is left still restores everyone else, and
    leaves these pupils as they are now (erased, or anonymised: never given their names back)."""
    def keep(pupil_id) -> bool:
        return int(pupil_id) not in ids

    return {**snapshot,
            "new": [i for i in snapshot.get("new", []) if keep(i)],
            "updated": [r for r in snapshot.get("updated", []) if keep(r["id"])],
            "leavers": [r for r in snapshot.get("leavers", []) if keep(r["id"])],
            "years_before": [r for r in snapshot.get("years_before", []) if keep(r["pupil_id"])],
            "years_created": [i for i in snapshot.get("years_created", []) if keep(i)]}


def scrub_pupils(school_id: int, pupil_ids: Iterable[int], upns: Iterable[str]) -> int:
    """Take these pupils out of the school's import history, in the caller's transaction.

    An upload not yet imported that holds a row with one of their UPNs is deleted (the
    careers leader uploads the file again: it would otherwise bring them back). An applied
    import loses every row and snapshot entry about them; its history line (counts, dates)
    stays. Returns how many imports were changed or deleted.
    """
    ids = {int(i) for i in pupil_ids}
    wanted = {_cell_upn(u) for u in upns if u}
    changed = 0
    for batch in db.session.scalars(select(ImportBatch).where(
            ImportBatch.school_id == school_id)):
        rows = batch.rows or []
        kept = [row for row in rows if not any(_cell_upn(c) in wanted for c in row[1])]
        if batch.applied_at is None:
            if len(kept) != len(rows):
                db.session.delete(batch)
                changed += 1
            continue
        snapshot = _scrubbed_snapshot(batch.undo, ids) if batch.undo else batch.undo
        if len(kept) != len(rows) or snapshot != batch.undo:
            batch.rows, batch.undo = kept, snapshot  # new objects: JSON is not tracked in place
            changed += 1
    return changed


def _expired(school_id: int, now: datetime):
    """Uploads never imported, past BATCH_LIFETIME; imports undone, past the undo window, or
    no longer the last (only the last can be undone, so their snapshots are of no use)."""
    last = last_applied(school_id)
    superseded = (and_(ImportBatch.applied_at.is_not(None), ImportBatch.id != last.id)
                  if last is not None else False)
    return select(ImportBatch).where(ImportBatch.school_id == school_id, or_(
        and_(ImportBatch.applied_at.is_(None), ImportBatch.created_at < now - BATCH_LIFETIME),
        ImportBatch.undone_at.is_not(None), ImportBatch.applied_at < now - UNDO_WINDOW,
        superseded))


def expired_count(school_id: int, now: datetime | None = None) -> int:
    """How many imports `forget_expired` would clear now (reads only)."""
    return sum(1 for batch in db.session.scalars(_expired(school_id, now or utcnow()))
               if batch.applied_at is None or batch.undo or batch.rows)


def forget_expired(school_id: int, now: datetime | None = None) -> int:
    """Clear the pupil data the school's import history no longer needs, in the caller's
    transaction: uploads never imported within BATCH_LIFETIME are deleted; imports that can
    no longer be undone (undone, older than the undo window, or not the last) lose their
    cells and snapshot, keeping their history line. Returns how many imports were cleared."""
    cleared = 0
    for batch in db.session.scalars(_expired(school_id, now or utcnow())):
        if batch.applied_at is None:
            db.session.delete(batch)
        elif batch.undo or batch.rows:
            batch.undo, batch.rows = None, []
        else:
            continue
        cleared += 1
    return cleared

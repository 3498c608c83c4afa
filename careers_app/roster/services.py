"""Roster services: the MIS import (upload, map, preview, commit). Every write is one
transaction."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from .. import audit_trail
from ..database import write_transaction
from ..domain import mis_import
from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..extensions import db
from ..models import Pupil
from ..models.base import utcnow
from ..models.roster import ImportBatch, ImportMapping
from ..pupils.services import refresh_search_text

BATCH_LIFETIME = timedelta(days=2)
NAME_FIELDS = frozenset({"legal_forename", "preferred_forename", "surname"})


# MIS import --------------------------------------------------------------------------------

def remembered_mapping(school_id: int) -> dict[str, str]:
    """Normalised heading -> field, as this school's users chose on the mapping screen."""
    return dict(db.session.execute(
        select(ImportMapping.header, ImportMapping.field)
        .where(ImportMapping.school_id == school_id)).all())


def start_import(school_id: int, user_id: int | None, filename: str, data: bytes) -> ImportBatch:
    """Read an upload and keep its cells server-side under a random token.

    Raises mis_import.ImportFileError when the file is not a readable CSV table.
    """
    table = mis_import.read_table(data)
    mapping = mis_import.guess_mapping(table.headers, remembered_mapping(school_id))
    with write_transaction():
        # Abandoned uploads are pupil data too: do not keep them.
        db.session.execute(delete(ImportBatch).where(
            ImportBatch.school_id == school_id, ImportBatch.created_at < utcnow() - BATCH_LIFETIME))
        batch = ImportBatch(school_id=school_id, token=secrets.token_urlsafe(32),
                            created_by_id=user_id, filename=(filename or "")[:255],
                            encoding=table.encoding, delimiter=table.delimiter,
                            headers=table.headers, rows=[[line, cells] for line, cells in table.rows],
                            mapping=mapping, result={})
        db.session.add(batch)
    return batch


def get_batch(school_id: int, token: str) -> ImportBatch | None:
    """An upload of this school by its token (another school's token is None)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(ImportBatch).where(ImportBatch.school_id == school_id,
                                                       ImportBatch.token == token))


def batch_table(batch: ImportBatch) -> mis_import.Table:
    return mis_import.Table(headers=list(batch.headers),
                            rows=[(line, cells) for line, cells in batch.rows],
                            encoding=batch.encoding, delimiter=batch.delimiter)


def batch_mapping(batch: ImportBatch) -> dict[str, int]:
    return {name: int(index) for name, index in (batch.mapping or {}).items()}


def save_mapping(batch: ImportBatch, mapping: dict[str, int]) -> None:
    """Use this mapping for the upload and remember each heading's choice for next time."""
    with write_transaction():
        batch.mapping = dict(mapping)
        chosen = {index: name for name, index in mapping.items()}
        remembered = {row.header: row for row in db.session.scalars(
            select(ImportMapping).where(ImportMapping.school_id == batch.school_id))}
        for index, header in enumerate(batch.headers):
            key = mis_import.normalise_header(header)[:120]
            if not key:
                continue
            field_name = chosen.get(index, "")
            if mis_import.HEADER_ALIASES.get(key) == field_name and key not in remembered:
                continue  # the built-in name already says so
            if key in remembered:
                remembered[key].field = field_name
            else:
                remembered[key] = ImportMapping(school_id=batch.school_id, header=key,
                                                field=field_name)
                db.session.add(remembered[key])


@dataclass
class Preview:
    """What an import would do: counts, row errors and mapping problems."""

    checked: mis_import.CheckedRows
    plan: mis_import.ImportPlan
    mapping_problems: list[str]
    row_count: int

    @property
    def errors(self) -> list[mis_import.RowError]:
        return self.checked.errors

    @property
    def can_commit(self) -> bool:
        return not self.mapping_problems and not self.checked.errors and self.row_count > 0

    def summary(self) -> dict[str, int]:
        return {"rows": self.row_count, "new": len(self.plan.new),
                "updated": len(self.plan.updated), "unchanged": self.plan.unchanged,
                "missing": len(self.plan.missing), "errors": len(self.checked.errors),
                "error_rows": len({e.line for e in self.checked.errors})}


def _held_pupils(school_id: int) -> list[dict[str, Any]]:
    columns = (Pupil.id, Pupil.upn, Pupil.left_on) + tuple(
        getattr(Pupil, name) for name in mis_import.COMPARED)
    return [dict(row._mapping) for row in db.session.execute(
        select(*columns).where(Pupil.school_id == school_id))]


def build_preview(school_id: int, table: mis_import.Table, mapping: dict[str, int],
                  today: date | None = None) -> Preview:
    """Check every row and compare with the pupils held. Reads only."""
    today = today or today_london()
    problems = mis_import.mapping_problems(mapping, len(table.headers))
    if problems:
        checked = mis_import.CheckedRows()
        plan = mis_import.ImportPlan()
    else:
        checked = mis_import.check_rows(table, mapping, academic_year_of(today))
        plan = mis_import.plan_import(checked.rows, _held_pupils(school_id), today)
    return Preview(checked, plan, problems, len(table.rows))


class ImportRefused(Exception):
    """The file still has errors: nothing was written."""

    def __init__(self, preview: Preview):
        super().__init__("The import has errors; nothing was written.")
        self.preview = preview


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    leavers: int = 0
    already_applied: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _write_plan(school_id: int, plan: mis_import.ImportPlan, mark_leavers: bool,
                today: date) -> ImportResult:
    """Apply a plan inside the caller's transaction (bulk statements, no per-row queries)."""
    defaults = dict(preferred_forename=None, tutor_group=None, send_status="N",
                    disadvantaged=False, looked_after=False, considering_he=False)
    if plan.new:
        db.session.execute(insert(Pupil), [
            {**defaults, **change.values, "school_id": school_id, "joined_on": today}
            for change in plan.new])
    if plan.updated:
        db.session.execute(update(Pupil), [
            {**{name: change.values[name] for name in change.changed if name != "left_on"},
             "id": change.pupil_id, **({"left_on": None} if "left_on" in change.changed else {})}
            for change in plan.updated])
        refresh_search_text(change.pupil_id for change in plan.updated
                            if NAME_FIELDS & set(change.changed))
    leavers = 0
    if mark_leavers and plan.missing:
        leavers = len(plan.missing)
        db.session.execute(update(Pupil), [{"id": p["id"], "left_on": today}
                                           for p in plan.missing])
    return ImportResult(new=len(plan.new), updated=len(plan.updated), unchanged=plan.unchanged,
                        leavers=leavers)


def import_table(school_id: int, table: mis_import.Table, mapping: dict[str, int], *,
                 mark_leavers: bool, today: date | None = None) -> ImportResult:
    """Check and write a whole file in one transaction, or raise ImportRefused and write nothing."""
    today = today or today_london()
    with write_transaction():
        preview = build_preview(school_id, table, mapping, today)
        if not preview.can_commit:
            raise ImportRefused(preview)
        return _write_plan(school_id, preview.plan, mark_leavers, today)


def apply_batch(batch_id: int, school_id: int, *, mark_leavers: bool,
                today: date | None = None) -> ImportResult:
    """Commit an uploaded file all-or-nothing. A second confirm finds it applied and writes nothing.

    The preview is recomputed inside the write transaction, so what is written matches the
    database at that moment, not a stale preview.
    """
    today = today or today_london()
    with write_transaction():
        # FOR UPDATE serialises two confirms on PostgreSQL; SQLite's BEGIN IMMEDIATE already has.
        batch = db.session.scalar(select(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.school_id == school_id).with_for_update())
        if batch is None:
            raise LookupError("That upload has expired.")
        if batch.applied_at is not None:
            stored = batch.result or {}
            return ImportResult(**{k: stored.get(k, 0) for k in
                                   ("new", "updated", "unchanged", "leavers")},
                                already_applied=True)
        preview = build_preview(school_id, batch_table(batch), batch_mapping(batch), today)
        if not preview.can_commit:
            raise ImportRefused(preview)
        result = _write_plan(school_id, preview.plan, mark_leavers, today)
        batch.applied_at = utcnow()
        batch.result = {"new": result.new, "updated": result.updated,
                        "unchanged": result.unchanged, "leavers": result.leavers}
        # The cells are no longer needed once applied.
        batch.rows = []
        # Bulk statements bypass the per-row audit hook: say what the import did in one entry.
        audit_trail.record("import_pupils", entity="import_batch", entity_id=batch.id,
                           school_id=school_id,
                           detail=f"{result.new} new, {result.updated} updated, "
                                  f"{result.unchanged} unchanged, {result.leavers} marked as leavers")
    return result

"""Committing an MIS import, all or nothing, and undoing the last one.

An import writes with bulk statements (no per-pupil queries): the new pupils, the changed
columns, the leavers' last day on roll, and every pupil's record for the academic year of
the import day (pupils.history). It keeps a snapshot of what it replaced, so the school's
last import can be reversed for a week (`undo_batch`), audited like the import itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update

from .. import audit_trail
from ..database import write_transaction
from ..domain import mis_import, mis_plan
from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..domain.search_text import pupil_search_text
from ..extensions import db
from ..models import Pupil
from ..models.base import utcnow
from ..models.roster import ImportBatch
from ..pupils.history import YEAR_FIELDS, record_years, years_rows
from ..pupils.services import refresh_search_text
from . import services
from .services import Preview, build_preview, held_pupils

CHUNK = 1_000  # rows per INSERT: 16 columns, within SQLite's 32,766 bound parameters
NAME_FIELDS = frozenset({"legal_forename", "preferred_forename", "surname"})
DATE_FIELDS = frozenset({"joined_on", "left_on"})


@dataclass
class ImportChoices:
    """What the careers leader chose on the preview (or the CLI's options)."""

    mark_leavers: bool = False
    leaving_date: date | None = None  # the last day on roll of the pupils marked as leavers
    on_roll_from: date | None = None  # first import: on roll from, without an admission date
    confirm_large: bool = False  # yes, mark more than 10% of the roll as leavers


class ImportRefused(Exception):
    """Nothing was written: the file still has errors, or a choice is missing or wrong."""

    def __init__(self, preview: Preview, message: str = "The import has errors; nothing was "
                                                        "written.", field_name: str = ""):
        super().__init__(message)
        self.preview = preview
        self.message = message
        self.field_name = field_name


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    leavers: int = 0
    already_applied: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _refusal(preview: Preview, choices: ImportChoices) -> ImportRefused | None:
    """Why these choices cannot be applied to this preview, or None."""
    if not preview.can_commit:
        return ImportRefused(preview)
    plan, today = preview.plan, preview.today
    if preview.asks_on_roll_from and choices.on_roll_from is not None and (
            problem := mis_plan.on_roll_from_problem(choices.on_roll_from, today)):
        return ImportRefused(preview, problem, "on_roll_from")
    if not (choices.mark_leavers and plan.missing):
        return None
    if problem := mis_plan.leaving_date_problem(choices.leaving_date, today):
        return ImportRefused(preview, problem, "leaving_date")
    if plan.needs_large_confirmation and not choices.confirm_large:
        count = len(plan.missing)
        return ImportRefused(
            preview, f"{count:,} pupil{'' if count == 1 else 's'} ({preview.leaver_percent}% "
                     f"of the roll) would become leavers. If the file really is the whole roll, tick the "
                     "box to confirm; otherwise export every pupil from the MIS. Nothing was "
                     "written.", "confirm_large")
    return None


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _unjson(name: str, value: Any) -> Any:
    return date.fromisoformat(value) if name in DATE_FIELDS and value else value


def _year_rows(plan: mis_plan.ImportPlan, new_ids: list[int],
               held: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every pupil in the file with their values after the import."""
    defaults = {"tutor_group": None, "send_status": "N", "disadvantaged": False,
                "looked_after": False, "considering_he": False}
    rows = [{**defaults, **change.values, "pupil_id": pupil_id}
            for change, pupil_id in zip(plan.new, new_ids)]
    rows += [{**held[c.pupil_id], **{n: c.values[n] for n in c.changed}, "pupil_id": c.pupil_id}
             for c in plan.updated]
    rows += [{**held[pid], "pupil_id": pid} for pid in plan.unchanged_ids]
    return [{"pupil_id": row["pupil_id"], **{n: row[n] for n in YEAR_FIELDS}} for row in rows]


def _insert_pupils(school_id: int, rows: list[dict[str, Any]]) -> list[int]:
    """One multi-row INSERT per 1,000 pupils (SQLite cannot batch an INSERT ... RETURNING
    in order), then their ids by UPN: ids in the order of `rows`."""
    rows = [{**values, "school_id": school_id, "search_text": pupil_search_text(
        values["legal_forename"], values["preferred_forename"], values["surname"],
        values["upn"])} for values in rows]
    ids: dict[str, int] = {}
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        db.session.execute(insert(Pupil).values(chunk))
        ids.update(db.session.execute(select(Pupil.upn, Pupil.id).where(
            Pupil.school_id == school_id, Pupil.upn.in_([r["upn"] for r in chunk]))).all())
    return [ids[row["upn"]] for row in rows]


def _write_plan(school_id: int, plan: mis_plan.ImportPlan, choices: ImportChoices,
                today: date, held: list[dict[str, Any]]) -> tuple[ImportResult, dict]:
    """Apply a plan inside the caller's transaction; returns the result and the undo snapshot."""
    year = academic_year_of(today)
    defaults = dict(preferred_forename=None, tutor_group=None, send_status="N",
                    disadvantaged=False, looked_after=False, considering_he=False, left_on=None)
    new_ids = _insert_pupils(school_id, [{**defaults, **c.values} for c in plan.new])
    if plan.updated:
        db.session.execute(update(Pupil), [
            {**{name: change.values[name] for name in change.changed}, "id": change.pupil_id}
            for change in plan.updated])
        refresh_search_text(change.pupil_id for change in plan.updated
                            if NAME_FIELDS & set(change.changed))
    leavers = plan.missing if choices.mark_leavers else []
    if leavers:
        db.session.execute(update(Pupil), [{"id": p["id"], "left_on": choices.leaving_date}
                                           for p in leavers])
    by_id = {pupil["id"]: pupil for pupil in held}
    existing_ids = [c.pupil_id for c in plan.updated] + plan.unchanged_ids
    years_before = years_rows(existing_ids, year)
    record_years(school_id, year, _year_rows(plan, new_ids, by_id))
    had_row = {row["pupil_id"] for row in years_before}
    undo = {"academic_year": year, "new": new_ids,
            "updated": [{"id": c.pupil_id, "before": {n: _json(v) for n, v in c.before.items()}}
                        for c in plan.updated],
            "leavers": [{"id": p["id"], "left_on": _json(p["left_on"])} for p in leavers],
            "years_before": years_before,
            "years_created": [pid for pid in existing_ids if pid not in had_row]}
    return ImportResult(new=len(plan.new), updated=len(plan.updated), unchanged=plan.unchanged,
                        leavers=len(leavers)), undo


def _audit_detail(result: ImportResult, choices: ImportChoices) -> str:
    detail = (f"{result.new} new, {result.updated} updated, {result.unchanged} unchanged, "
              f"{result.leavers} marked as leavers")
    if result.leavers and choices.leaving_date:
        detail += f" (last day on roll {choices.leaving_date.isoformat()})"
    return detail


def import_table(school_id: int, table: mis_import.Table, mapping: dict[str, int],
                 choices: ImportChoices, *, user_id: int | None = None, filename: str = "",
                 today: date | None = None) -> ImportResult:
    """Check and write a whole file in one transaction (the CLI), or raise ImportRefused and
    write nothing. The import is kept in the history, and can be undone, like a web one."""
    today = today or today_london()
    with write_transaction():
        batch = ImportBatch(school_id=school_id, token=services.new_token(),
                            created_by_id=user_id, filename=filename[:255],
                            encoding=table.encoding, delimiter=table.delimiter,
                            headers=table.headers, rows=[], mapping=mapping, result={})
        db.session.add(batch)
        db.session.flush()
        return _apply(batch, table, mapping, choices, today)


def _apply(batch: ImportBatch, table, mapping, choices: ImportChoices,
           today: date) -> ImportResult:
    held = held_pupils(batch.school_id)
    preview = build_preview(batch.school_id, table, mapping, today, choices.on_roll_from, held)
    if (refused := _refusal(preview, choices)) is not None:
        raise refused
    result, undo = _write_plan(batch.school_id, preview.plan, choices, today, held)
    batch.applied_at = utcnow()
    batch.result = {"new": result.new, "updated": result.updated,
                    "unchanged": result.unchanged, "leavers": result.leavers}
    batch.leaving_date = choices.leaving_date if result.leavers else None
    batch.on_roll_from = preview.plan.joined_from if preview.plan.first_import else None
    batch.undo = undo
    batch.rows = []  # the cells are no longer needed once applied
    # Bulk statements bypass the per-row audit hook: say what the import did in one entry.
    audit_trail.record("import_pupils", entity="import_batch", entity_id=batch.id,
                       school_id=batch.school_id, detail=_audit_detail(result, choices))
    return result


def apply_batch(batch_id: int, school_id: int, choices: ImportChoices,
                today: date | None = None) -> ImportResult:
    """Commit an uploaded file all-or-nothing. A second confirm finds it applied and writes
    nothing. The preview is recomputed inside the write transaction, so what is written
    matches the database at that moment, not a stale preview."""
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
        return _apply(batch, services.batch_table(batch), services.batch_mapping(batch),
                      choices, today)

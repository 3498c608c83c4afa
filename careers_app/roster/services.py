"""Roster services: the MIS import's upload, column and value matching, and preview.
Committing and undoing an import are in `writing`. Every write is one transaction."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update

from ..database import write_transaction
from ..domain import mis_import, mis_plan
from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..domain.mis_values import VALUE_FIELDS
from ..extensions import db
from ..models import Pupil
from ..models.base import utcnow
from ..models.roster import ImportBatch, ImportMapping, ImportValueMapping

BATCH_LIFETIME = timedelta(days=2)
# An applied import can be undone for this long; then its snapshot (pupil data) is dropped.
UNDO_WINDOW = timedelta(days=7)
HELD_COLUMNS = ("id", "upn", "left_on", "considering_he") + mis_plan.COMPARED


# MIS import --------------------------------------------------------------------------------

def remembered_mapping(school_id: int) -> dict[str, str]:
    """Normalised heading -> field, as this school's users chose on the mapping screen."""
    return dict(db.session.execute(
        select(ImportMapping.header, ImportMapping.field)
        .where(ImportMapping.school_id == school_id)).all())


def new_token() -> str:
    """The random token that names an upload in its URLs."""
    return secrets.token_urlsafe(32)


def start_import(school_id: int, user_id: int | None, filename: str, data: bytes) -> ImportBatch:
    """Read an upload and keep its cells server-side under a random token.

    Raises mis_import.ImportFileError when the file is not a readable CSV table.
    """
    table = mis_import.read_table(data)
    mapping = mis_import.guess_mapping(table.headers, remembered_mapping(school_id))
    with write_transaction():
        # Abandoned uploads are pupil data too: do not keep them. Applied imports stay in the
        # history with their counts; their undo snapshot goes once it can no longer be used.
        db.session.execute(delete(ImportBatch).where(
            ImportBatch.school_id == school_id, ImportBatch.applied_at.is_(None),
            ImportBatch.created_at < utcnow() - BATCH_LIFETIME))
        db.session.execute(update(ImportBatch).where(
            ImportBatch.school_id == school_id, ImportBatch.undo.is_not(None),
            or_(ImportBatch.undone_at.is_not(None),
                ImportBatch.applied_at < utcnow() - UNDO_WINDOW)).values(undo=None))
        batch = ImportBatch(school_id=school_id, token=new_token(),
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


def remembered_values(school_id: int) -> dict[str, dict[str, str]]:
    """field -> normalised value -> code, as this school's users chose on the value screen."""
    found: dict[str, dict[str, str]] = {}
    for row in db.session.execute(select(ImportValueMapping.field, ImportValueMapping.value,
                                         ImportValueMapping.mapped)
                                  .where(ImportValueMapping.school_id == school_id)):
        found.setdefault(row.field, {})[row.value] = row.mapped
    return found


def save_values(school_id: int, chosen: dict[str, dict[str, str]]) -> None:
    """Remember what each unknown value means (field -> normalised value -> code)."""
    with write_transaction():
        held = {(row.field, row.value): row for row in db.session.scalars(
            select(ImportValueMapping).where(ImportValueMapping.school_id == school_id))}
        for field_name, values in chosen.items():
            if field_name not in VALUE_FIELDS:
                continue
            for value, code in values.items():
                if code not in VALUE_FIELDS[field_name]:
                    continue
                if (field_name, value) in held:
                    held[(field_name, value)].mapped = code
                else:
                    db.session.add(ImportValueMapping(school_id=school_id, field=field_name,
                                                      value=value, mapped=code))


@dataclass
class Preview:
    """What an import would do: counts, row errors, mapping problems and unknown values."""

    checked: mis_import.CheckedRows
    plan: mis_plan.ImportPlan
    mapping_problems: list[str]
    row_count: int
    today: date
    has_admission_dates: bool = False

    @property
    def errors(self) -> list[mis_import.RowError]:
        return self.checked.errors

    @property
    def unknown_values(self) -> dict[str, dict[str, str]]:
        return self.checked.unknown_values

    @property
    def can_commit(self) -> bool:
        return (not self.mapping_problems and not self.checked.errors
                and not self.checked.unknown_values and self.row_count > 0)

    @property
    def suggested_leaving_date(self) -> date:
        return mis_plan.suggest_leaving_date(self.today)

    @property
    def asks_on_roll_from(self) -> bool:
        """A first import: say from when the pupils without an admission date were on roll."""
        return self.plan.first_import and bool(self.plan.new)

    @property
    def leaver_percent(self) -> int:
        """The share of the roll the missing pupils are, in whole per cent (rounded up, so
        11 of 200 is 6%, and anything above 10% never shows as 10%)."""
        return -(-len(self.plan.missing) * 100 // self.plan.roll) if self.plan.roll else 0

    def summary(self) -> dict[str, int]:
        return {"rows": self.row_count, "new": len(self.plan.new),
                "updated": len(self.plan.updated), "unchanged": self.plan.unchanged,
                "missing": len(self.plan.missing), "errors": len(self.checked.errors),
                "error_rows": len({e.line for e in self.checked.errors}),
                "roll": self.plan.roll, "pending": self.checked.pending_rows}


def held_pupils(school_id: int) -> list[dict[str, Any]]:
    """Every pupil of the school as a plain dict of the columns an import compares."""
    columns = tuple(getattr(Pupil, name) for name in HELD_COLUMNS)
    return [dict(row._mapping) for row in db.session.execute(
        select(*columns).where(Pupil.school_id == school_id))]


def build_preview(school_id: int, table: mis_import.Table, mapping: dict[str, int],
                  today: date | None = None, on_roll_from: date | None = None,
                  held: list[dict[str, Any]] | None = None) -> Preview:
    """Check every row and compare with the pupils held. Reads only."""
    today = today or today_london()
    problems = mis_import.mapping_problems(mapping, len(table.headers))
    if problems:
        checked = mis_import.CheckedRows()
        plan = mis_plan.ImportPlan()
    else:
        checked = mis_import.check_rows(table, mapping, academic_year_of(today),
                                        remembered_values(school_id))
        plan = mis_plan.plan_import(checked.rows, held if held is not None
                                    else held_pupils(school_id), today, on_roll_from)
    return Preview(checked, plan, problems, len(table.rows), today,
                   has_admission_dates="admission_date" in mapping)

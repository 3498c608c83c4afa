"""Roster services: MIS import (upload, map, preview, commit), guidance records,
destinations and pupil logins. Every write is one transaction."""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from .. import audit_trail
from ..database import write_transaction
from ..domain import mis_import
from ..domain.academic import academic_year_of
from ..domain.benchmarks import EncounterKind, default_benchmarks
from ..domain.dates import today_london
from ..domain.destinations import STATUSES, summarise
from ..domain.errors import InputError
from ..domain.parsing import EARLIEST_DATE, LATEST_DATE
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Participation, Pupil, Role, User
from ..models.base import utcnow
from ..models.roster import Destination, ImportBatch, ImportMapping
from ..pupils.services import refresh_search_text
from ..security import hash_password

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


# Pupils: admin edit -------------------------------------------------------------------------

# The one InputError (domain/errors.py); the old name is what the views catch.
PupilInputError = InputError


def update_pupil(pupil: Pupil, values: dict[str, Any]) -> None:
    """Save an admin's changes to a pupil; a UPN already used in the school is refused."""
    upn = values["upn"]
    with write_transaction():
        clash = db.session.scalar(select(Pupil.id).where(
            Pupil.school_id == pupil.school_id, Pupil.upn == upn, Pupil.id != pupil.id))
        if clash:
            raise InputError("upn", "Another pupil already has this UPN.")
        for name, value in values.items():
            setattr(pupil, name, value)


# Personal guidance --------------------------------------------------------------------------

@dataclass
class GuidanceDetails:
    date: date
    adviser_name: str
    adviser_level6: bool
    notes: str = ""
    notes_staff_only: bool = False
    agreed_actions: str = ""
    meaningful: bool = True


def record_guidance(pupil: Pupil, user: User, details: GuidanceDetails) -> Encounter:
    """A guidance interview: an encounter of that kind with this one pupil and the actions agreed."""
    adviser = " ".join(details.adviser_name.split())
    with write_transaction():
        encounter = Encounter(
            school_id=pupil.school_id, title=f"Guidance interview with {adviser}",
            kind=EncounterKind.GUIDANCE_INTERVIEW, date=details.date,
            academic_year=academic_year_of(details.date), meaningful=details.meaningful,
            notes=details.notes.strip(), created_by_id=user.id, adviser_name=adviser,
            adviser_level6=details.adviser_level6, notes_staff_only=details.notes_staff_only)
        encounter.benchmark_rows = [EncounterBenchmark(benchmark=n) for n in
                                    default_benchmarks(EncounterKind.GUIDANCE_INTERVIEW)]
        encounter.participations = [Participation(school_id=pupil.school_id, pupil_id=pupil.id,
                                                  agreed_actions=details.agreed_actions.strip())]
        db.session.add(encounter)
    return encounter


# Destinations -------------------------------------------------------------------------------

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


# Pupil logins ---------------------------------------------------------------------------------

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a sheet
# One-time passwords are random (about 59 bits) and replaced at first login.


def one_time_password() -> str:
    """Twelve characters in three groups of four, e.g. "k7vm-q2xp-9hdn"."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@dataclass
class LoginSlip:
    pupil: Pupil
    username: str
    password: str
    new_account: bool


def create_pupil_logins(school_id: int, pupils: list[Pupil], *, reset_existing: bool) -> tuple[
        list[LoginSlip], int]:
    """Accounts for pupils without one, each with a one-time password they must change.

    With `reset_existing`, pupils who have an account get a new one-time password too (and
    are logged out everywhere). Returns the slips to print and how many were skipped.
    """
    if not pupils:
        return [], 0
    slips: list[LoginSlip] = []
    skipped = 0
    with write_transaction():
        accounts = {u.pupil_id: u for u in db.session.scalars(
            select(User).where(User.pupil_id.in_([p.id for p in pupils])))}
        taken = set(db.session.scalars(select(func.lower(User.username))))
        for pupil in pupils:
            user = accounts.get(pupil.id)
            password = one_time_password()
            if user is not None:
                if not reset_existing:
                    skipped += 1
                    continue
                user.password_hash = hash_password(password)
                user.must_change_password = True
                user.session_version = (user.session_version or 0) + 1
                slips.append(LoginSlip(pupil, user.username, password, False))
                continue
            base = (_ascii_slug(pupil.legal_forename)[:1] + _ascii_slug(pupil.surname))[:30] \
                or "pupil"
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base}{n}"
            taken.add(username)
            db.session.add(User(
                school_id=school_id, username=username, display_name=pupil.display_name,
                role=Role.PUPIL, password_hash=hash_password(password), pupil_id=pupil.id,
                must_change_password=True, session_version=1, active=True))
            slips.append(LoginSlip(pupil, username, password, True))
    return slips, skipped


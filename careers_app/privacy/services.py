"""UK GDPR duties for one pupil: subject-access export, erasure, and the retention job."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from sqlalchemy import delete, func, or_, select, update

from .. import audit_trail
from ..database import audit_pruning, write_transaction
from ..domain.academic import academic_year_of
from ..domain.benchmarks import EncounterKind, kind_label
from ..domain.dates import LONDON, today_london
from ..extensions import db
from ..models import (AuditLog, Encounter, LoginAttempt, Participation, Pupil, PupilYear, School,
                      User)
from ..models.base import utcnow
from ..models.roster import Destination, ImportBatch
from ..placements import records as placements  # work experience (issue 16)
from ..pupils.history import YEAR_FIELDS
from ..roster import undo as import_history
from ..roster.services import UNDO_WINDOW

# Benchmark 3 needs destinations for three years after leaving.
MIN_RETENTION_YEARS = 3
# What an anonymised leaver is called; such pupils are never anonymised twice.
ANONYMOUS = "Former pupil"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def subject_access_export(pupil: Pupil) -> dict:
    """Everything the app holds about one pupil, and nothing about anyone else.

    Group encounters give their title, date and organisation but never the other pupils or
    the staff notes (which may be about others); a one-to-one guidance interview includes
    its notes, marked when they are staff-only, for the school to review before disclosure.
    """
    school = db.session.get(School, pupil.school_id)
    user = db.session.scalar(select(User).where(User.pupil_id == pupil.id))
    encounters = _encounter_entries(pupil)
    destinations = db.session.scalars(select(Destination).where(
        Destination.pupil_id == pupil.id).order_by(Destination.year_after)).all()
    trail = _audit_trail_of(pupil, user)
    # The throttle's record of every login attempt against the pupil's account.
    attempts = db.session.scalars(select(LoginAttempt).where(
        LoginAttempt.username == user.username.lower()).order_by(LoginAttempt.id)).all() \
        if user else []
    return {
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "school": school.name,
        "pupil": _pupil_entry(pupil),
        "years": _year_entries(pupil),
        "account": {"username": user.username, "created_at": _iso(user.created_at),
                    "last_login_at": _iso(user.last_login_at), "active": user.active}
        if user else None,
        "encounters": encounters,
        "placements": placements.export_for(pupil),
        "destinations": [{"year_after_leaving": d.year_after, "status": d.status,
                          "provider": d.provider, "checked_on": _iso(d.checked_on)}
                         for d in destinations],
        "audit_log": [{"at": _iso(e.at), "action": e.action, "by": e.username,
                       "what": f"{e.entity} {e.entity_id} {e.detail}".strip()} for e in trail],
        "login_attempts": [{"at": _iso(a.at), "from": a.ip, "succeeded": a.succeeded,
                            "from_a_known_browser": a.trusted_device} for a in attempts],
        "imports": _import_entries(pupil),
    }


def _pupil_entry(pupil: Pupil) -> dict:
    return {
        "upn": pupil.upn, "legal_forename": pupil.legal_forename,
        "preferred_forename": pupil.preferred_forename, "surname": pupil.surname,
        "year_group": pupil.year_group_in(academic_year_of(today_london())),
        "cohort_year7": pupil.cohort, "tutor_group": pupil.tutor_group,
        "send_status": pupil.send_status, "disadvantaged": pupil.disadvantaged,
        "looked_after": pupil.looked_after, "considering_higher_education":
        pupil.considering_he, "joined_on": _iso(pupil.joined_on),
        "left_on": _iso(pupil.left_on),
    }


def _year_entries(pupil: Pupil) -> list[dict]:
    """The pupil's tutor group and flags as recorded for each academic year."""
    years = db.session.scalars(select(PupilYear).where(
        PupilYear.pupil_id == pupil.id, PupilYear.school_id == pupil.school_id)
        .order_by(PupilYear.academic_year)).all()
    return [{"academic_year": f"{y.academic_year}/{(y.academic_year + 1) % 100:02d}",
             **{name: getattr(y, name) for name in YEAR_FIELDS}} for y in years]


def _snapshot_entry(batch: ImportBatch, pupil_id: int) -> dict | None:
    """What an applied import's undo snapshot holds about one pupil, or None."""
    snapshot = batch.undo or {}

    def first(key: str, id_key: str) -> dict | None:
        return next((r for r in snapshot.get(key, []) if int(r[id_key]) == pupil_id), None)

    about: dict = {}
    if pupil_id in {int(i) for i in snapshot.get("new", [])}:
        about["added_by_this_import"] = True
    if row := first("updated", "id"):
        about["values_before"] = row["before"]
    if row := first("leavers", "id"):
        about["last_day_on_roll_before"] = row["left_on"]
    if row := first("years_before", "pupil_id"):
        about["year_record_before"] = {name: row[name] for name in YEAR_FIELDS}
    if pupil_id in {int(i) for i in snapshot.get("years_created", [])}:
        about["year_record_created"] = True
    if not about:
        return None
    return {"file": batch.filename, "imported_at": _iso(batch.applied_at),
            "kept_for_undo_until": _iso(batch.applied_at + UNDO_WINDOW),
            "academic_year_of_the_import": snapshot.get("academic_year"), **about}


def _import_entries(pupil: Pupil) -> list[dict]:
    """What the MIS import history still holds about the pupil: the snapshots kept to undo
    an import, and their row of any uploaded file not yet imported."""
    entries = []
    for batch in db.session.scalars(select(ImportBatch).where(
            ImportBatch.school_id == pupil.school_id).order_by(ImportBatch.id)):
        if batch.applied_at is not None:
            if batch.undo and (entry := _snapshot_entry(batch, pupil.id)):
                entries.append(entry)
            continue
        for line, cells in batch.rows or []:
            if any(str(c).strip().upper().replace(" ", "") == pupil.upn for c in cells):
                entries.append({"file": batch.filename, "uploaded_at": _iso(batch.created_at),
                                "not_yet_imported": True, "line": line,
                                "cells": dict(zip(batch.headers, cells))})
    return entries


def _encounter_entries(pupil: Pupil) -> list[dict]:
    """Every encounter the pupil took part in (deleted and planned ones too, so marked)."""
    rows = db.session.execute(
        select(Encounter, Participation)
        .join(Participation, Participation.encounter_id == Encounter.id)
        .where(Participation.pupil_id == pupil.id, Encounter.school_id == pupil.school_id)
        .order_by(Encounter.date, Encounter.id)).all()
    encounters = []
    for encounter, participation in rows:
        entry = {
            "date": _iso(encounter.date), "title": encounter.title,
            "kind": kind_label(encounter.kind),
            "organisation": encounter.organisation.name if encounter.organisation else None,
            "benchmarks": list(encounter.benchmarks), "meaningful": encounter.meaningful,
            "status": "deleted" if encounter.deleted_at else (
                "planned" if encounter.planned else "recorded"),
            "tutor_group_then": participation.tutor_group,
            "reflection": participation.reflection,
            "agreed_actions": participation.agreed_actions,
        }
        if encounter.kind == EncounterKind.GUIDANCE_INTERVIEW:
            entry.update(adviser=encounter.adviser_name, adviser_level6=encounter.adviser_level6,
                         notes=encounter.notes, notes_staff_only=encounter.notes_staff_only)
        encounters.append(entry)
    return encounters


def _audit_trail_of(pupil: Pupil, user: User | None) -> list[AuditLog]:
    """Audit entries about the pupil, and everything their account did."""
    return db.session.scalars(select(AuditLog).where(
        AuditLog.school_id == pupil.school_id,
        ((AuditLog.entity == "pupil") & (AuditLog.entity_id == str(pupil.id)))
        | ((AuditLog.user_id == user.id) if user else False)).order_by(AuditLog.id)).all()


def _guidance_encounter_ids(pupil_ids: list[int]) -> list[int]:
    """One-to-one guidance interviews of these pupils: their notes are about the pupil alone."""
    return list(db.session.scalars(
        select(Encounter.id).join(Participation, Participation.encounter_id == Encounter.id)
        .where(Participation.pupil_id.in_(pupil_ids),
               Encounter.kind == EncounterKind.GUIDANCE_INTERVIEW)))


def _delete_accounts(pupil_ids: list[int]) -> None:
    """Delete these pupils' logins and the throttle's record of attempts on them. The audit
    log names accounts by id only, so once the account is gone no username is left."""
    usernames = list(db.session.scalars(select(func.lower(User.username))
                                        .where(User.pupil_id.in_(pupil_ids))))
    if usernames:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.username.in_(usernames)))
    db.session.execute(delete(User).where(User.pupil_id.in_(pupil_ids)))


def erase_pupil(pupil: Pupil) -> None:
    """Remove one pupil everywhere: record, per-year records, login, participations,
    guidance, destinations, and every trace in the MIS import history (roster.undo).

    Encounters with other pupils stay (they are other pupils' records). The audit log keeps
    its entries, which hold ids, never names, plus one entry saying the erasure happened.
    The last import can still be undone for everyone else.
    """
    with write_transaction():
        guidance = _guidance_encounter_ids([pupil.id])
        if guidance:
            db.session.execute(delete(Encounter).where(Encounter.id.in_(guidance)))
        placements.erase_records([pupil.id])
        _delete_accounts([pupil.id])
        db.session.execute(delete(Destination).where(Destination.pupil_id == pupil.id))
        db.session.execute(delete(Participation).where(Participation.pupil_id == pupil.id))
        db.session.execute(delete(PupilYear).where(PupilYear.pupil_id == pupil.id))
        import_history.scrub_pupils(pupil.school_id, [pupil.id], [pupil.upn])
        audit_trail.record("erase", entity="pupil", entity_id=pupil.id, school_id=pupil.school_id,
                           detail=f"erased with {len(guidance)} guidance interview(s)")
        db.session.delete(pupil)


@dataclass
class RetentionPlan:
    school_id: int
    cutoff: date
    pupils: list[Pupil]
    audit_entries: int  # audit-log entries from before the cutoff, deleted with the leavers
    # Imports whose cells or undo snapshot are past keeping (roster.undo.forget_expired).
    expired_imports: int = 0
    now: datetime = field(default_factory=utcnow)

    @property
    def cutoff_time(self) -> datetime:
        """The start of the cutoff day in London (as UTC): older audit entries may go."""
        return datetime.combine(self.cutoff, time(), LONDON).astimezone(timezone.utc)


def _old_audit_entries(school_id: int):
    """The school's entries (and those of no school, such as logins to unknown usernames)."""
    return or_(AuditLog.school_id == school_id, AuditLog.school_id.is_(None))


def retention_plan(school_id: int, years: int, today: date | None = None,
                   now: datetime | None = None) -> RetentionPlan:
    """Leavers who left more than `years` ago (at least three, for Benchmark 3), the
    audit-log entries older than that, and the imports holding pupil data past the undo
    window (or uploads never imported, past a couple of days)."""
    if years < MIN_RETENTION_YEARS:
        raise ValueError(f"Keep leavers for at least {MIN_RETENTION_YEARS} years: "
                         "Benchmark 3 needs their destinations.")
    today = today or today_london()
    cutoff = date(today.year - years, today.month, min(today.day, 28))
    pupils = db.session.scalars(select(Pupil).where(
        Pupil.school_id == school_id, Pupil.left_on.is_not(None), Pupil.left_on < cutoff,
        Pupil.legal_forename != ANONYMOUS).order_by(Pupil.left_on, Pupil.id)).all()
    plan = RetentionPlan(school_id, cutoff, list(pupils), 0, now=now or utcnow())
    plan.expired_imports = import_history.expired_count(school_id, plan.now)
    plan.audit_entries = db.session.scalar(select(func.count()).select_from(AuditLog).where(
        _old_audit_entries(school_id), AuditLog.at < plan.cutoff_time))
    return plan


def _prune_audit_log(plan: RetentionPlan) -> int:
    """The one sanctioned way audit entries leave the log: older than the retention cutoff,
    in the retention job's transaction (the database refuses every other delete)."""
    if not plan.audit_entries:
        return 0
    with audit_pruning(db.session.connection(), plan.cutoff_time):
        result = db.session.execute(delete(AuditLog).where(
            _old_audit_entries(plan.school_id), AuditLog.at < plan.cutoff_time))
    return result.rowcount


def _strip_identity(school_id: int, pupils: list[Pupil], ids: list[int],
                    upns: list[str]) -> None:
    """Everything that names the leavers goes; what the anonymous figures need stays: the
    cohort, dates on roll, and each year's flags (their tutor groups go, as on the Pupil)."""
    guidance = _guidance_encounter_ids(ids)
    if guidance:
        db.session.execute(update(Encounter).where(Encounter.id.in_(guidance))
                           .values(notes="", adviser_name=""))
    db.session.execute(update(Participation).where(Participation.pupil_id.in_(ids))
                       .values(reflection="", agreed_actions="", tutor_group=None))
    db.session.execute(update(Destination).where(Destination.pupil_id.in_(ids))
                       .values(provider=""))
    db.session.execute(update(PupilYear).where(PupilYear.pupil_id.in_(ids))
                       .values(tutor_group=None))
    placements.forget_texts(ids)
    _delete_accounts(ids)
    import_history.scrub_pupils(school_id, ids, upns)
    for pupil in pupils:
        pupil.legal_forename = ANONYMOUS
        pupil.preferred_forename = None
        pupil.surname = f"#{pupil.id}"
        pupil.upn = f"ANON{pupil.id:09d}"[:13]
        pupil.tutor_group = None


def anonymise(plan: RetentionPlan) -> int:
    """Strip identity from the planned leavers; their anonymous counts stay in old figures.
    In the same transaction, audit entries older than the cutoff are deleted and the import
    history's pupil data past the undo window is cleared (roster.undo.forget_expired)."""
    ids = [p.id for p in plan.pupils]
    upns = [p.upn for p in plan.pupils]  # read before the commit below expires them
    if not ids and not plan.audit_entries and not plan.expired_imports:
        return 0
    with write_transaction():
        school_id = plan.school_id
        pruned = _prune_audit_log(plan)
        cleared = import_history.forget_expired(school_id, plan.now)
        if ids:
            _strip_identity(school_id, plan.pupils, ids, upns)
        done = [f"anonymised {len(ids)} leavers who left before {plan.cutoff}"] if ids else []
        if pruned:
            done.append(f"deleted {pruned} {'older ' if ids else ''}audit entries"
                        + ("" if ids else f" from before {plan.cutoff}"))
        if cleared:
            done.append(f"cleared the pupil data of {cleared} old import(s)")
        if done:
            entity = "pupil" if ids else ("audit_log" if pruned else "import_batch")
            audit_trail.record("retention", entity=entity, school_id=school_id,
                               detail="; ".join(done))
    return len(ids)

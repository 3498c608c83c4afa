"""UK GDPR duties for one pupil: subject-access export, erasure, and the retention job."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import delete, func, or_, select, update

from .. import audit_trail
from ..database import audit_pruning, write_transaction
from ..domain.academic import academic_year_of
from ..domain.benchmarks import EncounterKind, kind_label
from ..domain.dates import LONDON, today_london
from ..extensions import db
from ..models import AuditLog, Encounter, LoginAttempt, Participation, Pupil, School, User
from ..models.roster import Destination, ImportBatch
from ..placements import records as placements  # work experience (issue 16)

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


def _forget_import_rows(school_id: int, upns: set[str]) -> None:
    """Drop uploaded-but-unapplied MIS files that still hold these pupils' rows."""
    for batch in db.session.scalars(select(ImportBatch).where(ImportBatch.school_id == school_id)):
        if any(cell in upns for _line, cells in (batch.rows or []) for cell in cells):
            db.session.delete(batch)


def _delete_accounts(pupil_ids: list[int]) -> None:
    """Delete these pupils' logins and the throttle's record of attempts on them. The audit
    log names accounts by id only, so once the account is gone no username is left."""
    usernames = list(db.session.scalars(select(func.lower(User.username))
                                        .where(User.pupil_id.in_(pupil_ids))))
    if usernames:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.username.in_(usernames)))
    db.session.execute(delete(User).where(User.pupil_id.in_(pupil_ids)))


def erase_pupil(pupil: Pupil) -> None:
    """Remove one pupil everywhere: record, login, participations, guidance, destinations.

    Encounters with other pupils stay (they are other pupils' records). The audit log keeps
    its entries, which hold ids, never names, plus one entry saying the erasure happened.
    """
    with write_transaction():
        guidance = _guidance_encounter_ids([pupil.id])
        if guidance:
            db.session.execute(delete(Encounter).where(Encounter.id.in_(guidance)))
        placements.erase_records([pupil.id])
        _delete_accounts([pupil.id])
        db.session.execute(delete(Destination).where(Destination.pupil_id == pupil.id))
        db.session.execute(delete(Participation).where(Participation.pupil_id == pupil.id))
        _forget_import_rows(pupil.school_id, {pupil.upn})
        audit_trail.record("erase", entity="pupil", entity_id=pupil.id, school_id=pupil.school_id,
                           detail=f"erased with {len(guidance)} guidance interview(s)")
        db.session.delete(pupil)


@dataclass
class RetentionPlan:
    school_id: int
    cutoff: date
    pupils: list[Pupil]
    audit_entries: int  # audit-log entries from before the cutoff, deleted with the leavers

    @property
    def cutoff_time(self) -> datetime:
        """The start of the cutoff day in London (as UTC): older audit entries may go."""
        return datetime.combine(self.cutoff, time(), LONDON).astimezone(timezone.utc)


def _old_audit_entries(school_id: int):
    """The school's entries (and those of no school, such as logins to unknown usernames)."""
    return or_(AuditLog.school_id == school_id, AuditLog.school_id.is_(None))


def retention_plan(school_id: int, years: int, today: date | None = None) -> RetentionPlan:
    """Leavers who left more than `years` ago (at least three, for Benchmark 3), and the
    audit-log entries older than that."""
    if years < MIN_RETENTION_YEARS:
        raise ValueError(f"Keep leavers for at least {MIN_RETENTION_YEARS} years: "
                         "Benchmark 3 needs their destinations.")
    today = today or today_london()
    cutoff = date(today.year - years, today.month, min(today.day, 28))
    pupils = db.session.scalars(select(Pupil).where(
        Pupil.school_id == school_id, Pupil.left_on.is_not(None), Pupil.left_on < cutoff,
        Pupil.legal_forename != ANONYMOUS).order_by(Pupil.left_on, Pupil.id)).all()
    plan = RetentionPlan(school_id, cutoff, list(pupils), 0)
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


def anonymise(plan: RetentionPlan) -> int:
    """Strip identity from the planned leavers; their anonymous counts stay in old figures.
    Audit entries older than the cutoff are deleted in the same transaction."""
    ids = [p.id for p in plan.pupils]
    if not ids and not plan.audit_entries:
        return 0
    with write_transaction():
        school_id = plan.school_id
        pruned = _prune_audit_log(plan)
        if not ids:
            audit_trail.record("retention", entity="audit_log", school_id=school_id,
                               detail=f"deleted {pruned} audit entries from before {plan.cutoff}")
            return 0
        guidance = _guidance_encounter_ids(ids)
        if guidance:
            db.session.execute(update(Encounter).where(Encounter.id.in_(guidance))
                               .values(notes="", adviser_name=""))
        db.session.execute(update(Participation).where(Participation.pupil_id.in_(ids))
                           .values(reflection="", agreed_actions=""))
        db.session.execute(update(Destination).where(Destination.pupil_id.in_(ids))
                           .values(provider=""))
        placements.forget_texts(ids)
        _delete_accounts(ids)
        _forget_import_rows(school_id, {p.upn for p in plan.pupils})
        for pupil in plan.pupils:
            pupil.legal_forename = ANONYMOUS
            pupil.preferred_forename = None
            pupil.surname = f"#{pupil.id}"
            pupil.upn = f"ANON{pupil.id:09d}"[:13]
            pupil.tutor_group = None
        audit_trail.record("retention", entity="pupil", school_id=school_id,
                           detail=f"anonymised {len(ids)} leavers who left before {plan.cutoff}"
                           + (f"; deleted {pruned} older audit entries" if pruned else ""))
    return len(ids)

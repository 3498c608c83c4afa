"""Logging, editing and listing encounters. Each write is one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from .. import audit_trail
from ..database import contains_pattern, write_transaction
from ..domain.academic import academic_year_of, cohort_for
from ..domain.benchmarks import ENCOUNTER_KINDS, EncounterKind, OrganisationKind, clean_benchmarks
from ..domain.errors import InputError
from ..domain.parsing import clean_text
from ..domain.search_text import fold
from ..extensions import db
from ..models import (Encounter, EncounterOffer, Organisation, Participation, Pupil, PupilYear,
                      User)
from ..models.base import utcnow
from ..organisations.directory import group_suggestions
from ..pupils.services import pupils_by_ids
from .building import describe_encounter, new_encounter, set_benchmarks


# The one InputError (domain/errors.py); the old name is what the views catch.
EncounterInputError = InputError


@dataclass
class EncounterDetails:
    """What a user says about an encounter, already type-checked by the form."""

    title: str
    kind: EncounterKind
    date: date
    organisation_name: str = ""
    organisation_kind: OrganisationKind | None = None
    meaningful: bool = True
    notes: str = ""
    # Empty means "the defaults for the kind".
    benchmarks: tuple[int, ...] = field(default_factory=tuple)
    # Offered to the whole year group(s) of the pupils ticked (Provider Access phase 3).
    offered: bool = False


@dataclass
class LogResult:
    encounter_id: int
    created: bool


# Participations go in with one multi-row INSERT per this many pupils: 5 bound parameters a
# row, well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters a statement.
ROWS_PER_INSERT = 1000


def _wanted(pupil_ids: list[int], kind: EncounterKind | None) -> set[int]:
    wanted = set(pupil_ids)
    if not wanted:
        raise InputError("pupil_ids", "Tick at least one pupil who took part.")
    if kind == EncounterKind.GUIDANCE_INTERVIEW and len(wanted) != 1:
        raise InputError(
            "pupil_ids", "A guidance interview is with one pupil. Record it from the pupil's "
            "page with “Record guidance”, so the adviser and agreed actions are kept.")
    return wanted


def _refuse_missing(missing: int) -> None:
    if missing:
        noun = "pupil is" if missing == 1 else "pupils are"
        raise InputError(
            "pupil_ids", f"{missing} ticked {noun} not on this school's roll. Reload the list.")


def check_pupils(school_id: int, pupil_ids: list[int],
                 kind: EncounterKind | None = None) -> list[Pupil]:
    """The ticked pupils, or an InputError naming what is wrong."""
    wanted = _wanted(pupil_ids, kind)
    pupils = pupils_by_ids(school_id, wanted)
    _refuse_missing(len(wanted) - len(pupils))
    return pupils


@dataclass(frozen=True)
class Ticked:
    """A ticked pupil as they were in the encounter's academic year."""

    id: int
    cohort: int
    tutor_group: str | None  # that year's group (PupilYear), else the current one


def check_ticked(school_id: int, pupil_ids: list[int], kind: EncounterKind | None,
                 academic_year: int) -> list[Ticked]:
    """The ticked pupils, by id, checked against the roll with one SELECT, each with their
    cohort and the tutor group they were in during `academic_year`; or an InputError."""
    wanted = _wanted(pupil_ids, kind)
    rows = db.session.execute(
        select(Pupil.id, Pupil.cohort, func.coalesce(PupilYear.tutor_group, Pupil.tutor_group))
        .outerjoin(PupilYear, and_(PupilYear.pupil_id == Pupil.id,
                                   PupilYear.academic_year == academic_year))
        .where(Pupil.school_id == school_id, Pupil.id.in_(wanted))).all()
    _refuse_missing(len(wanted) - len(rows))
    return sorted((Ticked(*row) for row in rows), key=lambda t: t.id)


def _add_participations(school_id: int, encounter_id: int, ticked: list[Ticked]) -> None:
    """One multi-row INSERT (per ROWS_PER_INSERT pupils) and one audit entry for them all:
    the ORM would send one INSERT per pupil, and its write hook never sees a bulk insert."""
    table = Participation.__table__
    created: list[int] = []
    for start in range(0, len(ticked), ROWS_PER_INSERT):
        rows = [{"school_id": school_id, "encounter_id": encounter_id, "pupil_id": pupil.id,
                 "reflection": "", "agreed_actions": "", "tutor_group": pupil.tutor_group}
                for pupil in ticked[start:start + ROWS_PER_INSERT]]
        # Parameters beside the statement, not compiled into it: SQLAlchemy caches the
        # compiled INSERT and sends the rows as one multi-row statement (insertmanyvalues).
        created += db.session.scalars(insert(table).returning(table.c.id), rows).all()
    audit_trail.record_rows("create", "participation", sorted(created), school_id)


def offered_cohorts(ticked: list[Ticked], offered: bool) -> list[int]:
    """The year groups (cohorts) an encounter is offered to: those of the pupils ticked."""
    return sorted({t.cohort for t in ticked}) if offered else []


def set_offers(encounter: Encounter, cohorts: list[int]) -> None:
    """The year groups the encounter is offered to, keeping the rows already there."""
    current = {offer.cohort: offer for offer in encounter.offers}
    encounter.offers = [current.get(c) or EncounterOffer(school_id=encounter.school_id, cohort=c)
                        for c in cohorts]


def find_or_create_organisation(school_id: int, name: str,
                                kind: OrganisationKind) -> Organisation | None:
    """The school's organisation with this name (any case), or a new one. Blank -> None."""
    name = " ".join(name.split())
    if not name:
        return None
    # SQLite's lower() folds ASCII only ("Â" stays "Â"), so the exact name is matched too:
    # otherwise a name with a capital "Â" is not found and its insert breaks the unique key.
    existing = db.session.scalar(select(Organisation).where(
        Organisation.school_id == school_id,
        or_(Organisation.name == name, func.lower(Organisation.name) == name.lower()))
        .order_by(Organisation.name != name, Organisation.id).limit(1))
    if existing:
        return existing
    organisation = Organisation(school_id=school_id, name=name, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _apply_details(encounter: Encounter, school_id: int, details: EncounterDetails) -> None:
    kind = EncounterKind(details.kind)
    org_kind = details.organisation_kind or ENCOUNTER_KINDS[kind].organisation_kind
    describe_encounter(encounter, " ".join(details.title.split()), kind, details.date)
    encounter.meaningful = details.meaningful
    encounter.notes = details.notes.strip()
    encounter.organisation = find_or_create_organisation(school_id, details.organisation_name,
                                                         org_kind)
    set_benchmarks(encounter, clean_benchmarks(details.benchmarks) or None)


def _id_by_submission_key(school_id: int, key: str) -> int | None:
    return db.session.scalar(select(Encounter.id).where(Encounter.school_id == school_id,
                                                        Encounter.submission_key == key))


def log_encounter_for_group(*, school_id: int, user: User, details: EncounterDetails,
                            pupil_ids: list[int], submission_key: str | None) -> LogResult:
    """Write an encounter and all its participations in one transaction.

    A second submit of the same form (same `submission_key`) returns the first encounter
    instead of writing another. A fixed number of statements whatever the group size: the
    pupils are checked with one SELECT of ids and written with one multi-row INSERT, and
    nothing is read back after the commit.
    """
    key = (submission_key or "").strip()[:64] or None
    user_id = user.id  # read now: the transaction's commits expire the loaded user
    try:
        with write_transaction():
            if key and (existing := _id_by_submission_key(school_id, key)) is not None:
                return LogResult(existing, created=False)
            ticked = check_ticked(school_id, pupil_ids, details.kind,
                                  academic_year_of(details.date))
            encounter = new_encounter(school_id, user_id, submission_key=key)
            _apply_details(encounter, school_id, details)
            db.session.add(encounter)
            db.session.flush()
            encounter_id = encounter.id
            _add_participations(school_id, encounter_id, ticked)
            if cohorts := offered_cohorts(ticked, details.offered):
                db.session.execute(insert(EncounterOffer.__table__).values(
                    [{"school_id": school_id, "encounter_id": encounter_id, "cohort": c}
                     for c in cohorts]))
        return LogResult(encounter_id, created=True)
    except IntegrityError:
        # A concurrent double submit won the race: show the encounter it wrote.
        existing = _id_by_submission_key(school_id, key) if key else None
        if existing is None:
            raise
        return LogResult(existing, created=False)


def update_encounter(encounter: Encounter, details: EncounterDetails, pupil_ids: list[int]) -> None:
    """Change an encounter's details and participants in one transaction."""
    school_id = encounter.school_id
    with write_transaction():
        ticked = check_ticked(school_id, pupil_ids, details.kind, academic_year_of(details.date))
        keep = {t.id: t for t in ticked}
        _apply_details(encounter, school_id, details)
        current = {part.pupil_id: part for part in encounter.participations}
        encounter.participations = (
            [part for pid, part in current.items() if pid in keep]
            + [Participation(school_id=school_id, pupil_id=pid, tutor_group=keep[pid].tutor_group)
               for pid in keep.keys() - current.keys()])
        set_offers(encounter, offered_cohorts(ticked, details.offered))
        encounter.updated_at = utcnow()


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
        (ticked,) = check_ticked(pupil.school_id, [pupil.id], EncounterKind.GUIDANCE_INTERVIEW,
                                 academic_year_of(details.date))
        encounter = new_encounter(
            pupil.school_id, user.id, meaningful=details.meaningful, notes=details.notes.strip(),
            adviser_name=adviser, adviser_level6=details.adviser_level6,
            notes_staff_only=details.notes_staff_only)
        describe_encounter(encounter, f"Guidance interview with {adviser}",
                           EncounterKind.GUIDANCE_INTERVIEW, details.date)
        set_benchmarks(encounter)
        encounter.participations = [Participation(school_id=pupil.school_id, pupil_id=pupil.id,
                                                  tutor_group=ticked.tutor_group,
                                                  agreed_actions=details.agreed_actions.strip())]
        db.session.add(encounter)
    return encounter


def can_change(user: User, encounter: Encounter) -> bool:
    """Its creator or an admin may edit or delete an encounter."""
    return user.is_admin or (encounter.created_by_id == user.id and user.is_staff)


def can_undo(user: User, encounter: Encounter, window: timedelta, now: datetime | None = None) -> bool:
    """Undo is offered to the person who logged it, for a few minutes."""
    now = now or utcnow()
    created = encounter.created_at
    if created.tzinfo is None:  # SQLite hands back naive UTC
        created = created.replace(tzinfo=now.tzinfo)
    return (encounter.deleted_at is None and encounter.created_by_id == user.id
            and now - created <= window)


def soft_delete(encounter: Encounter) -> None:
    """Remove an encounter from every record (kept in the database for the audit trail)."""
    with write_transaction():
        if encounter.deleted_at is None:
            encounter.deleted_at = utcnow()


def get_encounter(school_id: int, encounter_id: int, *, include_deleted: bool = False):
    query = select(Encounter).where(Encounter.id == encounter_id, Encounter.school_id == school_id)
    if not include_deleted:
        query = query.where(Encounter.deleted_at.is_(None))
    return db.session.scalar(query)


def participants(encounter: Encounter) -> list[Pupil]:
    return list(db.session.scalars(
        select(Pupil).join(Participation, Participation.pupil_id == Pupil.id)
        .where(Participation.encounter_id == encounter.id)
        .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id)))


PAGE_SIZE = 50


@dataclass
class EncounterFilters:
    q: str = ""
    year_group: int | None = None
    kind: EncounterKind | None = None
    date_from: date | None = None
    date_to: date | None = None


def list_encounters(school_id: int, filters: EncounterFilters, page: int = 1):
    """Newest encounters matching the filters, each with its participant count; and the total."""
    # Counted per row shown (a correlated subquery on the participation index), never by
    # aggregating every participation in the school.
    count = (select(func.count()).where(Participation.encounter_id == Encounter.id)
             .correlate(Encounter).scalar_subquery())
    query = (select(Encounter)
             .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
             .where(Encounter.school_id == school_id, Encounter.deleted_at.is_(None)))
    if filters.q:
        like = contains_pattern(filters.q)
        query = query.where(or_(func.lower(Encounter.title).like(like, escape="\\"),
                                func.lower(Organisation.name).like(like, escape="\\")))
    if filters.kind:
        query = query.where(Encounter.kind == filters.kind)
    if filters.date_from:
        query = query.where(Encounter.date >= filters.date_from)
    if filters.date_to:
        query = query.where(Encounter.date <= filters.date_to)
    if filters.year_group:
        # Pupils in that year group *in the encounter's own academic year*.
        query = query.where(exists(
            select(Participation.id).join(Pupil, Pupil.id == Participation.pupil_id)
            .where(Participation.encounter_id == Encounter.id,
                   Pupil.cohort == cohort_for(filters.year_group, Encounter.academic_year))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.add_columns(count)
                              .order_by(Encounter.date.desc(), Encounter.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def suggest_organisations(school_id: int, text: str, limit: int = 20) -> list:
    """Organisations whose name contains `text`, for the type-ahead: the school's own, then
    those other schools of its trusts and partnerships know (the shared directory).

    `text` comes straight from the query string: cleaned here like any form text (NFC, so
    "é" typed either way finds "é"; a control character is an InputError, a 400).
    """
    text = clean_text(text, field_name="organisation")
    pattern = contains_pattern(text)
    query = select(Organisation).where(Organisation.school_id == school_id)
    if text.strip():
        query = query.where(func.lower(Organisation.name).like(pattern, escape="\\"))
    own = list(db.session.scalars(query.order_by(Organisation.name).limit(limit)))
    known = {fold(o.name) for o in own}
    return own + group_suggestions(school_id, pattern, known, limit - len(own))

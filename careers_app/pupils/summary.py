"""A pupil's progress this year in plain words, with what comes next for each gap: on /me
for the pupil and on the pupil's page for staff.

Built on the reports' `own_progress`: a fixed number of statements, never a query per rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.academic import academic_year_of
from ..domain.pupil_words import NextEvent, ProgressLine, progress_lines
from ..domain.rules import EncounterFact, RuleResult, RuleSettings, encounter_counts
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Organisation, Pupil
from ..reports.own import Titled, own_progress
from ..reports.services import school_settings
from .services import PupilRecord, RecordEntry, YearRecord


@dataclass
class PupilSummary:
    lines: list[ProgressLine]
    encounters: dict[int, Titled]  # id -> the encounters that count, for their titles


def _planned_for(pupil: Pupil, today: date) -> list[tuple[str, EncounterFact]]:
    """Planned events from today that invite the pupil's tutor group or year group, soonest
    first, as (title, the facts the rules read). One query."""
    groups = {f"yg:{pupil.year_group_in(academic_year_of(today))}"}
    if pupil.tutor_group:
        groups.add(f"tg:{pupil.tutor_group}")
    rows = db.session.execute(
        select(Encounter.id, Encounter.title, Encounter.date, Encounter.invited_groups,
               Encounter.organisation_id, Organisation.kind, EncounterBenchmark.benchmark)
        .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
        .outerjoin(EncounterBenchmark, EncounterBenchmark.encounter_id == Encounter.id)
        .where(Encounter.school_id == pupil.school_id, Encounter.planned.is_(True),
               Encounter.deleted_at.is_(None),
               # Implied by the date; lets the (school, year, date) index find the rows.
               Encounter.academic_year >= academic_year_of(today), Encounter.date >= today)
        .order_by(Encounter.date, Encounter.start_time, Encounter.id)).all()
    events: dict[int, tuple[str, dict]] = {}
    for row in rows:
        if not groups & {line.strip() for line in (row.invited_groups or "").splitlines()}:
            continue
        _title, facts = events.setdefault(row.id, (row.title, dict(
            id=row.id, date=row.date, benchmarks=set(), organisation_id=row.organisation_id,
            organisation_kind=str(row.kind) if row.kind else None)))
        if row.benchmark is not None:
            facts["benchmarks"].add(row.benchmark)
    return [(title, EncounterFact(**{**facts, "benchmarks": frozenset(facts["benchmarks"])}))
            for title, facts in events.values()]


def next_events(pupil: Pupil, results: list[RuleResult], today: date,
                settings: RuleSettings | None = None) -> dict[str, NextEvent]:
    """For each rule not yet met, the soonest planned event that would count for it
    (`settings`: the school's, read when not given)."""
    waiting = [r.rule for r in results if not r.met]
    if not waiting:
        return {}
    academic_year = academic_year_of(today)
    settings = settings if settings is not None else school_settings(pupil.school_id)
    found: dict[str, NextEvent] = {}
    for title, fact in _planned_for(pupil, today):
        for rule in waiting:
            if rule.key not in found and encounter_counts(rule, fact, pupil.cohort,
                                                          academic_year, fact.date, settings):
                found[rule.key] = NextEvent(title, fact.date)
    return found


def pupil_summary(pupil: Pupil, today: date, record: PupilRecord | None = None) -> PupilSummary:
    """The pupil's progress this year in plain words, with what comes next for each gap.

    `record`: the pupil's whole `pupil_record` (before `happened_and_coming_up`), whose
    facts and titles spare the queries for the pupil's own encounters."""
    titles = {e.id: e for year in record or () for e in year.encounters}
    own = own_progress(pupil, today, getattr(record, "facts", None), titles)
    return PupilSummary(
        progress_lines(own.results, next_events(pupil, own.results, today, own.settings)),
        own.encounters)


def happened_and_coming_up(record: PupilRecord,
                           today: date) -> tuple[PupilRecord, list[RecordEntry]]:
    """The record as it stands today, and what is dated after today, soonest first.

    Something in the future has not happened: it is not among "everything you have taken
    part in", counts for no rule and cannot be reflected on; the pupil sees it as coming up.
    """
    happened = PupilRecord()
    coming_up: list[RecordEntry] = []
    for year in record:
        past = [e for e in year.encounters if e.date <= today]
        coming_up += [e for e in year.encounters if e.date > today]
        if past:
            happened.append(YearRecord(year.academic_year, past))
    happened.guidance = [g for g in getattr(record, "guidance", []) if g.date <= today]
    happened.reflections = getattr(record, "reflections", {})
    happened.facts = getattr(record, "facts", {})
    coming_up.sort(key=lambda e: (e.date, e.id))
    return happened, coming_up


def has_happened(encounter: Encounter | RecordEntry, today: date) -> bool:
    """Only what has happened can be reflected on."""
    return encounter.date <= today

"""The home pages: a tutor's own tutor group, each pupil against each rule; and a pupil's
progress summary in plain words (also shown to staff on the pupil's page).

Built on the reports' services (`progress`, `own_progress`): a fixed number of statements
whatever the size of the group, never a query per pupil.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.academic import academic_year_of, year_group
from ..domain.pupil_words import NextEvent, ProgressLine, progress_lines
from ..domain.rules import (RULES, EncounterFact, Rule, RuleResult, applies, as_of_day,
                            encounter_counts, is_met)
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Organisation, Pupil
from ..reports.services import (Filters, PupilProgress, own_progress, progress,
                                school_settings)


@dataclass(frozen=True)
class RuleCell:
    """One pupil against one rule: not measured (None), or the count and what is needed."""

    count: int
    needed: int
    met: bool


@dataclass
class GroupRow:
    pupil: PupilProgress
    cells: dict[str, RuleCell | None]


@dataclass
class TutorGroupProgress:
    tutor_group: str
    academic_year: int
    as_of: date
    rules: list[Rule]
    rows: list[GroupRow]

    def met(self, rule: Rule) -> tuple[int, int]:
        """(pupils who have met the rule, pupils it measures)."""
        cells = [row.cells[rule.key] for row in self.rows if row.cells[rule.key] is not None]
        return sum(1 for cell in cells if cell.met), len(cells)


def tutor_group_progress(school_id: int, tutor_group: str, today: date) -> TutorGroupProgress:
    """Every pupil on roll in the tutor group this year, with each rule of their year group."""
    academic_year = academic_year_of(today)
    cohorts = db.session.scalars(select(Pupil.cohort).distinct().where(
        Pupil.school_id == school_id, Pupil.tutor_group == tutor_group)).all()
    years = sorted({year_group(c, academic_year) for c in cohorts} & set(range(7, 14)))
    settings = school_settings(school_id)
    pupils = []
    if years:  # one roll query and one aggregate for the group's year groups
        pupils = progress(school_id, academic_year, today, year_groups=years, settings=settings)
    group = Filters(tutor_group=tutor_group)
    pupils = sorted((p for p in pupils if group.matches(p)), key=lambda p: (p.sort_name, p.id))
    rules = [r for r in RULES if any(applies(r, p.fact, academic_year) for p in pupils)]
    rows = [GroupRow(pupil, {
        rule.key: RuleCell(pupil.counts[rule.key], settings.threshold(rule),
                           is_met(rule, pupil.counts[rule.key], settings))
        if applies(rule, pupil.fact, academic_year) else None for rule in rules})
        for pupil in pupils]
    return TutorGroupProgress(tutor_group, academic_year, as_of_day(academic_year, today),
                              rules, rows)


# A pupil's summary ---------------------------------------------------------------------------

@dataclass
class PupilSummary:
    lines: list[ProgressLine]
    encounters: dict[int, Encounter]  # id -> the encounters that count, for their titles


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
               Encounter.deleted_at.is_(None), Encounter.date >= today)
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


def next_events(pupil: Pupil, results: list[RuleResult], today: date) -> dict[str, NextEvent]:
    """For each rule not yet met, the soonest planned event that would count for it."""
    waiting = [r.rule for r in results if not r.met]
    if not waiting:
        return {}
    academic_year = academic_year_of(today)
    settings = school_settings(pupil.school_id)
    found: dict[str, NextEvent] = {}
    for title, fact in _planned_for(pupil, today):
        for rule in waiting:
            if rule.key not in found and encounter_counts(rule, fact, pupil.cohort,
                                                          academic_year, fact.date, settings):
                found[rule.key] = NextEvent(title, fact.date)
    return found


def pupil_summary(pupil: Pupil, today: date) -> PupilSummary:
    """The pupil's progress this year in plain words, with what comes next for each gap."""
    own = own_progress(pupil, today)
    return PupilSummary(progress_lines(own.results, next_events(pupil, own.results, today)),
                        own.encounters)

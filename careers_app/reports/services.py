"""Benchmark progress: the aggregate queries behind the dashboard, drill-downs and exports.

Every report is a fixed number of queries whatever the number of pupils: one for the roll,
one aggregate that counts, per pupil and per rule, what the rule counts (conditional
COUNTs generated from the rule data in domain.rules), and one per-year-group aggregate for the
"offered to the year group" rules. This module only reads: the rows go to domain.progress,
which compares counts with thresholds and builds every figure the pages show.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, distinct, extract, false, func, or_, select
from sqlalchemy.sql import ColumnElement

from ..database import write_transaction
from ..domain.academic import (YEAR_GROUPS, academic_year_bounds, academic_year_of, cohort_for,
                               natural_sort, year_group)
from ..domain.benchmarks import OrganisationKind
from ..domain.progress import (PAL_YEAR_GROUPS, Filters, Gap, Matrix, PalPhase, PupilProgress,
                               add_pupil_counts, add_year_group_counts, build_matrix,
                               encounter_facts, gap_rows, measured_rules, own_results, pal_phases)
from ..domain.rules import (KEY_STAGE_START, PAL_RULES, RULES, EncounterFact, Measure, PupilFact,
                            Rule, RuleResult, RuleSettings, Scope, Window, as_of_day, settings_from,
                            settings_to)
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Organisation, Participation, Pupil, School


# The roll ------------------------------------------------------------------------------------

def _roll_conditions(school_id: int, academic_year: int, as_of: date,
                     cohorts: Sequence[int]) -> list[ColumnElement]:
    start, _end = academic_year_bounds(academic_year)
    return [Pupil.school_id == school_id, Pupil.cohort.in_(list(cohorts)),
            or_(Pupil.joined_on.is_(None), Pupil.joined_on <= as_of),
            or_(Pupil.left_on.is_(None), Pupil.left_on >= start)]


TAGS = sorted({rule.tag for rule in RULES if rule.tag is not None})


def counted_encounters(school_id: int, academic_year: int, as_of: date, first_cohort: int):
    """CTE: the school's encounters that can count (meaningful, held, not deleted, up to
    `as_of`), one row each, with the organisation kind and a 0/1 column per benchmark.

    Built once per report (a few thousand rows), it spares the per-pupil aggregate a join
    to encounter_benchmark and organisation for every participation."""
    flags = [func.max(case((EncounterBenchmark.benchmark == n, 1), else_=0)).label(f"bm{n}")
             for n in TAGS]
    return (select(Encounter.id, Encounter.academic_year, Encounter.date,
                   Encounter.organisation_id, Encounter.adviser_level6,
                   Organisation.kind.label("organisation_kind"), *flags)
            .select_from(Encounter)
            .outerjoin(EncounterBenchmark, EncounterBenchmark.encounter_id == Encounter.id)
            .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
            .where(Encounter.school_id == school_id, Encounter.meaningful.is_(True),
                   Encounter.deleted_at.is_(None), Encounter.planned.is_(False),
                   Encounter.academic_year.between(first_cohort, academic_year),
                   Encounter.date <= as_of)
            .group_by(Encounter.id, Encounter.academic_year, Encounter.date,
                      Encounter.organisation_id, Encounter.adviser_level6, Organisation.kind)
            # Computed once, never re-run per pupil, whatever the planner's estimates.
            .cte("counted").prefix_with("MATERIALIZED", dialect="postgresql"))


def _rule_condition(rule: Rule, enc, academic_year: int, settings: RuleSettings) -> ColumnElement:
    """SQL for `domain.rules.encounter_counts`, less what `counted_encounters` already checks.

    The cheapest, most selective tests come first: SQLite stops at the first false one."""
    conditions: list[ColumnElement] = []
    if rule.tag is not None:
        conditions.append(enc.c[f"bm{rule.tag}"] == 1)
    if rule.organisation_kinds is not None:
        conditions.append(enc.c.organisation_kind.in_(
            [OrganisationKind(k) for k in sorted(rule.organisation_kinds)]))
    if rule.tag == 8 and settings.guidance_needs_level6:
        conditions.append(enc.c.adviser_level6.is_(True))
    # Years since the pupil's Year 7 when the encounter happened (its year group minus 7).
    years_in = enc.c.academic_year - Pupil.cohort
    if rule.window is Window.THIS_YEAR:
        conditions.append(enc.c.academic_year == academic_year)
    elif rule.window is Window.KEY_STAGE:
        # From the start of the key stage the pupil is in now (KS3 Y7, KS4 Y10, KS5 Y12).
        now = academic_year - Pupil.cohort
        stage_start = case((now >= KEY_STAGE_START[5] - 7, KEY_STAGE_START[5] - 7),
                           (now >= KEY_STAGE_START[4] - 7, KEY_STAGE_START[4] - 7), else_=0)
        conditions.append(years_in >= stage_start)
    else:
        low, high = rule.phase  # type: ignore[misc]
        conditions.append(years_in.between(low - 7, high - 7))
    if rule.cutoff is not None:
        # In the cut-off year group only September to 28 February counts (never 29 February).
        month = extract("month", enc.c.date)
        conditions.append(or_(
            years_in != rule.cutoff.year_group - 7,
            month.in_([9, 10, 11, 12, 1]),
            and_(month == rule.cutoff.month, extract("day", enc.c.date) <= rule.cutoff.day)))
    return and_(*conditions) if conditions else ~false()


def _measure(rule: Rule, enc, condition: ColumnElement) -> ColumnElement:
    if rule.measure is Measure.PROVIDERS:
        return func.count(distinct(case((condition, enc.c.organisation_id))))
    if rule.measure is Measure.PROVIDER_KINDS:
        return func.count(distinct(case((condition, enc.c.organisation_kind))))
    return func.count(case((condition, 1)))  # one row per encounter and participant


def _counts_query(rules: Sequence[Rule], group_by, enc, school_id: int, academic_year: int,
                  as_of: date, cohorts: Sequence[int], settings: RuleSettings, roll_only: bool):
    columns = [_measure(r, enc, _rule_condition(r, enc, academic_year, settings)).label(r.key)
               for r in rules]
    where = (_roll_conditions(school_id, academic_year, as_of, cohorts) if roll_only
             else [Pupil.school_id == school_id, Pupil.cohort.in_(list(cohorts))])
    return (select(group_by, *columns)
            .select_from(Pupil)
            .join(Participation, Participation.pupil_id == Pupil.id)
            .join(enc, enc.c.id == Participation.encounter_id)
            .where(*where)
            .group_by(group_by))


def progress_queries(school_id: int, academic_year: int, as_of: date, cohorts: Sequence[int],
                     settings: RuleSettings, rules: Sequence[Rule] = RULES):
    """The statements a report runs (exposed so bench/ can time the raw SQL)."""
    roll = (select(Pupil.id, Pupil.upn, Pupil.legal_forename, Pupil.preferred_forename,
                   Pupil.surname, Pupil.cohort, Pupil.tutor_group, Pupil.send_status,
                   Pupil.disadvantaged, Pupil.looked_after, Pupil.considering_he,
                   Pupil.joined_on, Pupil.left_on)
            .where(*_roll_conditions(school_id, academic_year, as_of, cohorts))
            .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id))
    enc = counted_encounters(school_id, academic_year, as_of, min(cohorts))
    pupil_rules = [r for r in rules if r.scope is Scope.PUPIL]
    group_rules = [r for r in rules if r.scope is Scope.YEAR_GROUP]
    # Only the year groups a year-group rule measures need its aggregate.
    group_cohorts = [c for c in cohorts
                     if any(year_group(c, academic_year) in r.year_groups for r in group_rules)]
    per_pupil = (_counts_query(pupil_rules, Pupil.id, enc, school_id, academic_year, as_of,
                               cohorts, settings, roll_only=True) if pupil_rules else None)
    per_cohort = (_counts_query(group_rules, Pupil.cohort, enc, school_id, academic_year, as_of,
                                group_cohorts, settings, roll_only=False)
                  if group_cohorts else None)
    return roll, per_pupil, per_cohort, pupil_rules, group_rules


def school_settings(school_id: int) -> RuleSettings:
    return settings_from(db.session.scalar(select(School.settings).where(School.id == school_id)))


def save_school_settings(school_id: int, chosen: RuleSettings) -> None:
    """Keep the school's rule thresholds beside its other settings."""
    with write_transaction():
        school = db.session.get(School, school_id)
        school.settings = settings_to(chosen, school.settings)


def progress(school_id: int, academic_year: int, today: date,
             year_groups: Iterable[int] = YEAR_GROUPS,
             settings: RuleSettings | None = None,
             rules: Sequence[Rule] = RULES) -> list[PupilProgress]:
    """Every pupil on roll in those year groups in `academic_year`, with their rule counts."""
    settings = settings if settings is not None else school_settings(school_id)
    as_of = as_of_day(academic_year, today)
    cohorts = sorted(cohort_for(y, academic_year) for y in year_groups)
    roll, per_pupil, per_cohort, pupil_rules, group_rules = progress_queries(
        school_id, academic_year, as_of, cohorts, settings, rules)
    pupils = [PupilProgress.from_roll(row, academic_year, today, rules)
              for row in db.session.execute(roll)]
    if per_pupil is not None:
        add_pupil_counts(pupils, db.session.execute(per_pupil), pupil_rules)
    if per_cohort is not None:
        add_year_group_counts(pupils, db.session.execute(per_cohort), group_rules)
    return pupils


# The matrix, gap lists and the PAL report ------------------------------------------------------

def benchmark_matrix(school_id: int, academic_year: int, today: date,
                     filters: Filters = Filters()) -> Matrix:
    """The dashboard: year groups 7-13 by rule, whole cohort and (when filtered) the group."""
    settings = school_settings(school_id)
    pupils = progress(school_id, academic_year, today, settings=settings)
    return build_matrix(pupils, academic_year, as_of_day(academic_year, today), settings, filters,
                        natural_sort({p.tutor_group for p in pupils if p.tutor_group}))


def gap_list(school_id: int, rule: Rule, year: int, academic_year: int, today: date,
             filters: Filters = Filters()) -> tuple[list[Gap], int]:
    """Pupils in one year group who have not met `rule`, and how many it measures in all."""
    settings = school_settings(school_id)
    pupils = progress(school_id, academic_year, today, year_groups=[year], settings=settings,
                      rules=[rule])
    return gap_rows(pupils, rule, academic_year, settings, filters)


def pal_report(school_id: int, academic_year: int, today: date,
               filters: Filters = Filters()) -> list[PalPhase]:
    """Per Provider Access phase, each pupil's count of providers and who is short."""
    settings = school_settings(school_id)
    pupils = progress(school_id, academic_year, today, year_groups=PAL_YEAR_GROUPS,
                      settings=settings, rules=PAL_RULES)
    return pal_phases(pupils, academic_year, settings, filters)


def tutor_groups(school_id: int, academic_year: int, today: date) -> list[str]:
    """Tutor groups of pupils on roll in the year, for the filter."""
    as_of = as_of_day(academic_year, today)
    cohorts = [cohort_for(y, academic_year) for y in YEAR_GROUPS]
    return natural_sort(db.session.scalars(
        select(Pupil.tutor_group).where(*_roll_conditions(school_id, academic_year, as_of, cohorts),
                                        Pupil.tutor_group.is_not(None)).distinct()).all())


# One pupil's own progress ----------------------------------------------------------------------

@dataclass
class OwnProgress:
    results: list[RuleResult]
    encounters: dict[int, Encounter]  # id -> the encounters that count, for their titles


def _fact_query(school_id: int):
    return (select(Encounter.id, Encounter.date, Encounter.organisation_id, Organisation.kind,
                   Encounter.meaningful, Encounter.planned, Encounter.deleted_at,
                   Encounter.adviser_level6, EncounterBenchmark.benchmark)
            .select_from(Encounter)
            .join(Participation, Participation.encounter_id == Encounter.id)
            .outerjoin(EncounterBenchmark, EncounterBenchmark.encounter_id == Encounter.id)
            .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
            .where(Encounter.school_id == school_id, Encounter.deleted_at.is_(None),
                   Encounter.planned.is_(False)))


def own_progress(pupil: Pupil, today: date) -> OwnProgress:
    """The rules measured in the pupil's current year, met or not yet, with what counted.

    Three queries: the pupil's own encounters, the encounters offered to their year group
    (for year-group rules only) and the titles of those that count."""
    academic_year = academic_year_of(today)
    settings = school_settings(pupil.school_id)
    fact = PupilFact(pupil.cohort, pupil.joined_on, pupil.left_on, pupil.considering_he)
    rules = measured_rules(fact, academic_year)
    own = encounter_facts(db.session.execute(
        _fact_query(pupil.school_id).where(Participation.pupil_id == pupil.id)))
    offered: dict[int, EncounterFact] = {}
    if any(r.scope is Scope.YEAR_GROUP for r in rules):
        offered = encounter_facts(db.session.execute(
            _fact_query(pupil.school_id)
            .join(Pupil, Pupil.id == Participation.pupil_id)
            .where(Pupil.cohort == pupil.cohort, Pupil.school_id == pupil.school_id).distinct()))
    results = own_results(rules, fact, own, offered, academic_year,
                          as_of_day(academic_year, today), settings)
    wanted = {i for r in results for i in r.counted}
    encounters = {e.id: e for e in db.session.scalars(
        select(Encounter).where(Encounter.id.in_(wanted)))} if wanted else {}
    return OwnProgress(results, encounters)


# Exports ----------------------------------------------------------------------------------------

def encounter_export_rows(school_id: int, academic_year: int):
    """Every encounter of the year with each participant: one row per participation
    (an encounter nobody took part in gets one row with no pupil). Two queries."""
    bm_rows = db.session.execute(
        select(EncounterBenchmark.encounter_id, EncounterBenchmark.benchmark)
        .join(Encounter, Encounter.id == EncounterBenchmark.encounter_id)
        .where(Encounter.school_id == school_id, Encounter.academic_year == academic_year)
        .order_by(EncounterBenchmark.encounter_id, EncounterBenchmark.benchmark)).all()
    by_encounter: dict[int, list[int]] = {}
    for encounter_id, number in bm_rows:
        by_encounter.setdefault(encounter_id, []).append(number)
    rows = db.session.execute(
        select(Encounter.id, Encounter.date, Encounter.title, Encounter.kind,
               Organisation.name.label("organisation"), Organisation.kind.label("org_kind"),
               Encounter.meaningful, Encounter.planned, Pupil.upn, Pupil.legal_forename,
               Pupil.preferred_forename, Pupil.surname, Pupil.cohort, Pupil.tutor_group)
        .select_from(Encounter)
        .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
        .outerjoin(Participation, Participation.encounter_id == Encounter.id)
        .outerjoin(Pupil, Pupil.id == Participation.pupil_id)
        .where(Encounter.school_id == school_id, Encounter.academic_year == academic_year,
               Encounter.deleted_at.is_(None))
        .order_by(Encounter.date, Encounter.id, Pupil.surname, Pupil.legal_forename))
    for row in rows:
        yield row, by_encounter.get(row.id, [])

"""Benchmark progress: the aggregate queries behind the dashboard, drill-downs and exports.

Every report is a fixed number of queries whatever the number of pupils (or schools): one
for the roll, one aggregate that counts, per pupil and per rule, what the rule counts
(conditional COUNTs generated from the rule data in domain.rules), and one per-pupil
aggregate for the "offered to the year group" rule (Provider Access phase 3). This module
only reads: the rows go to domain.progress, which compares counts with thresholds and builds
every figure the pages show.

A past year is reported with that year's tutor groups and flags: the roll reads the
PupilYear row of (pupil, report's year), falling back to the pupil's current values when
there is none. A report is "as at" a day (default today; never later), and an encounter
counts for a pupil only on a day they were on roll.

Several schools (a trust's dashboard, issue 15): `progress_for_schools(school_ids, ...)`
runs the same three statements for all of them at once, never a loop over schools; each
PupilProgress carries its school_id, and each school's own settings are applied to its rows.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy import and_, case, distinct, extract, false, func, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from ..database import write_transaction
from ..domain.academic import (YEAR_GROUPS, academic_year_bounds, cohort_for, natural_sort,
                               year_group)
from ..domain.benchmarks import OrganisationKind
from ..domain.progress import (NO_ADVISER, NOT_LEVEL6, PAL_YEAR_GROUPS, Filters, Gap, Matrix,
                               PalPhase, PupilProgress, add_pupil_counts, build_matrix, gap_rows,
                               pal_phases)
from ..domain.rules import (KEY_STAGE_START, PAL_RULES, RULES, Measure, Rule, RuleSettings, Scope,
                            Window, as_of_day, settings_from, settings_to)
from ..extensions import db
from .figure_cache import figure_cache
from ..models import (Encounter, EncounterBenchmark, EncounterOffer, Organisation, Participation,
                      Pupil, PupilYear, School)


# The roll ------------------------------------------------------------------------------------

def _roll_conditions(school_ids: Sequence[int], academic_year: int, as_of: date,
                     cohorts: Sequence[int],
                     only: Sequence[int] | None = None) -> list[ColumnElement]:
    """On roll on some day from 1 September to `as_of` (domain.rules.on_roll); `only`
    narrows the roll to those pupils (the figure cache bringing a few up to date)."""
    start, _end = academic_year_bounds(academic_year)
    conditions = [Pupil.school_id.in_(list(school_ids)), Pupil.cohort.in_(list(cohorts)),
                  or_(Pupil.joined_on.is_(None), Pupil.joined_on <= as_of),
                  or_(Pupil.left_on.is_(None), Pupil.left_on >= start)]
    if only is not None:
        conditions.append(Pupil.id.in_(list(only)))
    return conditions


def _on_roll_that_day(day) -> list[ColumnElement]:
    """SQL for domain.rules.on_roll_on: the encounter's day lies in the pupil's time on roll."""
    return [or_(Pupil.joined_on.is_(None), day >= Pupil.joined_on),
            or_(Pupil.left_on.is_(None), day <= Pupil.left_on)]


def year_values(academic_year: int):
    """(PupilYear alias, its join condition, the year's columns): tutor group and flags as
    they were in `academic_year`, or the pupil's current ones when no row was kept."""
    kept = aliased(PupilYear, name="kept_year")
    on = and_(kept.pupil_id == Pupil.id, kept.academic_year == academic_year)
    columns = [func.coalesce(kept.tutor_group, Pupil.tutor_group).label("tutor_group"),
               *(func.coalesce(getattr(kept, name), getattr(Pupil, name)).label(name)
                 for name in ("send_status", "disadvantaged", "looked_after", "considering_he"))]
    return kept, on, columns


TAGS = sorted({rule.tag for rule in RULES if rule.tag is not None})


def _encounters_of(only: Sequence[int] | None, school_ids: Sequence[int]) -> list[ColumnElement]:
    """No condition for a whole roll; for a few pupils, the encounters they took part in
    and those offered to any year group (the offered rule reads those)."""
    if only is None:
        return []
    return [or_(Encounter.id.in_(select(Participation.encounter_id)
                                 .where(Participation.pupil_id.in_(list(only)))),
                Encounter.id.in_(select(EncounterOffer.encounter_id)
                                 .where(EncounterOffer.school_id.in_(list(school_ids)))))]


def counted_encounters(school_ids: Sequence[int], academic_year: int, as_of: date,
                       first_cohort: int, only: Sequence[int] | None = None):
    """CTE: the schools' encounters that can count (meaningful, held, not deleted, up to
    `as_of`), one row each, with the organisation kind and a 0/1 column per benchmark.

    Built once per report (a few thousand rows), it spares the per-pupil aggregate a join
    to encounter_benchmark and organisation for every participation. With `only` (a few
    pupils brought up to date), just their encounters and the school's offers are built."""
    flags = [func.max(case((EncounterBenchmark.benchmark == n, 1), else_=0)).label(f"bm{n}")
             for n in TAGS]
    return (select(Encounter.id, Encounter.academic_year, Encounter.date,
                   Encounter.organisation_id, Encounter.adviser_level6, Encounter.adviser_name,
                   Organisation.kind.label("organisation_kind"), *flags)
            .select_from(Encounter)
            .outerjoin(EncounterBenchmark, EncounterBenchmark.encounter_id == Encounter.id)
            .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
            .where(Encounter.school_id.in_(list(school_ids)), Encounter.meaningful.is_(True),
                   Encounter.deleted_at.is_(None), Encounter.planned.is_(False),
                   Encounter.academic_year.between(first_cohort, academic_year),
                   Encounter.date <= as_of, *_encounters_of(only, school_ids))
            .group_by(Encounter.id, Encounter.academic_year, Encounter.date,
                      Encounter.organisation_id, Encounter.adviser_level6, Encounter.adviser_name,
                      Organisation.kind)
            # Computed once, never re-run per pupil, whatever the planner's estimates.
            .cte("counted").prefix_with("MATERIALIZED", dialect="postgresql"))


def _rule_condition(rule: Rule, enc, academic_year: int) -> ColumnElement:
    """SQL for `domain.rules.encounter_counts`, less what `counted_encounters` and the roll
    dates already check. Benchmark 8 always asks for level 6 here: the interviews that
    requirement leaves out are counted beside it (`_level6_columns`), so one statement
    serves schools whichever way they set it.

    The cheapest, most selective tests come first: SQLite stops at the first false one."""
    conditions: list[ColumnElement] = []
    if rule.tag is not None:
        conditions.append(enc.c[f"bm{rule.tag}"] == 1)
    if rule.organisation_kinds is not None:
        conditions.append(enc.c.organisation_kind.in_(
            [OrganisationKind(k) for k in sorted(rule.organisation_kinds)]))
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


def _count_columns(rules: Sequence[Rule], enc, academic_year: int) -> list[ColumnElement]:
    """One count per rule, labelled by its key; Benchmark 8 rules add the interviews the
    level 6 requirement leaves out, by reason (domain.rules.left_out_by_level6)."""
    columns = []
    for rule in rules:
        condition = _rule_condition(rule, enc, academic_year)
        if rule.tag != 8:
            columns.append(_measure(rule, enc, condition).label(rule.key))
            continue
        unqualified = and_(condition, enc.c.adviser_level6.is_(False))
        columns += [
            func.count(case((and_(condition, enc.c.adviser_level6.is_(True)), 1))).label(rule.key),
            func.count(case((and_(unqualified, enc.c.adviser_name == ""), 1)))
            .label(rule.key + NO_ADVISER),
            func.count(case((and_(unqualified, enc.c.adviser_name != ""), 1)))
            .label(rule.key + NOT_LEVEL6)]
    return columns


def _offered_pairs(school_ids: Sequence[int], cohorts: Sequence[int]):
    """(pupil id, encounter id) for the year-group rules: what each pupil took part in, and
    what was offered to their year group (EncounterOffer). Duplicates do no harm: the
    rules count different providers."""
    ids = list(school_ids)
    took_part = (select(Participation.pupil_id.label("pupil_id"),
                        Participation.encounter_id.label("encounter_id"))
                 .join(Pupil, Pupil.id == Participation.pupil_id)
                 .where(Pupil.school_id.in_(ids), Pupil.cohort.in_(list(cohorts))))
    offered = (select(Pupil.id, EncounterOffer.encounter_id)
               .join(EncounterOffer, and_(EncounterOffer.cohort == Pupil.cohort,
                                          EncounterOffer.school_id == Pupil.school_id))
               .where(Pupil.school_id.in_(ids), Pupil.cohort.in_(list(cohorts))))
    return union_all(took_part, offered).subquery("offered_to")


def _counts_query(rules: Sequence[Rule], enc, school_ids: Sequence[int], academic_year: int,
                  as_of: date, cohorts: Sequence[int], offered: bool,
                  only: Sequence[int] | None = None):
    pairs = _offered_pairs(school_ids, cohorts) if offered else None
    link = pairs if pairs is not None else Participation.__table__
    return (select(Pupil.id, *_count_columns(rules, enc, academic_year))
            .select_from(Pupil)
            .join(link, link.c.pupil_id == Pupil.id)
            .join(enc, enc.c.id == link.c.encounter_id)
            .where(*_roll_conditions(school_ids, academic_year, as_of, cohorts, only),
                   *_on_roll_that_day(enc.c.date))
            .group_by(Pupil.id))


def progress_queries(school_ids: Sequence[int], academic_year: int, as_of: date,
                     cohorts: Sequence[int], rules: Sequence[Rule] = RULES,
                     only: Sequence[int] | None = None):
    """The statements a report runs (exposed so bench/ can time the raw SQL)."""
    kept, kept_on, year_columns = year_values(academic_year)
    roll = (select(Pupil.id, Pupil.school_id, Pupil.upn, Pupil.legal_forename,
                   Pupil.preferred_forename, Pupil.surname, Pupil.cohort, *year_columns,
                   Pupil.joined_on, Pupil.left_on)
            .outerjoin(kept, kept_on)
            .where(*_roll_conditions(school_ids, academic_year, as_of, cohorts, only))
            .order_by(Pupil.surname, Pupil.legal_forename, Pupil.id))
    enc = counted_encounters(school_ids, academic_year, as_of, min(cohorts), only)
    pupil_rules = [r for r in rules if r.scope is Scope.PUPIL]
    group_rules = [r for r in rules if r.scope is Scope.YEAR_GROUP]
    # Only the year groups a year-group rule measures need its aggregate.
    group_cohorts = [c for c in cohorts
                     if any(year_group(c, academic_year) in r.year_groups for r in group_rules)]
    per_pupil = (_counts_query(pupil_rules, enc, school_ids, academic_year, as_of, cohorts,
                               offered=False, only=only) if pupil_rules else None)
    per_offer = (_counts_query(group_rules, enc, school_ids, academic_year, as_of,
                               group_cohorts, offered=True, only=only) if group_cohorts else None)
    return roll, per_pupil, per_offer, pupil_rules, group_rules


def school_settings(school_id: int) -> RuleSettings:
    return settings_from(db.session.scalar(select(School.settings).where(School.id == school_id)))


def settings_for_schools(school_ids: Sequence[int]) -> dict[int, RuleSettings]:
    """Each school's rule settings, in one query."""
    return {school_id: settings_from(raw) for school_id, raw in db.session.execute(
        select(School.id, School.settings).where(School.id.in_(list(school_ids))))}


def save_school_settings(school_id: int, chosen: RuleSettings) -> None:
    """Keep the school's rule thresholds beside its other settings."""
    with write_transaction():
        school = db.session.get(School, school_id)
        school.settings = settings_to(chosen, school.settings)


def progress_for_schools(school_ids: Sequence[int], academic_year: int, today: date, *,
                         as_at: date | None = None, year_groups: Iterable[int] = YEAR_GROUPS,
                         settings: Mapping[int, RuleSettings] | None = None,
                         rules: Sequence[Rule] = RULES,
                         filters: Filters = Filters(),
                         only: Sequence[int] | None = None) -> list[PupilProgress]:
    """Every pupil on roll in those year groups of those schools in `academic_year`, as at
    `as_at` (default `today`, never later), with their rule counts and their school_id.

    The same three statements for one school or fifty. `settings` maps school id to its
    rule settings (read in one query when not given); `filters` keeps matching pupils only;
    `only` reads just those pupils (reports.figure_cache).
    """
    school_ids = sorted(set(school_ids))
    settings = dict(settings) if settings is not None else settings_for_schools(school_ids)
    as_of = as_of_day(academic_year, min(as_at or today, today))
    cohorts = sorted(cohort_for(y, academic_year) for y in year_groups)
    roll, per_pupil, per_offer, pupil_rules, group_rules = progress_queries(
        school_ids, academic_year, as_of, cohorts, rules, only)
    pupils = [PupilProgress.from_roll(row, academic_year, today, rules)
              for row in db.session.execute(roll)]

    def settings_of(school_id: int) -> RuleSettings:
        return settings.get(school_id) or RuleSettings()
    if per_pupil is not None:
        add_pupil_counts(pupils, db.session.execute(per_pupil), pupil_rules, settings_of)
    if per_offer is not None:
        add_pupil_counts(pupils, db.session.execute(per_offer), group_rules, settings_of)
    return [p for p in pupils if filters.matches(p)] if filters.active else pupils


def _sort_key(pupil: PupilProgress) -> tuple:
    """Name order, the same for a full read and for a cache bringing a few pupils up to date
    (a database's collation is not Python's, so both sort here)."""
    return (pupil.sort_name.casefold(), pupil.id)


def _settings_key(settings: RuleSettings) -> tuple:
    return (tuple(sorted(settings.thresholds.items())), settings.guidance_needs_level6)


def schools_progress(school_ids: Sequence[int], academic_year: int, today: date, *,
                     settings: Mapping[int, RuleSettings] | None = None,
                     as_at: date | None = None) -> dict[int, tuple[PupilProgress, ...]]:
    """Per school, every pupil on roll in `academic_year` as at `as_at`, with their counts for
    every rule, in name order: kept ready in the figure cache (reports/figure_cache.py),
    checked against each school's data version on every call and brought up to date pupil
    by pupil. Whatever the number of schools: one statement for the versions, then at most
    one full and one partial `progress_for_schools`."""
    school_ids = sorted(set(school_ids))
    settings = dict(settings) if settings is not None else settings_for_schools(school_ids)
    as_of = as_of_day(academic_year, min(as_at or today, today))

    def key_of(school_id: int) -> tuple:
        return ("progress", academic_year, as_of, today,
                _settings_key(settings.get(school_id) or RuleSettings()))

    def read(ids: Sequence[int], only: Sequence[int] | None = None) -> dict[int, list]:
        by_school: dict[int, list[PupilProgress]] = {school_id: [] for school_id in ids}
        for pupil in progress_for_schools(ids, academic_year, today, as_at=as_at,
                                          settings=settings, only=only):
            by_school[pupil.school_id].append(pupil)
        return by_school

    def full(ids: list[int]) -> dict[int, tuple[PupilProgress, ...]]:
        return {school_id: tuple(sorted(pupils, key=_sort_key))
                for school_id, pupils in read(ids).items()}

    def partial(changed: dict[int, list[int]], old: dict[int, Sequence[PupilProgress]]):
        fresh = read(list(changed), only=sorted({i for ids in changed.values() for i in ids}))
        result = {}
        for school_id, ids in changed.items():
            gone = set(ids)
            kept = [p for p in old[school_id] if p.id not in gone]
            result[school_id] = tuple(sorted(kept + fresh[school_id], key=_sort_key))
        return result

    return figure_cache.get_many(school_ids, key_of, full, partial)


def school_progress(school_id: int, academic_year: int, today: date,
                    settings: RuleSettings | None = None,
                    as_at: date | None = None) -> tuple[PupilProgress, ...]:
    """One school's pupils with their counts, from the figure cache (`schools_progress`)."""
    settings = settings if settings is not None else school_settings(school_id)
    return schools_progress([school_id], academic_year, today, settings={school_id: settings},
                            as_at=as_at)[school_id]


def progress(school_id: int, academic_year: int, today: date,
             year_groups: Iterable[int] = YEAR_GROUPS,
             settings: RuleSettings | None = None,
             rules: Sequence[Rule] = RULES, as_at: date | None = None) -> list[PupilProgress]:
    """Every pupil on roll in those year groups in `academic_year`, with their counts (for
    every rule: `rules` is accepted for the callers' clarity, the cache holds them all)."""
    wanted = set(year_groups)
    return [p for p in school_progress(school_id, academic_year, today, settings, as_at)
            if p.year_group in wanted]


# The matrix, gap lists and the PAL report ------------------------------------------------------

def benchmark_matrix(school_id: int, academic_year: int, today: date,
                     filters: Filters = Filters(), as_at: date | None = None) -> Matrix:
    """The dashboard: year groups 7-13 by rule, whole cohort and (when filtered) the group,
    as at `as_at` (default today)."""
    settings = school_settings(school_id)
    pupils = progress(school_id, academic_year, today, settings=settings, as_at=as_at)
    return build_matrix(pupils, academic_year, as_of_day(academic_year, min(as_at or today, today)),
                        settings, filters,
                        natural_sort({p.tutor_group for p in pupils if p.tutor_group}))


def gap_list(school_id: int, rule: Rule, year: int, academic_year: int, today: date,
             filters: Filters = Filters(), as_at: date | None = None,
             settings: RuleSettings | None = None) -> tuple[list[Gap], int]:
    """Pupils in one year group who have not met `rule`, and how many it measures in all."""
    settings = settings if settings is not None else school_settings(school_id)
    pupils = progress(school_id, academic_year, today, year_groups=[year], settings=settings,
                      rules=[rule], as_at=as_at)
    return gap_rows(pupils, rule, academic_year, settings, filters)


def pal_report(school_id: int, academic_year: int, today: date,
               filters: Filters = Filters(), as_at: date | None = None) -> list[PalPhase]:
    """Per Provider Access phase, each pupil's count of providers and who is short."""
    settings = school_settings(school_id)
    pupils = progress(school_id, academic_year, today, year_groups=PAL_YEAR_GROUPS,
                      settings=settings, rules=PAL_RULES, as_at=as_at)
    return pal_phases(pupils, academic_year, settings, filters)


def tutor_groups(school_id: int, academic_year: int, today: date,
                 as_at: date | None = None) -> list[str]:
    """Tutor groups (as they were that year) of pupils on roll in the year, for the filter."""
    as_of = as_of_day(academic_year, min(as_at or today, today))
    cohorts = [cohort_for(y, academic_year) for y in YEAR_GROUPS]
    kept, kept_on, (group, *_flags) = year_values(academic_year)
    return natural_sort(db.session.scalars(
        select(group).select_from(Pupil).outerjoin(kept, kept_on)
        .where(*_roll_conditions([school_id], academic_year, as_of, cohorts),
               group.is_not(None)).distinct()).all())


# Exports ----------------------------------------------------------------------------------------

def encounter_export_rows(school_id: int, academic_year: int, as_of: date | None = None):
    """Every encounter of the year with each participant: one row per participation
    (an encounter nobody took part in gets one row with no pupil). Two queries.

    The tutor group is the one the pupil was in on the encounter's date: kept on the
    participation, else the pupil's record for that year, else (no record) today's."""
    bm_rows = db.session.execute(
        select(EncounterBenchmark.encounter_id, EncounterBenchmark.benchmark)
        .join(Encounter, Encounter.id == EncounterBenchmark.encounter_id)
        .where(Encounter.school_id == school_id, Encounter.academic_year == academic_year)
        .order_by(EncounterBenchmark.encounter_id, EncounterBenchmark.benchmark)).all()
    by_encounter: dict[int, list[int]] = {}
    for encounter_id, number in bm_rows:
        by_encounter.setdefault(encounter_id, []).append(number)
    kept = aliased(PupilYear, name="kept_year")
    rows = db.session.execute(
        select(Encounter.id, Encounter.date, Encounter.title, Encounter.kind,
               Organisation.name.label("organisation"), Organisation.kind.label("org_kind"),
               Encounter.meaningful, Encounter.planned, Pupil.upn, Pupil.legal_forename,
               Pupil.preferred_forename, Pupil.surname, Pupil.cohort,
               func.coalesce(Participation.tutor_group, kept.tutor_group,
                             Pupil.tutor_group).label("tutor_group"))
        .select_from(Encounter)
        .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
        .outerjoin(Participation, Participation.encounter_id == Encounter.id)
        .outerjoin(Pupil, Pupil.id == Participation.pupil_id)
        .outerjoin(kept, and_(kept.pupil_id == Pupil.id, kept.academic_year == academic_year))
        .where(Encounter.school_id == school_id, Encounter.academic_year == academic_year,
               Encounter.deleted_at.is_(None), Encounter.date <= (as_of or date.max))
        .order_by(Encounter.date, Encounter.id, Pupil.surname, Pupil.legal_forename))
    for row in rows:
        yield row, by_encounter.get(row.id, [])

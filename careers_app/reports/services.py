"""Benchmark progress: the aggregate queries behind the dashboard, drill-downs and exports.

Every report is a fixed number of queries whatever the number of pupils: one for the roll,
one aggregate that counts, per pupil and per rule, what the rule counts (conditional
COUNTs generated from the rule data in domain.rules), and one per-year-group aggregate for the
"offered to the year group" rules. Python then only compares counts with thresholds.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, distinct, extract, false, func, or_, select
from sqlalchemy.sql import ColumnElement

from ..database import write_transaction
from ..domain.academic import (YEAR_GROUPS, academic_year_bounds, academic_year_of, cohort_for,
                               year_group)
from ..domain.benchmarks import OrganisationKind
from ..domain.pupil_flags import send_label
from ..domain.rules import (KEY_STAGE_START, PAL_RULES, RULES, EncounterFact, Measure, PupilFact,
                            Rule, RuleResult, RuleSettings, Scope, Window, applies, as_of_day,
                            evaluate, is_met, percentage, settings_from, settings_to)
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Organisation, Participation, Pupil, School


# The roll ------------------------------------------------------------------------------------

@dataclass
class PupilProgress:
    """One pupil on roll in the report's year, with the count for every rule."""

    id: int
    upn: str
    name: str
    sort_name: str
    cohort: int
    year_group: int
    tutor_group: str | None
    send_status: str
    disadvantaged: bool
    looked_after: bool
    considering_he: bool
    joined_on: date | None
    left_on: date | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def fact(self) -> PupilFact:
        return PupilFact(self.cohort, self.joined_on, self.left_on, self.considering_he)


@dataclass(frozen=True)
class Filters:
    """Dashboard filters. Empty strings mean "everyone"."""

    tutor_group: str = ""
    send: str = ""  # "", "any", "none", "K", "E"
    disadvantaged: str = ""  # "", "yes", "no"
    looked_after: str = ""  # "", "yes", "no"

    @property
    def active(self) -> bool:
        return any((self.tutor_group, self.send, self.disadvantaged, self.looked_after))

    def matches(self, pupil: PupilProgress) -> bool:
        if self.tutor_group and pupil.tutor_group != self.tutor_group:
            return False
        if self.send == "any" and pupil.send_status not in ("K", "E"):
            return False
        if self.send == "none" and pupil.send_status in ("K", "E"):
            return False
        if self.send in ("K", "E") and pupil.send_status != self.send:
            return False
        for wanted, value in ((self.disadvantaged, pupil.disadvantaged),
                              (self.looked_after, pupil.looked_after)):
            if wanted and (wanted == "yes") != value:
                return False
        return True

    def describe(self) -> str:
        parts = []
        if self.tutor_group:
            parts.append(f"tutor group {self.tutor_group}")
        parts.append({"any": "SEND (K or E)", "none": "no SEND"}.get(self.send)
                     or (send_label(self.send) if self.send else ""))
        parts.append({"yes": "disadvantaged", "no": "not disadvantaged"}.get(self.disadvantaged, ""))
        parts.append({"yes": "looked after", "no": "not looked after"}.get(self.looked_after, ""))
        return ", ".join(p for p in parts if p) or "everyone"

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in (("tutor_group", self.tutor_group), ("send", self.send),
                                  ("disadvantaged", self.disadvantaged),
                                  ("looked_after", self.looked_after)) if v}


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
    pupils = [PupilProgress(
        id=row.id, upn=row.upn, name=f"{row.preferred_forename or row.legal_forename} {row.surname}",
        sort_name=f"{row.surname}, {row.preferred_forename or row.legal_forename}",
        cohort=row.cohort, year_group=year_group(row.cohort, academic_year),
        tutor_group=row.tutor_group, send_status=row.send_status,
        disadvantaged=row.disadvantaged, looked_after=row.looked_after,
        considering_he=row.considering_he, joined_on=row.joined_on, left_on=row.left_on,
        counts={r.key: 0 for r in rules}) for row in db.session.execute(roll)]
    by_id = {p.id: p for p in pupils}
    if per_pupil is not None:
        for row in db.session.execute(per_pupil):
            pupil = by_id.get(row[0])
            if pupil is not None:
                for index, rule in enumerate(pupil_rules, start=1):
                    pupil.counts[rule.key] = row[index]
    if per_cohort is not None:
        offered = {row[0]: row for row in db.session.execute(per_cohort)}
        for pupil in pupils:
            row = offered.get(pupil.cohort)
            if row is not None:
                for index, rule in enumerate(group_rules, start=1):
                    pupil.counts[rule.key] = row[index]
    return pupils


# The matrix ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    met: int
    total: int

    @property
    def percent(self) -> int | None:
        return percentage(self.met, self.total)


@dataclass
class Matrix:
    academic_year: int
    as_of: date
    rules: tuple[Rule, ...]
    cells: dict[tuple[str, int], Cell]  # (rule key, year group) -> whole cohort
    filtered: dict[tuple[str, int], Cell] | None  # the same for the filtered pupils
    on_roll: dict[int, int]  # year group -> pupils on roll
    settings: RuleSettings
    tutor_groups: list[str] = field(default_factory=list)

    def cell(self, rule: Rule, year: int) -> Cell | None:
        return self.cells.get((rule.key, year))

    def filtered_cell(self, rule: Rule, year: int) -> Cell | None:
        return self.filtered.get((rule.key, year)) if self.filtered is not None else None


def tally(pupils: Iterable[PupilProgress], academic_year: int, settings: RuleSettings,
          rules: Sequence[Rule] = RULES) -> dict[tuple[str, int], Cell]:
    """(rule, year group) -> how many of the pupils it measures have met it.

    Same answer as calling `applies` and `is_met` per pupil and rule; the rules and
    thresholds for each year group are worked out once, as this loop runs for every pupil."""
    plan = {year: [(rule.key, settings.threshold(rule), rule.only_considering_he)
                   for rule in rules if year in rule.year_groups] for year in YEAR_GROUPS}
    counts: dict[tuple[str, int], list[int]] = {}
    for pupil in pupils:
        year = pupil.year_group
        for key, needed, he_only in plan.get(year, ()):
            if he_only and not pupil.considering_he:
                continue
            entry = counts.get((key, year))
            if entry is None:
                entry = counts[(key, year)] = [0, 0]
            entry[1] += 1
            if pupil.counts[key] >= needed:
                entry[0] += 1
    cells = {key: Cell(met, total) for key, (met, total) in counts.items()}
    for rule in rules:  # a measured year group with nobody in it still shows 0 / 0
        for year in rule.year_groups:
            cells.setdefault((rule.key, year), Cell(0, 0))
    return cells


def benchmark_matrix(school_id: int, academic_year: int, today: date,
                     filters: Filters = Filters()) -> Matrix:
    """The dashboard: year groups 7-13 by rule, whole cohort and (when filtered) the group."""
    settings = school_settings(school_id)
    pupils = progress(school_id, academic_year, today, settings=settings)
    filtered = None
    if filters.active:
        filtered = tally([p for p in pupils if filters.matches(p)], academic_year, settings)
    on_roll: dict[int, int] = {}
    for pupil in pupils:
        on_roll[pupil.year_group] = on_roll.get(pupil.year_group, 0) + 1
    return Matrix(academic_year, as_of_day(academic_year, today), RULES,
                  tally(pupils, academic_year, settings), filtered, on_roll, settings,
                  natural_sort({p.tutor_group for p in pupils if p.tutor_group}))


@dataclass
class Gap:
    pupil: PupilProgress
    count: int
    needed: int


def gap_list(school_id: int, rule: Rule, year: int, academic_year: int, today: date,
             filters: Filters = Filters()) -> tuple[list[Gap], int]:
    """Pupils in one year group who have not met `rule`, and how many it measures in all."""
    settings = school_settings(school_id)
    pupils = progress(school_id, academic_year, today, year_groups=[year], settings=settings,
                      rules=[rule])
    measured = [p for p in pupils if applies(rule, p.fact, academic_year) and filters.matches(p)]
    needed = settings.threshold(rule)
    gaps = [Gap(p, p.counts[rule.key], needed) for p in measured
            if not is_met(rule, p.counts[rule.key], settings)]
    return gaps, len(measured)


def natural_sort(names: Iterable[str]) -> list[str]:
    """Tutor groups in school order: 7A, 7B, ... 10A, ... 13B."""
    def key(name: str):
        digits = "".join(ch for ch in name if "0" <= ch <= "9")
        return (int(digits) if digits else 99, name)
    return sorted(names, key=key)


def tutor_groups(school_id: int, academic_year: int, today: date) -> list[str]:
    """Tutor groups of pupils on roll in the year, for the filter."""
    as_of = as_of_day(academic_year, today)
    cohorts = [cohort_for(y, academic_year) for y in YEAR_GROUPS]
    return natural_sort(db.session.scalars(
        select(Pupil.tutor_group).where(*_roll_conditions(school_id, academic_year, as_of, cohorts),
                                        Pupil.tutor_group.is_not(None)).distinct()).all())


# The PAL report --------------------------------------------------------------------------------

@dataclass
class PalPhase:
    rule: Rule
    rows: list[Gap]  # every pupil measured, shortest first
    met: int

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def short(self) -> list[Gap]:
        return [g for g in self.rows if g.count < g.needed]


def pal_report(school_id: int, academic_year: int, today: date,
               filters: Filters = Filters()) -> list[PalPhase]:
    """Per Provider Access phase, each pupil's count of providers and who is short."""
    settings = school_settings(school_id)
    years = sorted({y for rule in PAL_RULES for y in rule.year_groups})
    pupils = [p for p in progress(school_id, academic_year, today, year_groups=years,
                                  settings=settings, rules=PAL_RULES) if filters.matches(p)]
    phases = []
    for rule in PAL_RULES:
        needed = settings.threshold(rule)
        rows = [Gap(p, p.counts[rule.key], needed) for p in pupils
                if applies(rule, p.fact, academic_year)]
        rows.sort(key=lambda g: (g.count >= g.needed, g.count, g.pupil.year_group,
                                 g.pupil.sort_name))
        phases.append(PalPhase(rule, rows, sum(1 for g in rows if g.count >= g.needed)))
    return phases


# One pupil's own progress ----------------------------------------------------------------------

@dataclass
class OwnProgress:
    results: list[RuleResult]
    encounters: dict[int, Encounter]  # id -> the encounters that count, for their titles


def _facts(rows) -> dict[int, EncounterFact]:
    facts: dict[int, dict] = {}
    for row in rows:
        item = facts.setdefault(row.id, dict(
            id=row.id, date=row.date, benchmarks=set(), organisation_id=row.organisation_id,
            organisation_kind=str(row.kind) if row.kind else None, meaningful=row.meaningful,
            planned=row.planned, deleted=row.deleted_at is not None,
            adviser_level6=row.adviser_level6))
        if row.benchmark is not None:
            item["benchmarks"].add(row.benchmark)
    return {k: EncounterFact(**{**v, "benchmarks": frozenset(v["benchmarks"])})
            for k, v in facts.items()}


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
    rules = [r for r in RULES if applies(r, fact, academic_year)]
    own = _facts(db.session.execute(
        _fact_query(pupil.school_id).where(Participation.pupil_id == pupil.id)))
    offered: dict[int, EncounterFact] = {}
    if any(r.scope is Scope.YEAR_GROUP for r in rules):
        offered = _facts(db.session.execute(
            _fact_query(pupil.school_id)
            .join(Pupil, Pupil.id == Participation.pupil_id)
            .where(Pupil.cohort == pupil.cohort, Pupil.school_id == pupil.school_id).distinct()))
    as_of = as_of_day(academic_year, today)
    results = [evaluate(r, fact, (offered if r.scope is Scope.YEAR_GROUP else own).values(),
                        academic_year, as_of, settings) for r in rules]
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

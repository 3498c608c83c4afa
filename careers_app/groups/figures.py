"""Figures across the schools of a trust or partnership (issue 15): aggregates only.

Every figure the trust pages show comes from ONE function, `trust_pupils`, which reads the
pupils on roll in several schools at once with their rule counts: a fixed set of aggregate
statements (the roll, the per-pupil counts, the per-year-group counts), never a loop over
schools. When reports.services grows `progress_for_schools(school_ids, academic_year,
as_of, ...)` (issue 12), only the body of `trust_pupils` changes.

No pupil's name or UPN is read: a group lead gets counts, never people.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from ..domain.academic import YEAR_GROUPS, academic_year_bounds, cohort_for, year_group
from ..domain.progress import (Cell, Filters, Matrix, PupilProgress, add_pupil_counts,
                               add_year_group_counts, build_matrix, has_left, tally)
from ..domain.rules import RULES, Rule, RuleSettings, Scope, settings_from
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Organisation, Participation, Pupil, School
from ..reports.services import TAGS, _measure, _rule_condition


@dataclass
class SchoolPupilProgress(PupilProgress):
    """A pupil's progress with their school: what the trust figures group by."""

    school_id: int = 0


def school_settings_for(school_ids: Sequence[int]) -> dict[int, RuleSettings]:
    """Each school's rule settings, in one query."""
    rows = db.session.execute(select(School.id, School.settings)
                              .where(School.id.in_(list(school_ids))))
    return {school_id: settings_from(raw) for school_id, raw in rows}


# The one function the integrator swaps for reports.services.progress_for_schools --------------

def _roll_where(school_ids: Sequence[int], academic_year: int, as_of: date,
                cohorts: Sequence[int]) -> list:
    start, _end = academic_year_bounds(academic_year)
    return [Pupil.school_id.in_(list(school_ids)), Pupil.cohort.in_(list(cohorts)),
            or_(Pupil.joined_on.is_(None), Pupil.joined_on <= as_of),
            or_(Pupil.left_on.is_(None), Pupil.left_on >= start)]


def _counted(school_ids: Sequence[int], academic_year: int, as_of: date, first_cohort: int):
    """reports.services.counted_encounters for several schools, with each encounter's school."""
    flags = [func.max(case((EncounterBenchmark.benchmark == n, 1), else_=0)).label(f"bm{n}")
             for n in TAGS]
    return (select(Encounter.id, Encounter.school_id, Encounter.academic_year, Encounter.date,
                   Encounter.organisation_id, Encounter.adviser_level6,
                   Organisation.kind.label("organisation_kind"), *flags)
            .select_from(Encounter)
            .outerjoin(EncounterBenchmark, EncounterBenchmark.encounter_id == Encounter.id)
            .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
            .where(Encounter.school_id.in_(list(school_ids)), Encounter.meaningful.is_(True),
                   Encounter.deleted_at.is_(None), Encounter.planned.is_(False),
                   Encounter.academic_year.between(first_cohort, academic_year),
                   Encounter.date <= as_of)
            .group_by(Encounter.id, Encounter.school_id, Encounter.academic_year, Encounter.date,
                      Encounter.organisation_id, Encounter.adviser_level6, Organisation.kind)
            .cte("counted").prefix_with("MATERIALIZED", dialect="postgresql"))


def _condition(rule: Rule, enc, academic_year: int, level6_schools: frozenset[int]):
    """The rule's SQL condition; BM8's level 6 setting differs from school to school."""
    condition = _rule_condition(rule, enc, academic_year, RuleSettings())
    if rule.tag == 8 and level6_schools:
        condition = and_(condition, or_(Pupil.school_id.not_in(sorted(level6_schools)),
                                        enc.c.adviser_level6.is_(True)))
    return condition


def _counts(rules: Sequence[Rule], group_by: Sequence, enc, where: list, academic_year: int,
            level6_schools: frozenset[int]):
    columns = [_measure(r, enc, _condition(r, enc, academic_year, level6_schools)).label(r.key)
               for r in rules]
    return (select(*group_by, *columns)
            .select_from(Pupil)
            .join(Participation, Participation.pupil_id == Pupil.id)
            # An encounter counts for the pupils of its own school, as on the school's own page.
            .join(enc, and_(enc.c.id == Participation.encounter_id,
                            enc.c.school_id == Pupil.school_id))
            .where(*where)
            .group_by(*group_by))


def trust_pupils(school_ids: Sequence[int], academic_year: int, as_of: date,
                 settings: Mapping[int, RuleSettings],
                 rules: Sequence[Rule] = RULES) -> list[SchoolPupilProgress]:
    """Every pupil on roll in any of `school_ids` in `academic_year` (up to `as_of`, the
    last day looked at), with their counts for every rule: three aggregate statements,
    however many schools. No names are read."""
    if not school_ids:
        return []
    cohorts = sorted(cohort_for(y, academic_year) for y in YEAR_GROUPS)
    level6 = frozenset(s for s, chosen in settings.items() if chosen.guidance_needs_level6)
    roll = (select(Pupil.id, Pupil.school_id, Pupil.cohort, Pupil.tutor_group,
                   Pupil.send_status, Pupil.disadvantaged, Pupil.looked_after,
                   Pupil.considering_he, Pupil.joined_on, Pupil.left_on)
            .where(*_roll_where(school_ids, academic_year, as_of, cohorts)))
    pupils = [SchoolPupilProgress(
        id=row.id, upn="", name="", sort_name="", cohort=row.cohort,
        year_group=year_group(row.cohort, academic_year), tutor_group=row.tutor_group,
        send_status=row.send_status, disadvantaged=row.disadvantaged,
        looked_after=row.looked_after, considering_he=row.considering_he,
        joined_on=row.joined_on, left_on=row.left_on, counts={r.key: 0 for r in rules},
        has_left=has_left(row.left_on, as_of), school_id=row.school_id)
        for row in db.session.execute(roll)]
    enc = _counted(school_ids, academic_year, as_of, min(cohorts))
    pupil_rules = [r for r in rules if r.scope is Scope.PUPIL]
    group_rules = [r for r in rules if r.scope is Scope.YEAR_GROUP]
    if pupil_rules:
        add_pupil_counts(pupils, db.session.execute(_counts(
            pupil_rules, [Pupil.id], enc, _roll_where(school_ids, academic_year, as_of, cohorts),
            academic_year, level6)), pupil_rules)
    group_cohorts = [c for c in cohorts
                     if any(year_group(c, academic_year) in r.year_groups for r in group_rules)]
    if group_cohorts:
        rows = db.session.execute(_counts(
            group_rules, [Pupil.school_id, Pupil.cohort], enc,
            [Pupil.school_id.in_(list(school_ids)), Pupil.cohort.in_(group_cohorts)],
            academic_year, level6)).all()
        by_school: dict[int, list[SchoolPupilProgress]] = {}
        for pupil in pupils:
            by_school.setdefault(pupil.school_id, []).append(pupil)
        for school_id, mine in by_school.items():
            add_year_group_counts(mine, [row[1:] for row in rows if row[0] == school_id],
                                  group_rules)
    return pupils


# What the pages show ---------------------------------------------------------------------------

def rule_cells(cells: Mapping[tuple[str, int], Cell],
               rules: Iterable[Rule] = RULES) -> dict[str, Cell]:
    """Per rule, its year groups added up: how many of the pupils it measures have met it."""
    return {rule.key: Cell(sum(cells[(rule.key, y)].met for y in rule.year_groups),
                           sum(cells[(rule.key, y)].total for y in rule.year_groups))
            for rule in rules}


def add_cells(rows: Iterable[Mapping[str, Cell]], rules: Iterable[Rule] = RULES) -> dict[str, Cell]:
    rows = list(rows)
    return {rule.key: Cell(sum(r[rule.key].met for r in rows), sum(r[rule.key].total for r in rows))
            for rule in rules}


@dataclass
class SchoolFigures:
    """One school's row: per rule, the whole cohort and (when filtered) the chosen group."""

    school_id: int
    name: str
    on_roll: int
    cells: dict[str, Cell]
    filtered: dict[str, Cell] | None = None


@dataclass
class TrustFigures:
    academic_year: int
    as_of: date
    filters: Filters
    schools: list[SchoolFigures]
    total: SchoolFigures
    rules: tuple[Rule, ...] = RULES
    settings: dict[int, RuleSettings] = field(default_factory=dict)


def trust_figures(schools: Sequence[tuple[int, str]], academic_year: int, as_of: date,
                  filters: Filters = Filters(), total_label: str = "All schools") -> TrustFigures:
    """Schools x rules for one year as at `as_of`, with the group's total (the schools'
    counts added up, each school measured by its own settings)."""
    ids = [school_id for school_id, _name in schools]
    settings = school_settings_for(ids)
    by_school: dict[int, list[SchoolPupilProgress]] = {school_id: [] for school_id in ids}
    for pupil in trust_pupils(ids, academic_year, as_of, settings):
        by_school[pupil.school_id].append(pupil)
    rows = []
    for school_id, name in schools:
        pupils, chosen = by_school[school_id], settings.get(school_id, RuleSettings())
        filtered = None
        if filters.active:
            filtered = rule_cells(tally([p for p in pupils if filters.matches(p)],
                                        academic_year, chosen))
        rows.append(SchoolFigures(school_id, name, len(pupils),
                                  rule_cells(tally(pupils, academic_year, chosen)), filtered))
    total = SchoolFigures(0, total_label, sum(r.on_roll for r in rows),
                          add_cells(r.cells for r in rows),
                          add_cells(r.filtered for r in rows) if filters.active else None)
    return TrustFigures(academic_year, as_of, filters, rows, total, settings=settings)


def school_matrix(school_id: int, academic_year: int, as_of: date,
                  filters: Filters = Filters()) -> Matrix:
    """One school's dashboard matrix, figures only (no tutor groups, no names)."""
    settings = school_settings_for([school_id]).get(school_id, RuleSettings())
    pupils = trust_pupils([school_id], academic_year, as_of, {school_id: settings})
    return build_matrix(pupils, academic_year, as_of, settings, filters)

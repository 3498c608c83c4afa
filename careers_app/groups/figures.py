"""Figures across the schools of a trust or partnership (issue 15): aggregates only.

Every figure the trust pages show comes from ONE function, `trust_pupils`, which reads the
pupils on roll in several schools at once with their rule counts: the school dashboard's own
aggregate statements (reports.services.progress_for_schools), never a loop over schools, so
a trust's figures and each school's dashboard cannot drift apart.

No name or UPN ever reaches a trust page: a group lead gets counts, never people.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..domain.progress import Cell, Filters, Matrix, PupilProgress, build_matrix, tally
from ..domain.rules import RULES, Rule, RuleSettings
from ..domain.dates import today_london
from ..reports.services import schools_progress, settings_for_schools


def trust_pupils(school_ids: Sequence[int], academic_year: int, as_of: date,
                 settings: Mapping[int, RuleSettings]) -> list[PupilProgress]:
    """Every pupil on roll in any of `school_ids` in `academic_year` (up to `as_of`, the
    last day looked at), with their counts for every rule and their school: each school's
    dashboard figures from the figure cache (reports.services.schools_progress), read for
    all the schools at once, each measured by its own settings. The pages built on it show
    counts only."""
    if not school_ids:
        return []
    by_school = schools_progress(school_ids, academic_year, max(as_of, today_london()),
                                 settings=settings, as_at=as_of)
    return [pupil for school_id in school_ids for pupil in by_school.get(school_id, ())]


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
    settings = settings_for_schools(ids)
    by_school: dict[int, list[PupilProgress]] = {school_id: [] for school_id in ids}
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
    settings = settings_for_schools([school_id]).get(school_id, RuleSettings())
    pupils = trust_pupils([school_id], academic_year, as_of, {school_id: settings})
    return build_matrix(pupils, academic_year, as_of, settings, filters)

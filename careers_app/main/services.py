"""The tutor's home page: their own tutor group, each pupil against each rule.

Built on the reports' services (`progress`): a fixed number of statements whatever the size
of the group, never a query per pupil.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.academic import academic_year_of, year_group
from ..domain.rules import RULES, Rule, applies, as_of_day, is_met
from ..extensions import db
from ..models import Pupil
from ..reports.services import Filters, PupilProgress, progress, school_settings


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

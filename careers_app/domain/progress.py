"""Benchmark progress as plain values: who a report measures, what they have met, and the
figures the dashboard, drill-downs and Provider Access report show.

No Flask and no database here. reports/services.py reads the roll and the per-pupil counts
(a fixed number of aggregate queries) and hands the rows to these functions; everything a
page shows is worked out here, so templates only print values.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .academic import YEAR_GROUPS, academic_year_bounds, year_group
from .pupil_flags import SEND_CODES, has_send, send_label
from .rules import (PAL_RULES, RULES, EncounterFact, PupilFact, Rule, RuleResult, RuleSettings,
                    Scope, applies, band, evaluate, in_progress, is_met, percentage)

# Year groups the Provider Access report covers.
PAL_YEAR_GROUPS: tuple[int, ...] = tuple(sorted({y for r in PAL_RULES for y in r.year_groups}))


def has_left(left_on: date | None, on: date) -> bool:
    """Has the pupil left by `on`? (Shown as "Left ..."; a leaver cannot be ticked in the
    quick log.) The leaving date is the last day on roll: on that day the pupil is still
    here, so they have left only when it is before `on`."""
    return left_on is not None and left_on < on


# Count columns the aggregate adds for Benchmark 8 rules: interviews left out by the level 6
# requirement, with no adviser recorded and with an adviser below level 6.
NO_ADVISER, NOT_LEVEL6 = "__no_adviser", "__not_level6"


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
    has_left: bool = False  # left by the day the report was asked for
    school_id: int = 0
    # rule key -> (no adviser recorded, adviser not level 6): interviews that did not count
    left_out: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def fact(self) -> PupilFact:
        return PupilFact(self.cohort, self.joined_on, self.left_on, self.considering_he)

    @property
    def has_send(self) -> bool:
        return has_send(self.send_status)

    def joined_after_start(self, academic_year: int) -> bool:
        """A joiner that year: admitted after 1 September (a first import puts everyone on
        roll from the start of the year, and that is no joining)."""
        return self.joined_on is not None and \
            self.joined_on > academic_year_bounds(academic_year)[0]

    @classmethod
    def from_roll(cls, row, academic_year: int, today: date,
                  rules: Iterable[Rule] = RULES) -> PupilProgress:
        """From a roll row (attributes named as Pupil's columns; the tutor group and flags
        those of the report's year), every count still 0."""
        forename = row.preferred_forename or row.legal_forename
        return cls(id=row.id, upn=row.upn, name=f"{forename} {row.surname}",
                   sort_name=f"{row.surname}, {forename}", cohort=row.cohort,
                   year_group=year_group(row.cohort, academic_year), tutor_group=row.tutor_group,
                   send_status=row.send_status, disadvantaged=row.disadvantaged,
                   looked_after=row.looked_after, considering_he=row.considering_he,
                   joined_on=row.joined_on, left_on=row.left_on,
                   counts={r.key: 0 for r in rules}, has_left=has_left(row.left_on, today),
                   school_id=getattr(row, "school_id", 0))


def add_pupil_counts(pupils: Iterable[PupilProgress], rows: Iterable, rules: Sequence[Rule],
                     settings_for: Callable[[int], RuleSettings] | None = None) -> None:
    """Rows of (pupil id, one count per rule in `rules`, labelled by rule key): each pupil's
    counts. A Benchmark 8 rule's row also carries the interviews the level 6 requirement
    left out (columns key + NO_ADVISER / NOT_LEVEL6); when the pupil's school has switched
    the requirement off (`settings_for(school_id)`), they count."""
    by_id = {p.id: p for p in pupils}
    for row in rows:
        pupil = by_id.get(row[0])
        if pupil is None:
            continue
        values = row._mapping if hasattr(row, "_mapping") else None
        for index, rule in enumerate(rules, start=1):
            pupil.counts[rule.key] = values[rule.key] if values is not None else row[index]
            if values is None or rule.key + NO_ADVISER not in values:
                continue
            left_out = (values[rule.key + NO_ADVISER], values[rule.key + NOT_LEVEL6])
            settings = settings_for(pupil.school_id) if settings_for else RuleSettings()
            if settings.guidance_needs_level6:
                pupil.left_out[rule.key] = left_out
            else:
                pupil.counts[rule.key] += sum(left_out)


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
        if self.send == "any" and not pupil.has_send:
            return False
        if self.send == "none" and pupil.has_send:
            return False
        if self.send in SEND_CODES and pupil.send_status != self.send:
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


# The matrix ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    met: int
    total: int
    in_progress: bool = False  # the rule's deadline is in a later year group

    @property
    def percent(self) -> int | None:
        return percentage(self.met, self.total)

    @property
    def band(self) -> tuple[str, str]:
        """(css class, word) for the percentage: see domain.bands (never "Low" while the
        deadline is still to come)."""
        return band(self.percent, self.in_progress)


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
    by_key = {rule.key: rule for rule in rules}
    cells = {(key, year): Cell(met, total, in_progress(by_key[key], year))
             for (key, year), (met, total) in counts.items()}
    for rule in rules:  # a measured year group with nobody in it still shows 0 / 0
        for year in rule.year_groups:
            cells.setdefault((rule.key, year), Cell(0, 0, in_progress(rule, year)))
    return cells


def build_matrix(pupils: Sequence[PupilProgress], academic_year: int, as_of: date,
                 settings: RuleSettings, filters: Filters = Filters(),
                 tutor_groups: Sequence[str] = ()) -> Matrix:
    """The dashboard: every rule by year group, for the whole cohort and the filtered group."""
    filtered = None
    if filters.active:
        filtered = tally([p for p in pupils if filters.matches(p)], academic_year, settings)
    on_roll: dict[int, int] = {}
    for pupil in pupils:
        on_roll[pupil.year_group] = on_roll.get(pupil.year_group, 0) + 1
    return Matrix(academic_year, as_of, RULES, tally(pupils, academic_year, settings), filtered,
                  on_roll, settings, list(tutor_groups))


# Gap lists and the PAL report ------------------------------------------------------------------

@dataclass
class Gap:
    pupil: PupilProgress
    count: int
    needed: int
    no_adviser: int = 0  # guidance interviews left out: no adviser recorded
    not_level6: int = 0  # guidance interviews left out: adviser not qualified to level 6

    @property
    def why_not_counted(self) -> str:
        """Why some guidance did not count (Benchmark 8, level 6), in words; else ""."""
        parts = []
        if self.no_adviser:
            parts.append(f"{self.no_adviser} interview{'s' if self.no_adviser > 1 else ''} "
                         "not counted: no adviser recorded")
        if self.not_level6:
            parts.append(f"{self.not_level6} interview{'s' if self.not_level6 > 1 else ''} "
                         "not counted: the adviser is not qualified to level 6")
        return "; ".join(parts)

    @property
    def met(self) -> bool:
        return self.count >= self.needed

    @property
    def short_by(self) -> int:
        return max(self.needed - self.count, 0)


def gap_rows(pupils: Iterable[PupilProgress], rule: Rule, academic_year: int,
             settings: RuleSettings, filters: Filters = Filters()) -> tuple[list[Gap], int]:
    """The pupils `rule` measures (after the filters) who have not met it, and how many it
    measures in all."""
    measured = [p for p in pupils if applies(rule, p.fact, academic_year) and filters.matches(p)]
    needed = settings.threshold(rule)
    gaps = [Gap(p, p.counts[rule.key], needed, *p.left_out.get(rule.key, (0, 0)))
            for p in measured if not is_met(rule, p.counts[rule.key], settings)]
    return gaps, len(measured)


def still_on_roll(gaps: Iterable[Gap]) -> list[int]:
    """Ids of the listed pupils who have not left: only they can be ticked in the quick log."""
    return [g.pupil.id for g in gaps if not g.pupil.has_left]


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
        return [g for g in self.rows if not g.met]


def pal_phases(pupils: Iterable[PupilProgress], academic_year: int, settings: RuleSettings,
               filters: Filters = Filters()) -> list[PalPhase]:
    """Per Provider Access phase, each measured pupil's count of providers, shortest first."""
    pupils = [p for p in pupils if filters.matches(p)]
    phases = []
    for rule in PAL_RULES:
        needed = settings.threshold(rule)
        rows = [Gap(p, p.counts[rule.key], needed) for p in pupils
                if applies(rule, p.fact, academic_year)]
        rows.sort(key=lambda g: (g.met, g.count, g.pupil.year_group, g.pupil.sort_name))
        phases.append(PalPhase(rule, rows, sum(1 for g in rows if g.met)))
    return phases


# One pupil's own progress ----------------------------------------------------------------------

def encounter_facts(rows: Iterable) -> dict[int, EncounterFact]:
    """Rows of one encounter and one of its benchmarks each (attributes id, date,
    organisation_id, kind, meaningful, planned, deleted_at, adviser_level6, adviser_name,
    benchmark): one EncounterFact per encounter, by id."""
    first: dict[int, Any] = {}
    benchmarks: dict[int, set[int]] = {}
    for row in rows:  # /me reads every row of the pupil's record: each is read once
        numbers = benchmarks.get(row.id)
        if numbers is None:
            first[row.id], numbers = row, benchmarks.setdefault(row.id, set())
        if row.benchmark is not None:
            numbers.add(row.benchmark)
    return {key: EncounterFact(
        id=key, date=row.date, benchmarks=frozenset(benchmarks[key]),
        organisation_id=row.organisation_id,
        organisation_kind=str(row.kind) if row.kind else None, meaningful=row.meaningful,
        planned=row.planned, deleted=row.deleted_at is not None,
        adviser_level6=row.adviser_level6, adviser_named=bool(row.adviser_name))
        for key, row in first.items()}


def measured_rules(pupil: PupilFact, academic_year: int) -> list[Rule]:
    """The rules measured in the pupil's year group that year."""
    return [r for r in RULES if applies(r, pupil, academic_year)]


def own_results(rules: Iterable[Rule], pupil: PupilFact, own: Mapping[int, EncounterFact],
                offered: Mapping[int, EncounterFact], academic_year: int, as_of: date,
                settings: RuleSettings) -> list[RuleResult]:
    """Each rule for one pupil: year-group rules read what the pupil took part in and what
    was offered to their year group, the others only what the pupil took part in."""
    both = {**offered, **own}
    return [evaluate(r, pupil, (both if r.scope is Scope.YEAR_GROUP else own).values(),
                     academic_year, as_of, settings) for r in rules]

"""The per-pupil rules the benchmark dashboard measures, as data plus pure functions.

No Flask and no database here: plain values in, plain values out. The reports service turns
the same rule data into one aggregate SQL query; the functions below are the reference that
the pupil's own page, the tests and that query all agree with.

How a rule reads an encounter
-----------------------------
Only encounters that are meaningful, not deleted, not planned (the register has been taken)
and dated on or before the report's "as of" day count (never after today: something in the
future has not happened). An encounter counts for a pupil only while they were on roll:
on or after their admission date and on or before their leaving date (the MIS's leaving
date is the last day on roll). On top of that a rule may ask for:

* a benchmark attached to the encounter (`benchmark`);
* an organisation of certain kinds (`organisation_kinds`);
* a *window* of year groups, always relative to the pupil's year group in the report's year:
  ``this_year`` (that academic year only), ``key_stage`` (from the start of the pupil's
  current key stage up to now) or a fixed ``phase`` such as Y7-11, cut off at now;
* a cut-off inside one year group (Provider Access Legislation: Year 9, Year 11 and Year 13
  count only until 28 February);
* for Benchmark 8, an adviser qualified to level 6 or above (on unless the school turns it
  off).

Phase 3 of the Provider Access Legislation is about what the school *offers*: an encounter
counts for a pupil who took part, and for everyone on roll that day in a year group it was
offered to (the careers leader records the offer; one pupil at a targeted session offers
nothing to the rest of the year group).

What a rule counts (`measure`): encounters, different providers (organisations), or different
kinds of provider. A rule is *met* when the count reaches its threshold. Rules with a deadline
("by the end of Year 11") are reported as "met so far" in the years before the deadline.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from .academic import academic_year_bounds, academic_year_of, key_stage, year_group
from .bands import BAND_LEGEND, BANDS, BandKey, band, percentage  # noqa: F401  (re-exported)

# Provider types, matching OrganisationKind values (kept as plain strings: no model import).
SIXTH_FORM = "sixth_form"
FE_COLLEGE = "fe_college"
UNIVERSITY = "university"
ITP = "itp"
FULL_RANGE = frozenset({SIXTH_FORM, FE_COLLEGE, UNIVERSITY, ITP})
# Provider Access Legislation: providers of technical education or apprenticeships.
PAL_PROVIDERS = frozenset({FE_COLLEGE, ITP})

KEY_STAGE_START = {3: 7, 4: 10, 5: 12}


class Window(StrEnum):
    THIS_YEAR = "this_year"
    KEY_STAGE = "key_stage"
    PHASE = "phase"


class Measure(StrEnum):
    ENCOUNTERS = "encounters"
    PROVIDERS = "providers"  # different organisations
    PROVIDER_KINDS = "provider_kinds"  # different kinds of organisation


class Scope(StrEnum):
    PUPIL = "pupil"  # the pupil took part
    YEAR_GROUP = "year_group"  # the pupil took part, or it was offered to their year group


@dataclass(frozen=True)
class Cutoff:
    """Encounters in `year_group` count only up to and including `month`/`day` of that year."""

    year_group: int
    month: int
    day: int

    def last_day(self, cohort: int) -> date:
        """The last day that counts for a pupil of `cohort` (the spring of that year group)."""
        academic_year = cohort + self.year_group - 7
        return date(academic_year + 1, self.month, self.day)


@dataclass(frozen=True)
class Rule:
    key: str
    benchmark: int | None  # the Gatsby Benchmark it reports under (None: legislation only)
    title: str  # short, for column headings
    text: str  # for staff
    pupil_text: str  # for the pupil: plain words
    year_groups: tuple[int, ...]  # year groups the rule is measured in
    window: Window
    threshold: int
    phase: tuple[int, int] | None = None  # for Window.PHASE
    tag: int | None = None  # benchmark that must be attached to the encounter
    organisation_kinds: frozenset[str] | None = None
    measure: Measure = Measure.ENCOUNTERS
    cutoff: Cutoff | None = None
    only_considering_he: bool = False
    scope: Scope = Scope.PUPIL
    setting: str | None = None  # School.settings key that may change the threshold
    deadline: str = ""  # "by the end of Year 11": explained on the dashboard

    @property
    def label(self) -> str:
        return f"BM{self.benchmark}" if self.benchmark else "PAL"


RULES: tuple[Rule, ...] = (
    Rule("bm2_key_stage", 2, "Labour market information this key stage",
         "At least one careers and labour market information activity (BM2) in each key stage.",
         "Learn about jobs and the world of work at least once in each key stage.",
         (7, 8, 9, 10, 11, 12, 13), Window.KEY_STAGE, 1, tag=2),
    Rule("bm4_year", 4, "Curriculum link this year",
         "At least one curriculum-linked careers activity (BM4) every year.",
         "Have a lesson that links a subject to jobs, every year.",
         (7, 8, 9, 10, 11, 12, 13), Window.THIS_YEAR, 1, tag=4),
    Rule("bm5_year", 5, "Employer encounter this year",
         "At least one meaningful encounter with employers or employees (BM5) every year, Y7-13.",
         "Meet people from work (an employer or someone who works there) every year.",
         (7, 8, 9, 10, 11, 12, 13), Window.THIS_YEAR, 1, tag=5),
    Rule("bm6_pre16", 6, "Workplace experiences by end of Y11",
         "Meaningful experiences of workplaces (BM6) by the end of Year 11.",
         "Visit or work in real workplaces before the end of Year 11.",
         (7, 8, 9, 10, 11), Window.PHASE, 2, phase=(7, 11), tag=6, setting="bm6_pre16",
         deadline="by the end of Year 11"),
    Rule("bm6_post16", 6, "Workplace experience in Y12-13",
         "Further meaningful experience of workplaces (BM6) in Years 12-13.",
         "Have another real workplace experience in Year 12 or 13.",
         (12, 13), Window.PHASE, 1, phase=(12, 13), tag=6, setting="bm6_post16",
         deadline="by the end of Year 13"),
    Rule("bm7_range", 7, "Full range of providers by end of Y11",
         "Encounters (BM7) with every type of provider by the end of Year 11: sixth form, "
         "FE college, university and an ITP or apprenticeship provider.",
         "Meet a sixth form, a college, a university and an apprenticeship provider before the "
         "end of Year 11.",
         (7, 8, 9, 10, 11), Window.PHASE, len(FULL_RANGE), phase=(7, 11), tag=7,
         organisation_kinds=FULL_RANGE, measure=Measure.PROVIDER_KINDS,
         deadline="by the end of Year 11"),
    Rule("bm7_he", 7, "Two university visits (considering HE)",
         "Pupils considering higher education: at least two university encounters (BM7) by the "
         "end of Year 13.",
         "You said you might go to university: visit universities at least twice by the end of "
         "Year 13.",
         (12, 13), Window.PHASE, 2, phase=(7, 13), tag=7,
         organisation_kinds=frozenset({UNIVERSITY}), only_considering_he=True,
         deadline="by the end of Year 13"),
    Rule("bm8_pre16", 8, "Guidance interview by end of Y11",
         "At least one personal guidance interview (BM8) by the end of Year 11.",
         "Have a one-to-one talk with a careers adviser before the end of Year 11.",
         (7, 8, 9, 10, 11), Window.PHASE, 1, phase=(7, 11), tag=8,
         deadline="by the end of Year 11"),
    Rule("bm8_post16", 8, "Guidance interview in Y12-13",
         "At least one more personal guidance interview (BM8) in Years 12-13.",
         "Have another one-to-one talk with a careers adviser in Year 12 or 13.",
         (12, 13), Window.PHASE, 1, phase=(12, 13), tag=8, deadline="by the end of Year 13"),
    Rule("pal_y8_9", None, "PAL: 2 providers in Y8-9",
         "Provider Access Legislation: encounters with two different providers of technical "
         "education or apprenticeships in Year 8, or Year 9 until 28 February.",
         "Meet two different colleges or apprenticeship providers in Year 8 or early Year 9.",
         (8, 9), Window.PHASE, 2, phase=(8, 9), organisation_kinds=PAL_PROVIDERS,
         measure=Measure.PROVIDERS, cutoff=Cutoff(9, 2, 28), deadline="by 28 February in Year 9"),
    Rule("pal_y10_11", None, "PAL: 2 providers in Y10-11",
         "Provider Access Legislation: encounters with two different providers of technical "
         "education or apprenticeships in Year 10, or Year 11 until 28 February.",
         "Meet two different colleges or apprenticeship providers in Year 10 or early Year 11.",
         (10, 11), Window.PHASE, 2, phase=(10, 11), organisation_kinds=PAL_PROVIDERS,
         measure=Measure.PROVIDERS, cutoff=Cutoff(11, 2, 28),
         deadline="by 28 February in Year 11"),
    Rule("pal_y12_13", None, "PAL: 2 providers offered in Y12-13",
         "Provider Access Legislation: encounters with two different providers of technical "
         "education or apprenticeships offered in Year 12, or Year 13 until 28 February "
         "(attendance is optional: an encounter counts for everyone on roll that day in a "
         "year group it was offered to, and for any pupil who took part).",
         "Be offered talks from two different colleges or apprenticeship providers in Year 12 "
         "or early Year 13.",
         (12, 13), Window.PHASE, 2, phase=(12, 13), organisation_kinds=PAL_PROVIDERS,
         measure=Measure.PROVIDERS, cutoff=Cutoff(13, 2, 28), scope=Scope.YEAR_GROUP,
         deadline="by 28 February in Year 13"),
)
RULES_BY_KEY: dict[str, Rule] = {rule.key: rule for rule in RULES}
PAL_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.key.startswith("pal_"))


# Settings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleSettings:
    """Per-school choices: thresholds, and whether BM8 needs a level 6 adviser."""

    thresholds: Mapping[str, int] = field(default_factory=dict)
    # The 2025 statutory guidance: guidance counts only from an adviser qualified to level 6.
    guidance_needs_level6: bool = True

    def threshold(self, rule: Rule) -> int:
        if rule.setting and rule.setting in self.thresholds:
            return self.thresholds[rule.setting]
        return rule.threshold


SETTABLE = {rule.setting: rule for rule in RULES if rule.setting}
THRESHOLD_RANGE = range(1, 11)


def settings_from(raw: Mapping | None) -> RuleSettings:
    """Read School.settings; anything missing or out of range falls back to the default."""
    raw = raw or {}
    stored = raw.get("thresholds") or {}
    thresholds = {}
    for key in SETTABLE:
        value = stored.get(key) if isinstance(stored, Mapping) else None
        if isinstance(value, int) and not isinstance(value, bool) and value in THRESHOLD_RANGE:
            thresholds[key] = value
    return RuleSettings(thresholds, bool(raw.get("guidance_needs_level6", True)))


def settings_to(settings: RuleSettings, raw: Mapping | None = None) -> dict:
    """A new School.settings dict with these rule settings; other keys are kept."""
    result = dict(raw or {})
    result["thresholds"] = dict(settings.thresholds)
    result["guidance_needs_level6"] = settings.guidance_needs_level6
    return result


# Facts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EncounterFact:
    """What the rules need to know about one encounter a pupil (or classmate) took part in."""

    id: int
    date: date
    benchmarks: frozenset[int] = frozenset()
    organisation_id: int | None = None
    organisation_kind: str | None = None
    meaningful: bool = True
    planned: bool = False
    deleted: bool = False
    adviser_level6: bool = False
    adviser_named: bool = False  # an adviser's name was recorded


@dataclass(frozen=True)
class PupilFact:
    cohort: int
    joined_on: date | None = None
    left_on: date | None = None
    considering_he: bool = False


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    applies: bool
    met: bool
    count: int
    needed: int
    counted: tuple[int, ...]  # ids of the encounters that count
    # Guidance interviews left out by the level 6 requirement (Benchmark 8), and why.
    no_adviser: int = 0  # no adviser recorded
    not_level6: int = 0  # an adviser not qualified to level 6


# Pure functions -----------------------------------------------------------------------------

def as_of_day(academic_year: int, today: date) -> date:
    """The last day a report on `academic_year` looks at: today (or the chosen "as at" day),
    or the year's last day when that is earlier."""
    return min(today, academic_year_bounds(academic_year)[1])


def on_roll(pupil: PupilFact, academic_year: int, as_of: date) -> bool:
    """Measured in the year: on roll on some day between 1 September and `as_of`, so joiners
    and leavers both count for the part of the year they were here."""
    start, _end = academic_year_bounds(academic_year)
    if pupil.joined_on and pupil.joined_on > as_of:
        return False
    if pupil.left_on and pupil.left_on < start:
        return False
    return True


def on_roll_on(pupil: PupilFact, day: date) -> bool:
    """On roll on `day`: admission date <= day <= leaving date (the last day on roll)."""
    return ((pupil.joined_on is None or pupil.joined_on <= day)
            and (pupil.left_on is None or day <= pupil.left_on))


def applies(rule: Rule, pupil: PupilFact, academic_year: int) -> bool:
    """Is the pupil measured by this rule in that year (year group, and the HE flag)?"""
    if year_group(pupil.cohort, academic_year) not in rule.year_groups:
        return False
    return pupil.considering_he or not rule.only_considering_he


def in_progress(rule: Rule, year: int) -> bool:
    """Is a figure for `rule` in year group `year` progress towards a deadline still to come?
    ("by the end of Year 11" read in Years 7-10.) The deadline's own year keeps its bands."""
    return bool(rule.deadline) and rule.window is Window.PHASE and year < rule.phase[1]


def window(rule: Rule, current_year_group: int) -> tuple[int, int]:
    """Year groups (inclusive) whose encounters count, for a pupil now in `current_year_group`."""
    if rule.window is Window.THIS_YEAR:
        return current_year_group, current_year_group
    if rule.window is Window.KEY_STAGE:
        stage = key_stage(current_year_group)
        return KEY_STAGE_START.get(stage, current_year_group), current_year_group
    low, high = rule.phase  # type: ignore[misc]
    return low, min(high, current_year_group)


def encounter_counts(rule: Rule, encounter: EncounterFact, cohort: int, academic_year: int,
                     as_of: date, settings: RuleSettings | None = None,
                     pupil: PupilFact | None = None) -> bool:
    """Does this encounter count towards the rule for a pupil of `cohort` in `academic_year`?

    With `pupil`, only while they were on roll (never before admission or after leaving)."""
    settings = settings or RuleSettings()
    if not encounter.meaningful or encounter.planned or encounter.deleted:
        return False
    if encounter.date > as_of:
        return False
    if pupil is not None and not on_roll_on(pupil, encounter.date):
        return False
    if rule.tag is not None and rule.tag not in encounter.benchmarks:
        return False
    if rule.tag == 8 and settings.guidance_needs_level6 and not encounter.adviser_level6:
        return False
    if rule.organisation_kinds is not None and encounter.organisation_kind not in rule.organisation_kinds:
        return False
    encounter_year = academic_year_of(encounter.date)
    if encounter_year > academic_year:
        return False
    low, high = window(rule, year_group(cohort, academic_year))
    if not low <= year_group(cohort, encounter_year) <= high:
        return False
    if rule.cutoff and year_group(cohort, encounter_year) == rule.cutoff.year_group:
        if encounter.date > rule.cutoff.last_day(cohort):
            return False
    return True


def left_out_by_level6(rule: Rule, encounter: EncounterFact, cohort: int, academic_year: int,
                       as_of: date, settings: RuleSettings,
                       pupil: PupilFact | None = None) -> str | None:
    """Why a guidance interview does not count when only the level 6 requirement stops it:
    "no_adviser" (nobody recorded) or "not_level6"; otherwise None."""
    if rule.tag != 8 or not settings.guidance_needs_level6 or encounter.adviser_level6:
        return None
    relaxed = replace(settings, guidance_needs_level6=False)
    if not encounter_counts(rule, encounter, cohort, academic_year, as_of, relaxed, pupil):
        return None
    return "not_level6" if encounter.adviser_named else "no_adviser"


def measure(rule: Rule, counted: Iterable[EncounterFact]) -> int:
    """The number the rule compares with its threshold."""
    counted = list(counted)
    if rule.measure is Measure.PROVIDERS:
        return len({e.organisation_id for e in counted if e.organisation_id is not None})
    if rule.measure is Measure.PROVIDER_KINDS:
        return len({e.organisation_kind for e in counted if e.organisation_kind})
    return len({e.id for e in counted})


def is_met(rule: Rule, count: int, settings: RuleSettings | None = None) -> bool:
    return count >= (settings or RuleSettings()).threshold(rule)


def evaluate(rule: Rule, pupil: PupilFact, encounters: Iterable[EncounterFact],
             academic_year: int, as_of: date,
             settings: RuleSettings | None = None) -> RuleResult:
    """One pupil against one rule. `encounters` are those the pupil took part in (and, for a
    year-group rule, those offered to the pupil's year group). Only those on days the pupil
    was on roll count."""
    settings = settings or RuleSettings()
    needed = settings.threshold(rule)
    encounters = list(encounters)
    counted = sorted((e for e in encounters if encounter_counts(
        rule, e, pupil.cohort, academic_year, as_of, settings, pupil)), key=lambda e: (e.date, e.id))
    count = measure(rule, counted)
    ids = tuple(dict.fromkeys(e.id for e in counted))
    reasons = [left_out_by_level6(rule, e, pupil.cohort, academic_year, as_of, settings, pupil)
               for e in {e.id: e for e in encounters}.values()]
    return RuleResult(rule, applies(rule, pupil, academic_year), count >= needed, count, needed,
                      ids, reasons.count("no_adviser"), reasons.count("not_level6"))

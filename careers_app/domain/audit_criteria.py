"""The benchmark audit of practice: the criteria set (kept as data) and the pure rules around it.

The criteria live in ``careers_app/data/audit_criteria.json``: the eight Gatsby Benchmarks in
their 2025 wording, each with its criteria, and for the criteria the data can evidence, how
they are measured (a dashboard rule over some year groups, or a Benchmark 1 fact from the
school's settings). No Flask and no database here: plain values in, plain values out.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

from .benchmarks import BY_NUMBER
from .rules import RULES_BY_KEY, percentage

CRITERIA_FILE = Path(__file__).resolve().parent.parent / "data" / "audit_criteria.json"


class Rating(StrEnum):
    """How far a criterion is met. An unanswered criterion has no rating ("")."""

    NOT = "not"
    PARTIAL = "partial"
    ACHIEVED = "achieved"


RATING_LABELS = {Rating.NOT: "Not achieved", Rating.PARTIAL: "Partially achieved",
                 Rating.ACHIEVED: "Achieved"}


def rating_label(value: str | None) -> str:
    """"Achieved", "Partially achieved", "Not achieved", or "Not answered"."""
    try:
        return RATING_LABELS[Rating(value)]
    except ValueError:
        return "Not answered"


# Benchmark 1 facts kept in School.settings["benchmark1"], and their labels.
SETTING_FACTS = {
    "careers_leader": "Named Careers Leader",
    "governor_link": "Governor or trustee link for careers",
    "programme_url": "Careers programme web page",
    "last_review": "Last review of the careers programme",
}
REVIEW_YEARS = 3  # the programme is evaluated at least every three years


@dataclass(frozen=True)
class Measure:
    """How a criterion is evidenced from the data: a rule over year groups, or a setting."""

    rule: str | None = None
    year_groups: tuple[int, ...] = ()
    evidence: str = ""  # "had a meaningful employer encounter this year"
    setting: str | None = None


@dataclass(frozen=True)
class Criterion:
    key: str
    benchmark: int
    text: str
    measure: Measure | None = None

    @property
    def measurable(self) -> bool:
        return self.measure is not None


@dataclass(frozen=True)
class BenchmarkCriteria:
    number: int
    name: str
    statement: str
    criteria: tuple[Criterion, ...]

    @property
    def label(self) -> str:
        return f"BM{self.number}"


class CriteriaError(ValueError):
    """The criteria file does not describe a valid audit."""


def parse_criteria(raw: Mapping) -> tuple[BenchmarkCriteria, ...]:
    """Check and convert the criteria data; raises CriteriaError on anything inconsistent."""
    benchmarks = []
    keys: set[str] = set()
    for entry in raw.get("benchmarks", ()):
        number = entry["number"]
        if number not in BY_NUMBER or BY_NUMBER[number].name != entry["name"]:
            raise CriteriaError(f"Benchmark {number} must be named {BY_NUMBER.get(number)!r}.")
        criteria = []
        for item in entry["criteria"]:
            key = item["key"]
            if key in keys or not key.startswith(f"bm{number}_") or len(key) > 60:
                raise CriteriaError(f"Criterion key {key!r} is repeated or malformed.")
            keys.add(key)
            measure = None
            if item.get("measure"):
                m = item["measure"]
                if m.get("setting"):
                    if m["setting"] not in SETTING_FACTS:
                        raise CriteriaError(f"{key}: unknown setting {m['setting']!r}.")
                    measure = Measure(setting=m["setting"])
                else:
                    rule = RULES_BY_KEY.get(m.get("rule", ""))
                    years = tuple(m.get("year_groups", ()))
                    if rule is None or not years or not set(years) <= set(rule.year_groups):
                        raise CriteriaError(f"{key}: unknown rule or year groups it does not measure.")
                    measure = Measure(rule=rule.key, year_groups=years, evidence=m.get("evidence", ""))
            criteria.append(Criterion(key, number, item["text"], measure))
        benchmarks.append(BenchmarkCriteria(number, entry["name"], entry.get("statement", ""),
                                            tuple(criteria)))
    if [b.number for b in benchmarks] != sorted(BY_NUMBER):
        raise CriteriaError("The criteria must cover Benchmarks 1 to 8, in order.")
    return tuple(benchmarks)


@cache
def criteria_set() -> tuple[BenchmarkCriteria, ...]:
    """The audit's benchmarks and criteria, read once from the data file."""
    with CRITERIA_FILE.open(encoding="utf-8") as handle:
        return parse_criteria(json.load(handle))


@cache
def criteria_by_key() -> dict[str, Criterion]:
    return {c.key: c for b in criteria_set() for c in b.criteria}


# Suggested ratings ------------------------------------------------------------------------

@dataclass(frozen=True)
class Thresholds:
    """A measured percentage suggests Achieved at or above `achieved`, Partially above
    `partial_above`, else Not achieved. Schools may tune both (School.settings)."""

    achieved: int = 100
    partial_above: int = 0


def thresholds_from(raw: Mapping | None) -> Thresholds:
    """Read School.settings["audit_thresholds"]; anything invalid falls back to the default."""
    stored = (raw or {}).get("audit_thresholds") or {}
    if not isinstance(stored, Mapping):
        return Thresholds()
    achieved, partial = stored.get("achieved"), stored.get("partial_above")
    valid = all(isinstance(v, int) and not isinstance(v, bool) for v in (achieved, partial))
    if not valid or not 0 <= partial < achieved <= 100:
        return Thresholds()
    return Thresholds(achieved, partial)


def suggest_rating(percent: int | None, thresholds: Thresholds = Thresholds()) -> str:
    """The rating a measured percentage suggests; "" when nobody is measured."""
    if percent is None:
        return ""
    if percent >= thresholds.achieved:
        return Rating.ACHIEVED.value
    if percent > thresholds.partial_above:
        return Rating.PARTIAL.value
    return Rating.NOT.value


def year_range(year_groups: Iterable[int]) -> str:
    """"Y11", "Y7-Y11", or "Y9, Y11" when they are not consecutive."""
    years = sorted(set(year_groups))
    if not years:
        return ""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"Y{years[0]}-Y{years[-1]}"
    return ", ".join(f"Y{y}" for y in years)


def evidence_sentence(year_groups: Iterable[int], met: int, total: int, evidence: str) -> str:
    """"Y7-Y11: 86% (1,032 of 1,200) had a meaningful employer encounter this year"."""
    label = year_range(year_groups)
    if total <= 0:
        return f"{label}: no pupils measured"
    return f"{label}: {percentage(met, total)}% ({met:,} of {total:,}) {evidence}".rstrip()


@dataclass(frozen=True)
class FactEvidence:
    text: str
    suggested: str


def setting_evidence(setting: str, facts: Mapping | None, today: date) -> FactEvidence:
    """Evidence for a Benchmark 1 criterion from the school's settings."""
    facts = facts or {}
    label = SETTING_FACTS[setting]
    value = facts.get(setting)
    if setting == "last_review":
        reviewed = None
        if isinstance(value, str):
            try:
                reviewed = date.fromisoformat(value)
            except ValueError:
                reviewed = None
        if reviewed is None:
            return FactEvidence(f"{label}: not recorded in the audit settings", Rating.NOT.value)
        shown = f"{reviewed.day} {reviewed.strftime('%b %Y')}"
        try:
            due = reviewed.replace(year=reviewed.year + REVIEW_YEARS)
        except ValueError:  # 29 February
            due = date(reviewed.year + REVIEW_YEARS, 3, 1)
        if today < due:
            return FactEvidence(f"{label}: {shown}", Rating.ACHIEVED.value)
        return FactEvidence(f"{label}: {shown}, more than {REVIEW_YEARS} years ago",
                            Rating.PARTIAL.value)
    if isinstance(value, str) and value.strip():
        return FactEvidence(f"{label}: {value.strip()}", Rating.ACHIEVED.value)
    return FactEvidence(f"{label}: not recorded in the audit settings", Rating.NOT.value)


# Scores ----------------------------------------------------------------------------------------

def score(ratings: Iterable[str | None], criteria_count: int) -> int | None:
    """Compass-style score: the percentage of a benchmark's criteria rated Achieved."""
    achieved = sum(1 for r in ratings if r == Rating.ACHIEVED.value)
    return percentage(achieved, criteria_count)


def change(now: int | None, before: int | None) -> int | None:
    """Percentage points gained (or lost) since the previous audit; None without both."""
    if now is None or before is None:
        return None
    return now - before


def describe_change(points: int | None) -> str:
    if points is None:
        return "No previous audit"
    if points == 0:
        return "No change"
    return f"{'Up' if points > 0 else 'Down'} {abs(points)} points"

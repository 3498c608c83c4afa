"""The one place an Encounter is made.

Every feature that records an encounter (the quick log, planned events, guidance interviews,
work experience placements, the demo school) builds it here and describes it here, so its
academic year always follows from its date and its benchmarks from its kind unless chosen.
The demo's bulk seeding writes rows with INSERT statements instead, for speed.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..domain.academic import academic_year_of
from ..domain.benchmarks import EncounterKind, default_benchmarks
from ..models import Encounter, EncounterBenchmark


def new_encounter(school_id: int, created_by_id: int | None, **columns) -> Encounter:
    """A new encounter of the school, not yet in the session (the caller adds it)."""
    return Encounter(school_id=school_id, created_by_id=created_by_id, **columns)


def describe_encounter(encounter: Encounter, title: str, kind: EncounterKind, day: date) -> None:
    """What the encounter is and when it happens; its academic year follows from the date."""
    encounter.title = title
    encounter.kind = kind
    encounter.date = day
    encounter.academic_year = academic_year_of(day)


def set_benchmarks(encounter: Encounter, numbers: Iterable[int] | None = None) -> None:
    """The benchmarks the encounter counts for: `numbers`, or the kind's defaults when None
    (an empty list means none). Rows already there are kept."""
    if numbers is None:
        numbers = default_benchmarks(encounter.kind)
    current = {row.benchmark: row for row in encounter.benchmark_rows}
    encounter.benchmark_rows = [current.get(n) or EncounterBenchmark(benchmark=n) for n in numbers]

"""Leavers' destinations (Benchmark 3): statuses, years after leaving, and the summary."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

STATUSES: dict[str, str] = {
    "education": "Education",
    "apprenticeship": "Apprenticeship",
    "employment": "Employment",
    "training": "Training",
    "neet": "NEET (not in education, employment or training)",
    "not_known": "Not known",
}
NOT_KNOWN = "not_known"
YEARS_AFTER = (1, 2, 3)


def status_label(status: str) -> str:
    return STATUSES.get(status, status)


def year_after_label(year_after: int, leaving_year: int | None = None) -> str:
    """"1st year after leaving", with the academic year when the leaving year is known."""
    ordinal = {1: "1st", 2: "2nd", 3: "3rd"}.get(year_after, f"{year_after}th")
    text = f"{ordinal} year after leaving"
    if leaving_year is not None:
        start = leaving_year + year_after
        text += f" ({start}/{(start + 1) % 100:02d})"
    return text


@dataclass(frozen=True)
class StatusShare:
    status: str
    label: str
    count: int
    percent: float


def summarise(statuses: Iterable[str | None]) -> list[StatusShare]:
    """Count and percentage per status; a leaver with no record counts as "not known".

    Percentages are of all leavers and rounded to one place, so they may not sum to exactly 100.
    """
    counts = Counter(status or NOT_KNOWN for status in statuses)
    total = sum(counts.values())
    return [StatusShare(key, label, counts.get(key, 0),
                        round(100 * counts.get(key, 0) / total, 1) if total else 0.0)
            for key, label in STATUSES.items()]

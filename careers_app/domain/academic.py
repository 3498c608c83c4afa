"""Academic years, year groups and key stages in English secondary schools.

An academic year runs from 1 September to 31 August and is named by the calendar year it
starts in: 2025 is "2025/26". A pupil's *cohort* is the academic year in which they were (or
will be) in Year 7, so their year group follows from the date and never goes stale.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

FIRST_YEAR_GROUP = 7
LAST_YEAR_GROUP = 13
YEAR_GROUPS = tuple(range(FIRST_YEAR_GROUP, LAST_YEAR_GROUP + 1))
SEPTEMBER = 9


def academic_year_of(day: date) -> int:
    """The academic year (by its starting calendar year) that contains `day`."""
    return day.year if day.month >= SEPTEMBER else day.year - 1


def academic_year_label(start_year: int) -> str:
    """`2025` -> `"2025/26"`."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_academic_year_label(text: str) -> int | None:
    """`"2025/26"` or `"2025"` -> 2025; anything else -> None."""
    text = text.strip()
    head, _, tail = text.partition("/")
    if not head.isdigit() or len(head) != 4:
        return None
    start = int(head)
    if tail and (not tail.isdigit() or int(tail) != (start + 1) % 100):
        return None
    return start


def academic_year_bounds(start_year: int) -> tuple[date, date]:
    """First and last day (inclusive) of an academic year."""
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def year_group(cohort: int, academic_year: int) -> int:
    """The year group of a pupil of `cohort` during `academic_year` (may fall outside 7-13)."""
    return FIRST_YEAR_GROUP + academic_year - cohort


def cohort_for(year_group_now: int, academic_year: int) -> int:
    """The cohort of a pupil who is in `year_group_now` during `academic_year`."""
    return academic_year - (year_group_now - FIRST_YEAR_GROUP)


def key_stage(year: int) -> int | None:
    """Key stage of a secondary year group: 3 (Y7-9), 4 (Y10-11), 5 (Y12-13), else None."""
    if 7 <= year <= 9:
        return 3
    if 10 <= year <= 11:
        return 4
    if 12 <= year <= 13:
        return 5
    return None


def natural_sort(names: Iterable[str]) -> list[str]:
    """Tutor groups in school order: 7A, 7B, ... 10A, ... 13B (names without a number last)."""
    def key(name: str):
        digits = "".join(ch for ch in name if "0" <= ch <= "9")  # not "²": int() refuses it
        return (int(digits) if digits else 99, name)
    return sorted(names, key=key)

"""Reading the dates that school action plans are written with, and amounts in pounds.

The rule for dates, shown to the user in the import preview:

* a full date ("3 March 2026", "3 Mar 2026", "03/03/2026" day first, "2026-03-03") is that day;
* a month and year ("November 2022", "Nov 2022", "Sept 2019", "11/2022") is the **first of
  the month**, and is marked as month-only;
* a date may begin the cell and be followed by the milestone's title after a dash or colon
  ("November 2022 - Careers Focus Day 1"), or sit inside it ("Bursary secured by April 2023");
* "Ongoing", "TBC", "n/a" or a blank cell mean no milestone; anything else is an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import InputError
from .parsing import EARLIEST_DATE, LATEST_DATE, parse_money

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
NO_DATE_WORDS = {"", "ongoing", "tbc", "tba", "n/a", "na", "none", "-"}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEPARATOR = r"\s*(?:[-–—:]\s*)?"
_PATTERNS = (
    # 3 March 2026, 3rd Mar. 2026
    ("day", re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\.?,?\s+"
                       rf"(?P<year>\d{{4}})\b", re.I | re.A)),
    # 2026-03-03
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b", re.A)),
    # 03/03/2026 (British: day first)
    ("dmy", re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\b", re.A)),
    # November 2022, Sept 2019
    ("month", re.compile(rf"\b(?P<month>{_MONTH})\.?,?\s+(?P<year>\d{{4}})\b", re.I | re.A)),
    # 11/2022
    ("mmyyyy", re.compile(r"\b(?P<month>\d{1,2})/(?P<year>\d{4})\b", re.A)),
)
# The patterns match ASCII digits only (re.A): `\d` alone also matches "٣", which int() reads.
EARLIEST_YEAR, LATEST_YEAR = EARLIEST_DATE.year, LATEST_DATE.year


class DateCellError(ValueError):
    """The cell has text but no date we can read."""


@dataclass(frozen=True)
class CellDate:
    """A date read from a cell, whether only the month was given, and the rest of the text."""

    day: date
    month_only: bool
    rest: str

    @property
    def rule(self) -> str:
        if self.month_only:
            return "month only: taken as the first of the month"
        return "exact date"


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text.lower().rstrip(".")]


def parse_date_cell(text: str | None) -> CellDate | None:
    """Read a milestone cell. None means "no milestone" (blank, Ongoing, TBC).

    Raises DateCellError for text with no readable date.
    """
    cell = " ".join((text or "").split())
    if cell.lower().rstrip(".") in NO_DATE_WORDS:
        return None
    for kind, pattern in _PATTERNS:
        match = pattern.search(cell)
        if not match:
            continue
        year, month = int(match["year"]), _month_number(match["month"])
        day = int(match.groupdict().get("day") or 1)
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise DateCellError(f"“{match.group(0)}” has a year outside {EARLIEST_YEAR}-{LATEST_YEAR}.")
        try:
            value = date(year, month, day)
        except ValueError:
            raise DateCellError(f"“{match.group(0)}” is not a real date.") from None
        before, after = cell[:match.start()].strip(), cell[match.end():]
        if before:
            rest = cell  # the date sits inside a sentence: keep the sentence whole
        else:
            rest = re.sub(rf"^{_SEPARATOR}", "", after).strip()
        return CellDate(value, kind in ("month", "mmyyyy"), rest)
    raise DateCellError(f"“{cell[:60]}” has no date we can read. Use a date like "
                        "“3 Mar 2026” or a month like “Sept 2019”, or “Ongoing” for none.")


class MoneyError(ValueError):
    pass


def parse_pounds(text: str | None) -> int | None:
    """"£1,250.50" -> 125050 (pence); blank -> None."""
    cell = (text or "").strip().replace(",", "").replace("£", "").replace("GBP", "").strip()
    try:
        amount = parse_money(cell)
    except InputError as error:
        raise MoneyError(error.message) from None
    return None if amount is None else int(amount * 100)


def format_pounds(pence: int | None) -> str:
    """125050 -> "£1,250.50"; 25000 -> "£250"; None -> ""."""
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"


_BENCHMARK = re.compile(r"^\s*(?:(?:gatsby\s+)?(?:benchmark|bm)\s*)?([1-8])(?![0-9])[.:)]?\s*(.*)$",
                        re.I | re.S)


def split_benchmark(text: str | None) -> tuple[int | None, str]:
    """"5. Encounters with employers ..." or "BM5 ..." -> (5, "Encounters with employers ...").
    Anything else is an aim with no benchmark."""
    cell = (text or "").strip()
    match = _BENCHMARK.match(cell)
    if match:
        return int(match.group(1)), match.group(2).strip()
    return None, cell

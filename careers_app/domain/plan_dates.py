"""Reading the dates that school action plans are written with, and amounts in pounds.

The rule for dates, shown to the user in the import preview:

* a full date ("3 March 2026", "3 Mar 2026", "03/03/2026" day first, "2026-03-03") is that day;
* a month and year ("November 2022", "Nov 2022", "Sept 2019", "11/2022") is the **first of
  the month**, and is marked as month-only;
* a season or term and year ("Summer 2023", "Spring term 2024") is the first day of that
  season: spring 1 March, summer 1 June, autumn 1 September, winter 1 December (each falls
  inside the school term of the same name); the preview says so;
* a date may begin the cell and be followed by the milestone's title after a dash or colon
  ("November 2022 - Careers Focus Day 1"), be led by "by", "from", "before" or "until"
  ("by April 2023"), be followed by "and ongoing" ("Sept 2019 and ongoing"), or sit inside a
  sentence ("Bursary secured by April 2023", "December 2022 for roadmap work"): then the
  whole sentence is the title;
* "Ongoing", "TBC", "n/a" or a blank cell mean no milestone. Other text with no date raises
  NoDateError (the import keeps it as an action without a milestone); a date that cannot
  exist ("31/02/2026") raises ImpossibleDateError.
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
# A season is its first day; each lies inside the school term of the same name.
SEASONS = {"spring": (3, 1), "summer": (6, 1), "autumn": (9, 1), "winter": (12, 1)}
NO_DATE_WORDS = {"", "ongoing", "tbc", "tba", "n/a", "na", "none", "-"}
# Words that lead a date without changing it: "by April 2023" is April 2023.
LEAD_WORDS = {"by", "from", "before", "until", "till", "in", "on", "during", "starting",
              "w/c", "wc", "week commencing", "by end of", "by the end of", "end of"}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEASON = "|".join(SEASONS)
_SEPARATOR = re.compile(r"^\s*[-–—:]\s*")
_ONGOING = re.compile(r"^\s*,?\s*(?:and|&|then)?\s*(?:ongoing|onwards|on-going)\s*\.?\s*$", re.I)
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
    # Summer 2023, Spring term 2024
    ("season", re.compile(rf"\b(?P<season>{_SEASON})(?:\s+term)?,?\s+(?P<year>\d{{4}})\b", re.I | re.A)),
)
# The patterns match ASCII digits only (re.A): `\d` alone also matches "٣", which int() reads.
EARLIEST_YEAR, LATEST_YEAR = EARLIEST_DATE.year, LATEST_DATE.year


class DateCellError(ValueError):
    """The cell has text but no date we can use."""


class NoDateError(DateCellError):
    """The cell's text holds no date at all ("Careers fair", "Termly")."""


class ImpossibleDateError(DateCellError):
    """The cell holds something written as a date that cannot be one ("31/02/2026")."""


@dataclass(frozen=True)
class CellDate:
    """A date read from a cell: how precise it was, the rest of the text, and whether the
    cell says the work goes on afterwards ("and ongoing")."""

    day: date
    month_only: bool
    rest: str
    season: str = ""
    ongoing: bool = False

    @property
    def rule(self) -> str:
        """How the date was read, in words for the preview."""
        if self.season:
            return (f"{self.season} term: taken as {self.day.day} "
                    f"{_MONTH_NAMES[self.day.month - 1]}")
        if self.month_only:
            return "month only: taken as the first of the month"
        return "exact date"


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text.lower().rstrip(".")]


def _match_date(cell: str):
    """(kind, match, date) of the first date in the cell (the leftmost; on a tie the most
    precise form), or None."""
    found = [(match.start(), order, kind, match) for order, (kind, pattern)
             in enumerate(_PATTERNS) if (match := pattern.search(cell))]
    if not found:
        return None
    _start, _order, kind, match = min(found, key=lambda f: (f[0], f[1]))
    year = int(match["year"])
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ImpossibleDateError(f"“{match.group(0)}” has a year outside "
                                  f"{EARLIEST_YEAR}-{LATEST_YEAR}.")
    if kind == "season":
        month, day = SEASONS[match["season"].lower()]
    else:
        month, day = _month_number(match["month"]), int(match.groupdict().get("day") or 1)
    try:
        return kind, match, date(year, month, day)
    except ValueError:
        raise ImpossibleDateError(f"“{match.group(0)}” is not a real date.") from None


def _rest(cell: str, start: int, end: int) -> tuple[str, bool]:
    """The milestone's own words around the date, and whether it says "and ongoing"."""
    before, after = cell[:start].strip(), cell[end:]
    if _ONGOING.match(after):
        return ("" if before.lower() in LEAD_WORDS or not before else cell), True
    if before and before.lower() not in LEAD_WORDS:
        return cell, False  # the date sits inside a sentence: keep the sentence whole
    if not after.strip():
        return "", False
    separated = _SEPARATOR.match(after)
    if separated:
        return after[separated.end():].strip(), False
    return cell, False  # "December 2022 for roadmap work": the words need their date


def parse_date_cell(text: str | None) -> CellDate | None:
    """Read a milestone cell. None means "no milestone" (blank, Ongoing, TBC).

    Raises NoDateError for text with no date, ImpossibleDateError for a date that cannot be.
    """
    cell = " ".join((text or "").split())
    if cell.lower().rstrip(".") in NO_DATE_WORDS:
        return None
    found = _match_date(cell)
    if found is None:
        raise NoDateError(f"“{cell[:60]}” has no date we can read. Use a date like "
                          "“3 Mar 2026”, a month like “Sept 2019” or a term like "
                          "“Summer 2023”, or “Ongoing” for none.")
    kind, match, day = found
    rest, ongoing = _rest(cell, match.start(), match.end())
    season = match["season"].capitalize() if kind == "season" else ""
    return CellDate(day, kind in ("month", "mmyyyy", "season"), rest, season, ongoing)


_YEAR_IN_TEXT = re.compile(r"(?<![\d£$€,.])(20\d\d)(?:(\s*[-–/]\s*)(\d\d))?(?!\d)")


def shift_years(text: str, years: int) -> str:
    """Every year 2000-2099 in the text moved by `years`, ranges like "2019-20" too.

    Used to bring an old plan into the current academic year (the demo), keeping months
    and order; amounts such as "£2,000" are left alone.
    """
    def moved(match: re.Match) -> str:
        start = int(match[1]) + years
        if match[3] is None:
            return str(start)
        return f"{start}{match[2]}{(int(match[3]) + years) % 100:02d}"

    return _YEAR_IN_TEXT.sub(moved, text)


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

"""Reading an action plan from CSV, laid out like the schools' own plan tables.

Columns (by header, any order, case and punctuation ignored): Aim/Benchmark, Lead, Actions,
Resources, Milestone date, Milestone, Success criteria; Cost and Outcomes are optional.
A row with no Aim/Benchmark, Lead or Actions continues the item above it (more milestones).
A cell may hold several lines: several milestone dates and titles pair up line by line.
Nothing is written here; the caller writes everything or nothing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from .errors import InputError
from .parsing import clean_text
from .plan_dates import (DateCellError, MoneyError, parse_date_cell, parse_pounds,
                         split_benchmark)

COLUMNS = {
    "aim": {"aimbenchmark", "aim", "benchmark", "gatsbybenchmark", "aimorbenchmark"},
    "lead": {"lead", "who", "owner"},
    "actions": {"actions", "keyactions", "action"},
    "resources": {"resources", "resource"},
    "milestone_date": {"milestonedate", "deadline", "date", "milestonedates"},
    "milestone": {"milestone", "milestones"},
    "success": {"successcriteria", "success"},
    "outcomes": {"outcomes", "outcomesimpact", "impact"},
    "cost": {"cost", "costgbp", "costs"},
}
REQUIRED = ("aim",)
MAX_ROWS = 2000
TITLE_MAX = 200


@dataclass
class ImportMilestone:
    row: int
    title: str
    day: date
    month_only: bool
    source: str


@dataclass
class ImportItem:
    row: int
    benchmark: int | None
    aim: str
    lead_text: str
    lead_user_id: int | None
    actions: str
    resources: str
    cost_pence: int | None
    success_criteria: str
    outcomes: str
    milestones: list[ImportMilestone] = field(default_factory=list)


@dataclass
class ImportResult:
    items: list[ImportItem]
    errors: list[tuple[int, str]]

    @property
    def milestone_count(self) -> int:
        return sum(len(item.milestones) for item in self.items)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.splitlines() if line.strip()]


def _fallback_title(*texts: str) -> str:
    for text in texts:
        lines = _lines(text)
        if lines:
            return lines[0][:TITLE_MAX]
    return "Milestone"


def _milestones(row: int, dates_cell: str, titles_cell: str, fallback: str
                ) -> list[ImportMilestone]:
    """Raises ValueError with a message for the row."""
    result = []
    dates, titles = _lines(dates_cell), _lines(titles_cell)
    if dates:
        if len(titles) > 1 and len(titles) != len(dates):
            raise ValueError(f"{len(dates)} milestone dates but {len(titles)} milestones: put "
                             "one date on each line for each milestone.")
        for index, text in enumerate(dates):
            parsed = parse_date_cell(text)
            if parsed is None:
                continue  # "Ongoing": no milestone
            title = (titles[index] if len(titles) == len(dates) else (titles[0] if titles else ""))
            result.append(ImportMilestone(row, (title or parsed.rest or fallback)[:TITLE_MAX],
                                          parsed.day, parsed.month_only, text))
        return result
    for text in titles:
        parsed = parse_date_cell(text)
        if parsed is None:
            continue
        result.append(ImportMilestone(row, (parsed.rest or fallback)[:TITLE_MAX], parsed.day,
                                      parsed.month_only, text))
    return result


def parse_plan_csv(text: str, leads: dict[str, int] | None = None) -> ImportResult:
    """Read the CSV text. `leads` maps lower-cased staff names and usernames to user ids;
    any other lead is kept as free text."""
    leads = leads or {}
    errors: list[tuple[int, str]] = []
    try:  # NFC, and no control characters anywhere (tabs and line breaks are fine)
        text = clean_text(text)
    except InputError as error:
        return ImportResult([], [(0, error.message)])
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        return ImportResult([], [(0, f"This is not a CSV file we can read ({error}).")])
    rows = [(number, row) for number, row in enumerate(rows, start=1)
            if any(cell.strip() for cell in row)]
    if not rows:
        return ImportResult([], [(0, "The file is empty.")])
    header_number, header = rows[0]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for column, aliases in COLUMNS.items():
            if _key(name) in aliases and column not in columns:
                columns[column] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return ImportResult([], [(header_number, "The first row must name the columns; there is "
                                                 "no “Aim/Benchmark” column.")])
    if len(rows) - 1 > MAX_ROWS:
        return ImportResult([], [(0, f"The file has more than {MAX_ROWS} rows.")])

    def cell(row: list[str], column: str) -> str:
        index = columns.get(column)
        if index is None or index >= len(row):
            return ""
        return row[index].replace("\r\n", "\n").strip()

    items: list[ImportItem] = []
    for number, row in rows[1:]:
        aim_cell, lead, actions = cell(row, "aim"), cell(row, "lead"), cell(row, "actions")
        try:
            cost = parse_pounds(cell(row, "cost"))
        except MoneyError as error:
            errors.append((number, f"Cost: {error}"))
            cost = None
        continuing = not (aim_cell or lead or actions) and items
        if continuing:
            item = items[-1]
            for attr, column in (("resources", "resources"), ("success_criteria", "success"),
                                 ("outcomes", "outcomes")):
                extra = cell(row, column)
                if extra:
                    setattr(item, attr, "\n".join(filter(None, [getattr(item, attr), extra])))
        else:
            benchmark, aim = split_benchmark(aim_cell)
            if benchmark is None and not aim:
                errors.append((number, "Aim/Benchmark is empty."))
                continue
            lead_name = " ".join(lead.split())[:120]
            item = ImportItem(
                row=number, benchmark=benchmark, aim=aim, lead_text=lead_name,
                lead_user_id=leads.get(lead_name.lower()), actions=actions,
                resources=cell(row, "resources"), cost_pence=cost,
                success_criteria=cell(row, "success"), outcomes=cell(row, "outcomes"))
            items.append(item)
        try:
            item.milestones.extend(_milestones(
                number, cell(row, "milestone_date"), cell(row, "milestone"),
                _fallback_title(item.actions, item.aim)))
        except (DateCellError, ValueError) as error:
            errors.append((number, f"Milestone: {error}"))
    return ImportResult(items, errors)

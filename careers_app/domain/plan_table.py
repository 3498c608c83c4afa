"""Reading a plan table out of text: CSV, a table pasted from Word or Excel (tab-separated),
or the text a Word document is turned into (see plan_docx). Pure functions.

The text may hold more than one table and text between them, as a Word document does:

* a line with no column breaks is text: "# Title" or "## Title" names the plan, "### Heading"
  or "**Heading**" starts a section, and a short line just before a table is that table's
  section heading; any other text is kept as a note and listed on the preview;
* the first line with column breaks names the columns; the same heading row again (a new
  table under a new heading, or a table broken across pages) is skipped;
* rows are numbered like a spreadsheet's: every line of the text (a cell with line breaks
  inside quotes, as Excel writes it, is one row).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .csv_files import sniff_delimiter

MAX_ROWS = 2000
MAX_HEADING = 120


class PlanFileError(ValueError):
    """The text cannot be read as a plan table at all."""


@dataclass
class SourceRow:
    number: int
    cells: list[str]
    section: str = ""


@dataclass
class SourceTable:
    """The table's heading row, its data rows, and what the text around it said."""

    headers: list[str]
    header_row: int
    rows: list[SourceRow]
    title: str = ""
    notes: list[tuple[int, str]] = field(default_factory=list)
    repeated_headers: list[int] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _delimiter(text: str) -> str:
    if "\t" in text:
        return "\t"
    sample = next((line for line in text.splitlines() if "," in line or ";" in line), "")
    return sniff_delimiter(sample)


def _records(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS + 50:
                raise PlanFileError(f"The table has more than {MAX_ROWS:,} rows.")
            records.append((number, [cell.strip() for cell in cells]))
    except csv.Error as error:
        raise PlanFileError(f"This is not a table we can read ({error}).") from None
    return records


_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*#*$")
_BOLD = re.compile(r"^\*\*(.+?)\*\*$")
_TAGS = re.compile(r"</?[a-z][^>]*>", re.I)


def _text_line(text: str) -> tuple[str, str]:
    """("title" | "heading" | "text", the words) for a line outside the tables."""
    plain = " ".join(_TAGS.sub("", text).split())
    if match := _HEADING.match(plain):
        return ("title" if len(match[1]) <= 2 else "heading"), match[2].strip("* ")
    if match := _BOLD.match(plain):
        return "heading", match[1].strip()
    return "text", plain


def _key(cells: list[str]) -> tuple[str, ...]:
    keys = [re.sub(r"[^a-z0-9]", "", _TAGS.sub("", cell).lower()) for cell in cells]
    while keys and not keys[-1]:
        keys.pop()
    return tuple(keys)


class _Reader:
    """Walks the records once, keeping the state the rules above need."""

    def __init__(self, is_header: Callable[[list[str]], bool]):
        self.is_header = is_header
        self.table: SourceTable | None = None
        self.title = ""
        self.section = ""
        self.pending: tuple[int, str] | None = None  # a plain line that may head a table
        self.notes: list[tuple[int, str]] = []

    def text(self, number: int, cell: str) -> None:
        kind, words = _text_line(cell)
        self._flush_pending()
        if kind == "title" and not self.title and self.table is None:
            self.title = words
        elif kind in ("title", "heading"):
            self.section = words[:MAX_HEADING]
        elif not self.title and self.table is None and len(words) <= MAX_HEADING:
            self.title = words
        else:
            self.pending = (number, words)

    def _flush_pending(self, as_heading: bool = False) -> None:
        if self.pending is None:
            return
        number, words = self.pending
        self.pending = None
        if as_heading and len(words) <= MAX_HEADING and not words.endswith("."):
            self.section = words
        else:
            self.notes.append((number, words))

    def row(self, number: int, cells: list[str]) -> None:
        starts_table = self.table is None or self.is_header(cells)
        self._flush_pending(as_heading=starts_table)
        if self.table is None:
            self.table = SourceTable(headers=cells, header_row=number, rows=[])
            return
        table = self.table
        if _key(cells) == _key(table.headers):
            table.repeated_headers.append(number)
            return
        if self.is_header(cells):
            table.problems.append((number, "This row starts a table with other columns "
                                           "than the first one: import that table on its own."))
            return
        width = len(table.headers)
        if any(cells[width:]):
            table.problems.append((number, f"The row has more cells than the {width} columns "
                                           "named in the heading row."))
        cells = (cells + [""] * width)[:width]
        table.rows.append(SourceRow(number, cells, self.section))


def read_plan_text(text: str, is_header: Callable[[list[str]], bool] = lambda cells: False
                   ) -> SourceTable:
    """The plan table in `text`. `is_header` says whether a row names columns (so a second,
    different table is refused instead of being read as a row of the first)."""
    if not text.strip():
        raise PlanFileError("The file is empty.")
    reader = _Reader(is_header)
    for number, cells in _records(text):
        if not any(cells):
            continue
        if len(cells) == 1:
            reader.text(number, cells[0])
        else:
            reader.row(number, cells)
    reader._flush_pending()
    table = reader.table
    if table is None:
        raise PlanFileError("There is no table here: the first row of the table must name its "
                            "columns (Aim, Lead, Actions, ...), separated by commas or tabs.")
    if len(table.rows) > MAX_ROWS:
        raise PlanFileError(f"The table has more than {MAX_ROWS:,} rows.")
    table.title, table.notes = reader.title, reader.notes
    return table

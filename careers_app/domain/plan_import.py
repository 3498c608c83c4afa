"""Reading an action plan laid out like the schools' own plan tables. Pure functions.

The text comes from a CSV file, a table pasted from Word or Excel, or a Word document
(plan_docx); plan_table finds the table in it. Each column is mapped to a field of the plan:
guessed from its heading (any order, case and punctuation ignored) and changed on the
preview. Then, row by row:

* a row starts a new aim, unless it has no aim, benchmark or lead (it adds to the item
  above), or it has no number 1-8 in a column mapped as the Gatsby Benchmark (a row broken
  across two pages of the document): the preview names every such row;
* a cell holding several items (paragraphs, lines, bullets) gives several actions or
  milestones; a continued cell whose first line starts in lower case carries on the last;
* dates are read by plan_dates. Milestone dates pair up with the milestone titles line by
  line, else with the row's actions (a "Deadline" column beside "Key actions"); an action
  whose date says "Ongoing" (or gives no date) is an action without a milestone;
* with no Cost column, amounts in pounds written in the actions and resources are added up,
  and the preview shows which.

Nothing is written here; the caller writes everything or nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .benchmarks import BY_NUMBER
from .errors import InputError
from .parsing import clean_text
from .plan_cells import cell_items, continues, extend_lines
from .plan_columns import guess_mapping, is_header_row, mapping_problems
from .plan_dates import (CellDate, DateCellError, ImpossibleDateError, MoneyError,
                         format_pounds, parse_date_cell, parse_pounds, split_benchmark)
from .plan_table import PlanFileError, SourceRow, SourceTable, read_plan_text

TEXT_FIELDS = ("aim", "section", "current_provision", "resources", "success", "outcomes")
TITLE_MAX = 200
LEAD_MAX = 120
_POUNDS = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?![\d,])")
_PERIOD = re.compile(r"\b(20\d\d)\s*[-–/]\s*(20\d\d|\d\d)\b")


def period_in(title: str) -> str:
    """"Action Plan 2022-2024" -> "2022-2024"; "" when the title names no years."""
    match = _PERIOD.search(title or "")
    return f"{match[1]}-{match[2]}" if match else ""


@dataclass
class ImportAction:
    row: int
    text: str
    lead: str = ""
    when: str = ""  # the words of its date cell when they gave no milestone ("Ongoing")
    milestone: ImportMilestone | None = None
    from_milestones: bool = False  # an undated line of the Milestones column


@dataclass
class ImportMilestone:
    row: int
    day: date
    month_only: bool
    source: str
    rule: str
    season: str = ""
    ongoing: bool = False
    own_title: str = ""
    action: ImportAction | None = None
    title_from: str = ""  # "" (its own words), "action" or "aim"

    @property
    def title(self) -> str:
        text = self.own_title or (self.action.text if self.action else "") or "Milestone"
        return text[:TITLE_MAX]


@dataclass
class ImportItem:
    row: int
    benchmark: int | None
    lines: dict[str, list[str]] = field(default_factory=dict)
    leads: list[str] = field(default_factory=list)
    lead_user_id: int | None = None
    actions: list[ImportAction] = field(default_factory=list)
    milestones: list[ImportMilestone] = field(default_factory=list)
    cost_pence: int | None = None
    amounts: list[int] = field(default_factory=list)  # pounds found in the text, in pence
    continued_rows: list[int] = field(default_factory=list)

    def text(self, name: str) -> str:
        return "\n".join(self.lines.get(name, []))

    aim = property(lambda self: self.text("aim"))
    section = property(lambda self: "; ".join(self.lines.get("section", [])))
    current_provision = property(lambda self: self.text("current_provision"))
    resources = property(lambda self: self.text("resources"))
    success_criteria = property(lambda self: self.text("success"))
    outcomes = property(lambda self: self.text("outcomes"))

    @property
    def lead_text(self) -> str:
        return "; ".join(self.leads)[:LEAD_MAX]

    @property
    def actions_text(self) -> str:
        """The actions, one a line, each with its own lead when the item has several."""
        several = len(self.leads) > 1
        lines = []
        for action in self.actions:
            extras = [action.when] if action.when else []
            if action.milestone is not None and action.milestone.ongoing:
                extras.append("ongoing")
            if several and action.lead:
                extras.append(f"lead: {action.lead}")
            lines.append(f"{action.text} ({'; '.join(extras)})" if extras else action.text)
        return "\n".join(lines)

    @property
    def cost_note(self) -> str:
        if not self.amounts:
            return ""
        return "added up from " + " + ".join(format_pounds(a) for a in self.amounts)

    @property
    def fallback_title(self) -> str:
        if self.benchmark in BY_NUMBER:
            return f"BM{self.benchmark} {BY_NUMBER[self.benchmark].name}"
        first = (self.lines.get("aim") or ["Milestone"])[0]
        return first if len(first) <= 100 else first[:99].rsplit(" ", 1)[0] + "…"


@dataclass
class ImportResult:
    items: list[ImportItem]
    errors: list[tuple[int, str]]
    table: SourceTable | None = None
    mapping: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.table.title if self.table else ""

    @property
    def milestone_count(self) -> int:
        return sum(len(item.milestones) for item in self.items)

    @property
    def action_count(self) -> int:
        return sum(len(item.actions) for item in self.items)

    @property
    def undated_action_count(self) -> int:
        return sum(1 for item in self.items for a in item.actions if a.milestone is None)

    @property
    def notes(self) -> list[tuple[int, str]]:
        return self.table.notes if self.table else []


def parse_plan_text(text: str, leads: dict[str, int] | None = None,
                    mapping: dict[str, int] | None = None) -> ImportResult:
    """Read the plan in `text`. `leads` maps lower-cased staff names and usernames to user
    ids (any other lead is kept as free text); `mapping` is field -> column, else guessed."""
    try:  # NFC, and no control characters anywhere (tabs and line breaks are fine)
        text = clean_text(text)
    except InputError as error:
        return ImportResult([], [(0, error.message)])
    try:
        table = read_plan_text(text, is_header_row)
    except PlanFileError as error:
        return ImportResult([], [(0, str(error))])
    if mapping is None:
        mapping = guess_mapping(table.headers)
    result = ImportResult([], list(table.problems), table, mapping)
    problems = mapping_problems(mapping, len(table.headers))
    if problems:
        result.errors[:0] = [(table.header_row, problem) for problem in problems]
        return result
    for row in table.rows:
        _RowReader(result, row, mapping).read()
    for item in result.items:
        _finish(item, leads or {})
    if not result.items and not result.errors:
        result.errors.append((0, "The table has no aims or benchmarks."))
    return result


parse_plan_csv = parse_plan_text  # the name the CSV-only import had


def _finish(item: ImportItem, leads: dict[str, int]) -> None:
    if len(item.leads) == 1:
        item.lead_user_id = leads.get(item.leads[0].lower())
    if item.cost_pence is None and item.amounts:
        item.cost_pence = sum(item.amounts)


class _RowReader:
    """Reads one source row into a new item or the item above it."""

    def __init__(self, result: ImportResult, row: SourceRow, mapping: dict[str, int]):
        self.result, self.row, self.mapping = result, row, mapping

    def cell(self, name: str) -> str:
        index = self.mapping.get(name)
        return self.row.cells[index] if index is not None and index < len(self.row.cells) else ""

    def items(self, name: str) -> list[str]:
        return cell_items(self.cell(name))

    def error(self, message: str) -> None:
        self.result.errors.append((self.row.number, message))

    def read(self) -> None:
        item, heading = self._item()
        if item is None:
            return
        self._text(item, heading)
        row_actions = self._actions(item)
        self._leads(item, row_actions)
        self._cost(item)
        try:
            self._milestones(item, row_actions)
        except (DateCellError, ValueError) as error:
            self.error(f"Milestone: {error}")

    def _item(self) -> tuple[ImportItem | None, list[str]]:
        """The item this row belongs to, and the aim lines it brings."""
        items = self.result.items
        if "benchmark" in self.mapping:
            cells = self.items("benchmark")
            number, first = split_benchmark(cells[0]) if cells else (None, "")
            heading = [line for line in [first, *cells[1:]] if line] + self.items("aim")
            if number is None:
                if items:
                    items[-1].continued_rows.append(self.row.number)
                    return items[-1], heading
                self.error("The Gatsby Benchmark column has no benchmark number (1-8).")
                return None, []
        else:
            cells = self.items("aim")
            number, first = split_benchmark(cells[0]) if cells else (None, "")
            heading = [line for line in [first, *cells[1:]] if line]
            if not cells and not self.items("lead") and items:
                items[-1].continued_rows.append(self.row.number)
                return items[-1], []
            if number is None and not heading:
                self.error("Aim/Benchmark is empty.")
                return None, []
        item = ImportItem(self.row.number, number)
        if self.row.section:
            item.lines["section"] = [self.row.section]
        items.append(item)
        return item, heading

    def _text(self, item: ImportItem, heading: list[str]) -> None:
        for name in TEXT_FIELDS:
            more = heading if name == "aim" else self.items(name)
            if name == "section" and more and item.lines.get("section"):
                more = [line for line in more if line not in item.lines["section"]]
            if more:
                item.lines[name] = extend_lines(item.lines.get(name, []), more)

    def _actions(self, item: ImportItem) -> list[ImportAction]:
        """This row's actions (the first may carry on the last action of the item above)."""
        lines = self.items("actions")
        actions = []
        if lines and item.actions and item.row != self.row.number and continues(lines[0]):
            item.actions[-1].text += f" {lines.pop(0)}"
            actions.append(item.actions[-1])
        for line in lines:
            action = ImportAction(self.row.number, line)
            item.actions.append(action)
            actions.append(action)
        return actions

    def _leads(self, item: ImportItem, actions: list[ImportAction]) -> None:
        leads = self.items("lead")
        if len(leads) == len(actions) > 1:
            for action, lead in zip(actions, leads):
                action.lead = lead
        for lead in leads:
            if lead not in item.leads:
                item.leads.append(lead)

    def _cost(self, item: ImportItem) -> None:
        if "cost" in self.mapping:
            try:
                cost = parse_pounds(self.cell("cost"))
            except MoneyError as error:
                self.error(f"Cost: {error}")
                return
            if cost is not None:
                item.cost_pence = (item.cost_pence or 0) + cost
            return
        for line in self.items("actions") + self.items("resources"):
            for match in _POUNDS.finditer(line):
                pence = int(match[1].replace(",", "")) * 100 + int((match[2] or "0").ljust(2, "0"))
                item.amounts.append(pence)

    def _milestones(self, item: ImportItem, actions: list[ImportAction]) -> None:
        dates, titles = self.items("milestone_date"), self.items("milestone")
        if not dates:
            for title in titles:
                self._dated(item, title, title_words=None, action=None, undated_title=title)
            return
        if len(titles) > 1 and len(titles) != len(dates):
            raise ValueError(f"{len(dates)} milestone dates but {len(titles)} milestones: put "
                             "one date on each line for each milestone.")
        paired = not titles and len(dates) == len(actions)
        for index, text in enumerate(dates):
            title = titles[index] if len(titles) == len(dates) else (titles[0] if titles else None)
            action = actions[index] if paired else None
            self._dated(item, text, title_words=title, action=action,
                        undated_title=title or (None if paired else text))

    def _dated(self, item: ImportItem, text: str, *, title_words: str | None,
               action: ImportAction | None, undated_title: str | None) -> None:
        """One date cell line: a milestone, or an action without one."""
        try:
            parsed = parse_date_cell(text)
        except ImpossibleDateError:
            raise
        except DateCellError:
            parsed, no_date = None, True
        else:
            no_date = False
        if parsed is None:
            if action is not None:
                action.when = text
            elif no_date and undated_title:
                item.actions.append(ImportAction(
                    self.row.number, undated_title, from_milestones=True,
                    when=text if undated_title != text else ""))
            return
        self._add_milestone(item, parsed, text, title_words, action)

    def _add_milestone(self, item: ImportItem, parsed: CellDate, source: str,
                       title_words: str | None, action: ImportAction | None) -> None:
        own, title_from = title_words or parsed.rest, ""
        if not own:
            title_from = "action" if action is not None else "aim"
            own = "" if action is not None else item.fallback_title
        milestone = ImportMilestone(self.row.number, parsed.day, parsed.month_only, source,
                                    parsed.rule, parsed.season, parsed.ongoing, own, action,
                                    title_from)
        if action is not None:
            action.milestone = milestone
        item.milestones.append(milestone)

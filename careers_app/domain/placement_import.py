"""Reading the work experience spreadsheet schools keep (CSV or XLSX). Pure functions.

A row names a pupil (by UPN, or by name), an employer, the dates and a contact. Columns are
recognised by their headings; dates may be two columns (first and last day) or one cell with
a range ("6-10 July 2026", "06/07/2026 - 10/07/2026"). The checks here need only the rows and
plain lists of the pupils and placements held, so the preview and the import always agree.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from .csv_files import decode, heading_and_rows, sniff_delimiter
from .mis_import import normalise_header
from .placements import date_problems
from .plan_dates import MONTHS, DateCellError, parse_date_cell

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

FIELD_LABELS = {
    "upn": "UPN", "name": "Pupil name", "forename": "Forename", "surname": "Surname",
    "employer": "Employer", "dates": "Dates", "start": "First day", "end": "Last day",
    "contact": "Contact", "contact_name": "Contact name", "contact_email": "Contact email",
    "contact_phone": "Contact phone", "task": "Task",
}
ALIASES: dict[str, str] = {}
for _field, _names in {
    "upn": ["upn", "unique pupil number", "pupil upn"],
    "name": ["name", "pupil", "pupil name", "student", "student name", "full name"],
    "forename": ["forename", "first name", "legal forename", "preferred forename", "given name"],
    "surname": ["surname", "last name", "legal surname", "family name"],
    "employer": ["employer", "placement", "company", "organisation", "organization",
                 "employer name", "placement provider", "business", "workplace"],
    "dates": ["dates", "date", "placement dates", "when"],
    "start": ["start", "start date", "from", "first day", "date from", "begins"],
    "end": ["end", "end date", "to", "last day", "date to", "finishes"],
    "contact": ["contact", "employer contact", "supervisor", "contact details"],
    "contact_name": ["contact name", "supervisor name"],
    "contact_email": ["email", "contact email", "e mail", "email address"],
    "contact_phone": ["phone", "telephone", "contact phone", "tel", "contact number",
                      "phone number"],
    "task": ["task", "employer task", "job", "role", "activities"],
}.items():
    for _name in _names:
        ALIASES[_name] = _field

EMAIL_RE = re.compile(r"[^\s,;<>()]+@[^\s,;<>()]+\.[A-Za-z]{2,}")
PHONE_RE = re.compile(r"\+?\d[\d ()-]{7,}\d")
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "6-10 July 2026", "6 to 10 Jul 2026"
SAME_MONTH_RE = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|—|to)\s*(\d{{1,2}})"
                           rf"(?:st|nd|rd|th)?\s+({_MONTH})\.?\s+(\d{{4}})$", re.I)
RANGE_SPLIT_RE = re.compile(r"\s+(?:-|–|—|to|until)\s+|\s*[–—]\s*", re.I)


class SheetError(ValueError):
    """The file cannot be read as a table at all."""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _table(rows_in) -> Sheet:
    headers, rows = heading_and_rows(((line, [_cell_text(c) for c in cells])
                                      for line, cells in rows_in), MAX_ROWS, SheetError)
    if headers is None:
        raise SheetError("The file is empty.")
    if not rows:
        raise SheetError("The file has column headings but no placements.")
    return Sheet(headers, rows)


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetError("That Excel file cannot be read. Save it again as .xlsx or CSV.") \
            from error
    try:
        sheet = book.worksheets[0]
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(cells)[:40]
    finally:
        book.close()


def read_sheet(data: bytes, filename: str = "") -> Sheet:
    """Cells of a CSV (UTF-8, UTF-8 with BOM or Windows-1252) or the first sheet of an XLSX."""
    if not data.strip():
        raise SheetError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise SheetError("The file is larger than 2 MB.")
    if data.startswith(b"PK\x03\x04"):
        return _table(_xlsx_rows(data))
    if filename.lower().endswith((".xls", ".xlsx", ".xlsm")):
        raise SheetError("That is not an .xlsx workbook. Save it as .xlsx or CSV.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetError("That is not a CSV or Excel file.")
    text, _encoding = decode(data)
    return sheet_from_text(text)


def sheet_from_text(text: str) -> Sheet:
    """Cells of CSV text (also how the preview's copy comes back)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return _table((reader.line_num, cells) for cells in reader)
    except csv.Error as error:
        raise SheetError(f"Line {reader.line_num + 1} cannot be read: {error}.") from error


def sheet_to_text(sheet: Sheet) -> str:
    """The sheet as CSV, for the preview to post back (an XLSX cannot be re-posted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(sheet.headers)
    for _line, cells in sheet.rows:
        writer.writerow(cells)
    return buffer.getvalue()


def guess_columns(headers: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = ALIASES.get(normalise_header(header))
        if name and name not in columns:
            columns[name] = index
    return columns


def column_problems(columns: dict[str, int], dates_optional: bool) -> list[str]:
    problems = []
    if not ({"upn", "name"} & columns.keys() or {"forename", "surname"} <= columns.keys()):
        problems.append("The file needs a column for the pupil: “UPN”, or “Name”, or "
                        "“Forename” and “Surname”.")
    if "employer" not in columns:
        problems.append("The file needs an “Employer” column.")
    if not dates_optional and "dates" not in columns and not {"start", "end"} <= columns.keys():
        problems.append("The file needs the dates: a “Dates” column, or “Start date” and "
                        "“End date” (or choose the placement week they belong to).")
    return problems


def _one_day(text: str) -> date:
    problem = DateCellError(f"“{text[:60]}” is not a day. Use a date like “6 Jul 2026”.")
    try:
        found = parse_date_cell(text)
    except DateCellError as error:
        if "not a real date" in str(error) or "outside" in str(error):
            raise
        raise problem from None
    if found is None or found.month_only or found.rest:
        raise problem
    return found.day


def parse_dates(text: str) -> tuple[date, date]:
    """"6-10 July 2026", "6 Jul 2026 - 10 Jul 2026", "2026-07-06 to 2026-07-10" or one day.

    Raises DateCellError for anything else."""
    cell = " ".join(text.split())
    match = SAME_MONTH_RE.match(cell)
    if match:
        first, last, month, year = match.groups()
        month_number = MONTHS[month.lower().rstrip(".")]
        try:
            return date(int(year), month_number, int(first)), date(int(year), month_number,
                                                                   int(last))
        except ValueError:
            raise DateCellError(f"“{cell}” is not a real date range.") from None
    parts = [p for p in RANGE_SPLIT_RE.split(cell) if p]
    if len(parts) == 2:
        return _one_day(parts[0]), _one_day(parts[1])
    if len(parts) == 1 and parts[0] == cell:
        day = _one_day(cell)
        return day, day
    raise DateCellError(f"“{cell}” is not a date range. Write it like “6-10 Jul 2026”.")


def split_contact(text: str) -> tuple[str, str, str]:
    """"Ann Lee, ann@acme.co.uk, 01632 960123" -> name, email, phone (any order)."""
    email = EMAIL_RE.search(text)
    rest = text.replace(email.group(0), " ") if email else text
    phone = PHONE_RE.search(rest)
    rest = rest.replace(phone.group(0), " ") if phone else rest
    name = " ".join(re.sub(r"[,;/|]+", " ", rest).split())
    return name, email.group(0) if email else "", " ".join(phone.group(0).split()) if phone else ""


@dataclass(frozen=True)
class RosterPupil:
    id: int
    upn: str
    forename: str
    legal_forename: str
    surname: str


@dataclass(frozen=True)
class HeldPlacement:
    id: int
    pupil_id: int
    start: date
    end: date
    week_id: int | None


@dataclass
class ImportRow:
    line: int
    pupil_id: int
    pupil_name: str
    employer: str
    start: date
    end: date
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    task: str = ""
    existing_id: int | None = None  # the pupil's placement in the chosen week, updated


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class CheckedImport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    column_problems: list[str] = field(default_factory=list)

    @property
    def can_import(self) -> bool:
        return bool(self.rows) and not self.errors and not self.column_problems

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if r.existing_id is None)

    @property
    def updated_count(self) -> int:
        return sum(1 for r in self.rows if r.existing_id is not None)


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w' -]+", " ", text.lower()).replace("’", "'").split())


def _name_index(pupils: list[RosterPupil]) -> dict[str, list[RosterPupil]]:
    index: dict[str, list[RosterPupil]] = {}
    for pupil in pupils:
        keys = set()
        for forename in {pupil.forename, pupil.legal_forename}:
            keys.add(_key(f"{forename} {pupil.surname}"))
            keys.add(_key(f"{pupil.surname} {forename}"))
        for key in keys:
            index.setdefault(key, []).append(pupil)
    return index


LIMITS = {"employer": 200, "contact_name": 120, "contact_email": 254, "contact_phone": 40,
          "task": 5000}


def check_import(sheet: Sheet, pupils: list[RosterPupil], held: list[HeldPlacement], *,
                 week: tuple[int, date, date] | None = None, holidays=()) -> CheckedImport:
    """Check every row against the roll and the placements held; report each problem once.

    With a week (id, first day, last day): blank dates mean the week's dates, and a pupil who
    already has a placement in the week has it updated rather than a second one made.
    """
    columns = guess_columns(sheet.headers)
    result = CheckedImport(column_problems=column_problems(columns, dates_optional=bool(week)))
    if result.column_problems:
        return result
    by_upn = {p.upn: p for p in pupils}
    by_name = _name_index(pupils)
    in_week = {h.pupil_id: h for h in held if week and h.week_id == week[0]}
    seen: dict[int, int] = {}

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for line, cells in sheet.rows:
        problems: list[str] = []
        pupil, problem = _find_pupil(cell(cells, "upn"), cell(cells, "name")
                                     or f"{cell(cells, 'forename')} {cell(cells, 'surname')}",
                                     by_upn, by_name)
        if problem:
            problems.append(problem)
        elif pupil.id in seen:
            problems.append(f"This pupil is also on line {seen[pupil.id]}.")
        start = end = None
        try:
            start, end = _row_dates(cell(cells, "dates"), cell(cells, "start"),
                                    cell(cells, "end"), week)
        except DateCellError as error:
            problems.append(str(error))
        else:
            problems.extend(date_problems(start, end, holidays))
        values = _row_values(lambda name: cell(cells, name))
        problems.extend(_value_problems(values))
        existing = in_week.get(pupil.id) if pupil else None
        if pupil and start and end and not problems and existing is None:
            clash = next((h for h in held if h.pupil_id == pupil.id
                          and h.start <= end and start <= h.end), None)
            if clash:
                problems.append("This pupil already has a placement on some of these dates.")
        if problems:
            result.errors.extend(RowError(line, message) for message in problems)
            continue
        seen[pupil.id] = line
        result.rows.append(ImportRow(
            line=line, pupil_id=pupil.id, pupil_name=f"{pupil.forename} {pupil.surname}",
            start=start, end=end, existing_id=existing.id if existing else None, **values))
    return result


def _row_values(cell) -> dict[str, str]:
    """The employer, contact and task of a row; `cell(name)` reads one of its cells. A
    contact cell fills in whichever of name, email and phone has no column of its own."""
    contact = split_contact(cell("contact"))
    return {"employer": cell("employer"),
            "contact_name": cell("contact_name") or contact[0],
            "contact_email": cell("contact_email") or contact[1],
            "contact_phone": cell("contact_phone") or contact[2],
            "task": cell("task")}


def _value_problems(values: dict[str, str]) -> list[str]:
    """What is wrong with a row's employer, contact and task: lengths and the email."""
    problems = []
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            problems.append(f"The {FIELD_LABELS[name].lower()} is longer than {limit:,} "
                            "characters.")
    if values["contact_email"] and not EMAIL_RE.fullmatch(values["contact_email"]):
        problems.append(f"“{values['contact_email'][:60]}” is not an email address.")
    elif "@" in values["contact_name"]:
        problems.append(f"“{values['contact_name'][:60]}” has an email address that is "
                        "not one.")
    return problems


def _find_pupil(upn: str, name: str, by_upn, by_name):
    upn = upn.upper().replace(" ", "")
    if upn:
        pupil = by_upn.get(upn)
        return (pupil, None) if pupil else (None, f"No pupil on roll has the UPN {upn}.")
    key = _key(name.replace(",", " "))
    if not key:
        return None, "The pupil is missing: give a UPN or a name."
    found = {p.id: p for p in by_name.get(key, [])}
    if not found:
        return None, f"No pupil on roll is called “{name.strip()}”. Use the UPN."
    if len(found) > 1:
        return None, f"{len(found)} pupils are called “{name.strip()}”. Use the UPN."
    return next(iter(found.values())), None


def _row_dates(dates: str, start: str, end: str, week) -> tuple[date, date]:
    if dates:
        return parse_dates(dates)
    if start or end:
        first = _one_day(start) if start else None
        last = _one_day(end) if end else first
        if first is None:
            raise DateCellError("The first day is missing.")
        return first, last
    if week:
        return week[1], week[2]
    raise DateCellError("The dates are missing.")

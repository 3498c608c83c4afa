"""Reading pupil rosters exported from a school MIS (SIMS, Arbor, Bromcom) as CSV.

Pure functions, no Flask and no database: bytes in, a table of cells out; a table and a
column mapping in, checked pupil rows and line-numbered errors out; those rows and the
pupils already held go to `mis_plan`, which says what an import would change. The web preview, the
commit and the CLI all use the same functions, so they always agree.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from .academic import FIRST_YEAR_GROUP, LAST_YEAR_GROUP, cohort_for
from .csv_files import decode, heading_and_rows, sniff_delimiter
from .errors import InputError
from .mis_values import normalise_value, parse_flag, parse_mis_date, parse_send
from .parsing import clean_text
from .upn import upn_problem

MAX_ROWS = 20_000
MAX_NAME = 100
MAX_TUTOR_GROUP = 20

# The pupil fields an import can set, in the order the mapping screen shows them.
FIELD_LABELS: dict[str, str] = {
    "upn": "UPN",
    "surname": "Surname (legal)",
    "legal_forename": "Forename (legal)",
    "preferred_forename": "Preferred forename",
    "year": "Year group",
    "tutor_group": "Tutor (registration) group",
    "send_status": "SEN status (N, K, E)",
    "disadvantaged": "Pupil Premium / disadvantaged",
    "looked_after": "Looked after (in care)",
    "admission_date": "Admission date",
    "leaving_date": "Leaving date (last day on roll)",
}
# A forename is required too, but either the legal or the preferred one will do.
REQUIRED_FIELDS = ("upn", "surname", "year")

# Column headings as each MIS spells them, normalised (see normalise_header).
HEADER_ALIASES: dict[str, str] = {}
for _field, _names in {
    "upn": ["upn", "unique pupil number", "pupil upn"],
    "surname": ["legal surname", "surname", "last name", "family name", "legal last name"],
    "legal_forename": ["legal forename", "forename", "first name", "legal first name",
                       "given name"],
    "preferred_forename": ["preferred forename", "preferred first name", "preferred name",
                           "known as", "chosen name"],
    "year": ["year", "year group", "nc year", "national curriculum year", "curriculum year",
             "yr", "year grp"],
    "tutor_group": ["reg group", "registration group", "tutor group", "form", "form group",
                    "reg", "tutor", "registration", "registration form", "reg form",
                    "tutor group name", "form tutor group"],
    "send_status": ["sen status", "sen", "send", "send status", "sen provision",
                    "sen need", "sen stage", "send provision", "special educational needs"],
    "disadvantaged": ["pupil premium", "pp", "disadvantaged", "pupil premium indicator",
                      "pp eligible", "pupil premium eligible"],
    "looked_after": ["in care", "looked after", "cla", "lac", "child looked after",
                     "looked after child", "cic", "child in care"],
    # SIMS "Admission Date" / "Date of Admission"; Arbor "Start Date" / "Enrolment Date";
    # Bromcom "Admission Date". The leaving date is the last day on roll.
    "admission_date": ["admission date", "date of admission", "start date", "enrolment date",
                       "enrollment date", "entry date", "date of entry", "admission"],
    "leaving_date": ["leaving date", "date of leaving", "end date", "leave date",
                     "date left", "enrolment end date"],
}.items():
    for _name in _names:
        HEADER_ALIASES[_name] = _field

YEAR_RE = re.compile(r"^(?:nc\s*)?(?:y|yr|year)?\s*([0-9]{1,2})$", re.IGNORECASE | re.ASCII)


class ImportFileError(ValueError):
    """The file cannot be read as a table at all (empty, binary, no heading row)."""


@dataclass
class Table:
    """The cells of a CSV file: its heading row and its data rows with their line numbers."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str = "utf-8"
    delimiter: str = ","


def read_table(data: bytes) -> Table:
    """Decode and split a CSV export. Blank rows (Excel leaves them at the end) are skipped."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("That is not a CSV file. In the MIS, export the report as CSV.")
    try:
        text, encoding = decode(data)
    except InputError as error:
        raise ImportFileError(error.message) from None
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last_line = 0

    def lines():
        nonlocal last_line
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            try:  # NFC, and no control characters: what is kept is what the pages can show
                yield line, [clean_text(cell).strip() for cell in cells]
            except InputError as error:
                raise ImportFileError(f"Line {line} cannot be read: {error.message}") from None

    try:
        headers, rows = heading_and_rows(lines(), MAX_ROWS, ImportFileError)
    except csv.Error as error:
        raise ImportFileError(f"Line {last_line + 1} cannot be read: {error}.") from error
    if headers is None:
        raise ImportFileError("The file is empty.")
    if not rows:
        raise ImportFileError("The file has column headings but no pupils.")
    if len(headers) < 2:
        raise ImportFileError("The first row should name the columns (UPN, Surname, ...), "
                              "separated by commas, semicolons or tabs.")
    return Table(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter)


def normalise_header(header: str) -> str:
    """"Legal Surname", "LEGAL_SURNAME" and "legal-surname " all become "legal surname"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """Field -> column index, from the school's remembered choices first, then known names.

    The first column that matches a field wins; "Forename" is legal, "Preferred Forename"
    preferred, so a file with both maps each to its own field.
    """
    remembered = remembered or {}
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = normalise_header(header)
        # A remembered "" means the user chose to ignore the column: no built-in guess then.
        field_name = remembered[name] if name in remembered else HEADER_ALIASES.get(name)
        if field_name in FIELD_LABELS and field_name not in mapping:
            mapping[field_name] = index
    return mapping


def mapping_problems(mapping: dict[str, int], column_count: int) -> list[str]:
    """What stops a mapping from being used: missing required fields, bad column numbers."""
    problems = []
    for field_name in REQUIRED_FIELDS:
        if field_name not in mapping:
            problems.append(f"Choose the column that holds the {FIELD_LABELS[field_name]}.")
    if "legal_forename" not in mapping and "preferred_forename" not in mapping:
        problems.append("Choose the column that holds the forename.")
    seen: dict[int, str] = {}
    for field_name, index in mapping.items():
        if field_name not in FIELD_LABELS or not 0 <= index < column_count:
            problems.append("The column choice is not valid: choose again.")
            break
        if index in seen:
            problems.append(f"One column cannot be both {FIELD_LABELS[seen[index]]} and "
                            f"{FIELD_LABELS[field_name]}.")
        seen[index] = field_name
    return problems


# Cell parsers: each returns (value, None) or (None, reason) -------------------------------

def parse_year(text: str) -> tuple[int | None, str | None]:
    """"Year 10", "10", "Y10", "Yr 10", "NC Year 10" -> 10; outside 7-13 is an error."""
    match = YEAR_RE.match(text.strip())
    if not match:
        if not text.strip():
            return None, "The year group is missing."
        return None, f"“{text}” is not a year group (use 7 to 13)."
    year = int(match.group(1))
    if not FIRST_YEAR_GROUP <= year <= LAST_YEAR_GROUP:
        return None, f"Year {year} is outside Years 7 to 13."
    return year, None


def _name(text: str) -> str:
    return " ".join(text.split())


@dataclass
class RowError:
    line: int
    message: str
    upn: str = ""


@dataclass
class CheckedRows:
    """Rows that passed, keyed by UPN, and every row error. Only present fields are set."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    # Values the app does not know, to be matched on the value screen before anything is
    # written: field -> normalised value -> the value as the file spells it (first seen).
    unknown_values: dict[str, dict[str, str]] = field(default_factory=dict)
    pending_rows: int = 0  # rows held back only because of an unknown value

    def note_unknown(self, field_name: str, text: str) -> None:
        self.unknown_values.setdefault(field_name, {}).setdefault(normalise_value(text),
                                                                  text.strip())


def _check_identity(cell, values: dict[str, Any], problems: list[str], mapping) -> None:
    surname, legal, preferred = (_name(cell(name)) for name in (
        "surname", "legal_forename", "preferred_forename"))
    if not surname:
        problems.append("The surname is empty.")
    if not (legal or preferred):
        problems.append("The forename is empty.")
    if any(len(name) > MAX_NAME for name in (surname, legal, preferred)):
        problems.append(f"A name is longer than {MAX_NAME} characters.")
    values["surname"] = surname
    values["legal_forename"] = legal or preferred
    if "preferred_forename" in mapping:
        # Same as the legal name is not a preference worth storing.
        values["preferred_forename"] = preferred if preferred and preferred != values[
            "legal_forename"] else None


def _check_flags(cell, values: dict[str, Any], mapping, value_maps, unknown: list) -> None:
    if "send_status" in mapping:
        text = cell("send_status")
        values["send_status"] = parse_send(text, value_maps.get("send_status"))
        if values["send_status"] is None:
            unknown.append(("send_status", text))
    for flag in ("disadvantaged", "looked_after"):
        if flag in mapping:
            text = cell(flag)
            values[flag] = parse_flag(text, value_maps.get(flag))
            if values[flag] is None:
                unknown.append((flag, text))


def _check_dates(cell, values: dict[str, Any], problems: list[str], mapping) -> None:
    for source, target, label in (("admission_date", "joined_on", "admission date"),
                                  ("leaving_date", "left_on", "leaving date")):
        if source in mapping:
            day, problem = parse_mis_date(cell(source))
            if problem:
                problems.append(f"{label.capitalize()}: {problem}")
            values[target] = day
    joined, left = values.get("joined_on"), values.get("left_on")
    if joined and left and left < joined:
        problems.append("The leaving date is before the admission date.")


def check_rows(table: Table, mapping: dict[str, int], academic_year: int,
               value_maps: dict[str, dict[str, str]] | None = None) -> CheckedRows:
    """Validate every row. A row with any problem is reported (each problem once) and left out.

    The year group becomes a cohort for `academic_year`, so nothing stored goes stale. A SEN
    or flag value neither built in nor in `value_maps` (field -> normalised value -> code,
    as the school chose) is collected in `unknown_values`, not reported as an error.
    """
    result = CheckedRows()
    value_maps = value_maps or {}
    upn_lines: dict[str, int] = {}

    def cell(cells: list[str], field_name: str) -> str:
        index = mapping.get(field_name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for line, cells in table.rows:
        problems: list[str] = []
        upn = cell(cells, "upn").upper().replace(" ", "")
        if problem := upn_problem(upn):
            problems.append(problem)
        elif upn in upn_lines:
            problems.append(f"UPN {upn} is also on line {upn_lines[upn]}.")
        else:
            upn_lines[upn] = line
        values: dict[str, Any] = {"upn": upn}
        _check_identity(lambda name: cell(cells, name), values, problems, mapping)

        year, problem = parse_year(cell(cells, "year"))
        if problem:
            problems.append(problem)
        else:
            values["cohort"] = cohort_for(year, academic_year)

        if "tutor_group" in mapping:
            group = _name(cell(cells, "tutor_group"))
            if len(group) > MAX_TUTOR_GROUP:
                problems.append(f"The tutor group is longer than {MAX_TUTOR_GROUP} characters.")
            values["tutor_group"] = group or None
        unknown: list[tuple[str, str]] = []
        _check_flags(lambda name: cell(cells, name), values, mapping, value_maps, unknown)
        _check_dates(lambda name: cell(cells, name), values, problems, mapping)

        for field_name, text in unknown:
            result.note_unknown(field_name, text)
        if problems:
            result.errors.extend(RowError(line, message, upn) for message in problems)
        elif unknown:
            result.pending_rows += 1
        else:
            result.rows[upn] = values
            result.lines[upn] = line
    return result

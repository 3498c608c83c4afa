"""Reading pupil rosters exported from a school MIS (SIMS, Arbor, Bromcom) as CSV.

Pure functions, no Flask and no database: bytes in, a table of cells out; a table and a
column mapping in, checked pupil rows and line-numbered errors out; those rows and the
pupils already held in, a plan of what an import would change out. The web preview, the
commit and the CLI all use the same functions, so they always agree.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .academic import FIRST_YEAR_GROUP, LAST_YEAR_GROUP, cohort_for
from .csv_files import decode, heading_and_rows, sniff_delimiter
from .dates import format_date
from .pupil_flags import send_label
from .errors import InputError
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
                    "reg", "tutor", "registration"],
    "send_status": ["sen status", "sen", "send", "send status", "sen provision",
                    "sen need"],
    "disadvantaged": ["pupil premium", "pp", "disadvantaged", "pupil premium indicator",
                      "pp eligible", "pupil premium eligible"],
    "looked_after": ["in care", "looked after", "cla", "lac", "child looked after",
                     "looked after child", "cic", "child in care"],
}.items():
    for _name in _names:
        HEADER_ALIASES[_name] = _field

TRUE_VALUES = frozenset({"y", "yes", "true", "t", "1"})
FALSE_VALUES = frozenset({"n", "no", "false", "f", "0", ""})
SEND_VALUES = {"n": "N", "k": "K", "e": "E", "": "N", "none": "N", "no sen": "N",
               "sen support": "K", "ehcp": "E", "ehc plan": "E"}
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


def parse_flag(text: str, label: str) -> tuple[bool | None, str | None]:
    """Y/N, Yes/No, True/False, T/F, 1/0 (any case); blank means No."""
    value = text.strip().lower()
    if value in TRUE_VALUES:
        return True, None
    if value in FALSE_VALUES:
        return False, None
    return None, f"“{text}” is not a {label} value (use Y or N)."


def parse_send(text: str) -> tuple[str | None, str | None]:
    """N (none), K (SEN support) or E (EHC plan); blank means N."""
    value = SEND_VALUES.get(" ".join(text.strip().lower().split()))
    if value is None:
        return None, f"“{text}” is not an SEN status (use N, K or E)."
    return value, None


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


def check_rows(table: Table, mapping: dict[str, int], academic_year: int) -> CheckedRows:
    """Validate every row. A row with any problem is reported (each problem once) and left out.

    The year group becomes a cohort for `academic_year`, so nothing stored goes stale.
    """
    result = CheckedRows()
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
        if "send_status" in mapping:
            send, problem = parse_send(cell(cells, "send_status"))
            if problem:
                problems.append(problem)
            values["send_status"] = send
        for flag, label in (("disadvantaged", "Pupil Premium"), ("looked_after", "looked-after")):
            if flag in mapping:
                value, problem = parse_flag(cell(cells, flag), label)
                if problem:
                    problems.append(problem)
                values[flag] = value

        if problems:
            result.errors.extend(RowError(line, message, upn) for message in problems)
        else:
            result.rows[upn] = values
            result.lines[upn] = line
    return result


# Planning: what an import would change --------------------------------------------------

@dataclass
class PupilChange:
    upn: str
    pupil_id: int | None
    values: dict[str, Any]
    changed: tuple[str, ...] = ()  # field names that differ (empty for a new pupil)
    before: dict[str, Any] = field(default_factory=dict)  # the held values of `changed`


@dataclass
class ImportPlan:
    new: list[PupilChange] = field(default_factory=list)
    updated: list[PupilChange] = field(default_factory=list)
    unchanged: int = 0
    missing: list[dict[str, Any]] = field(default_factory=list)  # probable leavers


# Columns compared with the stored pupil; "left_on" is cleared when a leaver reappears.
COMPARED = ("legal_forename", "preferred_forename", "surname", "cohort", "tutor_group",
            "send_status", "disadvantaged", "looked_after")


def plan_import(rows: dict[str, dict[str, Any]], existing: list[dict[str, Any]],
                today: date) -> ImportPlan:
    """Compare checked rows with the pupils held (dicts with id, upn, left_on and COMPARED).

    New: a UPN not held. Updated: any present field differs, or a leaver is back on roll.
    Missing: held, not left (or leaving later), and not in the file.
    """
    plan = ImportPlan()
    held = {pupil["upn"]: pupil for pupil in existing}
    for upn, values in rows.items():
        pupil = held.get(upn)
        if pupil is None:
            plan.new.append(PupilChange(upn, None, values))
            continue
        changed = tuple(name for name in COMPARED if name in values and values[name] != pupil[name])
        if pupil["left_on"] is not None and pupil["left_on"] <= today:
            changed += ("left_on",)
        if changed:
            before = {name: pupil[name] for name in changed}
            plan.updated.append(PupilChange(upn, pupil["id"], values, changed, before))
        else:
            plan.unchanged += 1
    for pupil in existing:
        if pupil["upn"] not in rows and (pupil["left_on"] is None or pupil["left_on"] > today):
            plan.missing.append(pupil)
    plan.missing.sort(key=lambda p: (p["surname"].lower(), p["legal_forename"].lower()))
    return plan


CHANGE_LABELS = {"legal_forename": "legal forename", "preferred_forename": "preferred forename",
                 "surname": "surname", "cohort": "year group", "tutor_group": "tutor group",
                 "send_status": "SEND", "disadvantaged": "disadvantaged",
                 "looked_after": "looked after", "left_on": "on roll"}


def _shown(name: str, value: Any, academic_year: int) -> str:
    if name == "cohort" and isinstance(value, int):
        return f"Year {7 + academic_year - value}"
    if name == "send_status":
        return send_label(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return "(blank)"
    return str(value)


def describe_change(change: PupilChange, academic_year: int) -> list[tuple[str, str, str]]:
    """(what, old, new) for each field an update changes, in words for the preview."""
    lines = []
    for name in change.changed:
        if name == "left_on":
            left = change.before.get("left_on")
            lines.append((CHANGE_LABELS[name], f"Left {format_date(left)}" if left else "Left",
                          "back on roll"))
            continue
        lines.append((CHANGE_LABELS.get(name, name.replace("_", " ")),
                      _shown(name, change.before.get(name), academic_year),
                      _shown(name, change.values.get(name), academic_year)))
    return lines

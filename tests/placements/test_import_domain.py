"""Reading the schools' work experience spreadsheets (pure functions)."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from careers_app.domain import placement_import as sheets
from careers_app.domain.plan_dates import DateCellError

D = date


@pytest.mark.parametrize("text, dates", [
    ("6-10 July 2026", (D(2026, 7, 6), D(2026, 7, 10))),
    ("6 - 10 Jul 2026", (D(2026, 7, 6), D(2026, 7, 10))),
    ("6th to 10th July 2026", (D(2026, 7, 6), D(2026, 7, 10))),
    ("29 June 2026 - 3 July 2026", (D(2026, 6, 29), D(2026, 7, 3))),
    ("06/07/2026 - 10/07/2026", (D(2026, 7, 6), D(2026, 7, 10))),
    ("2026-07-06 to 2026-07-10", (D(2026, 7, 6), D(2026, 7, 10))),
    ("6 Jul 2026–10 Jul 2026", (D(2026, 7, 6), D(2026, 7, 10))),
    ("8 July 2026", (D(2026, 7, 8), D(2026, 7, 8))),
    ("2026-07-08", (D(2026, 7, 8), D(2026, 7, 8))),
])
def test_date_ranges_as_schools_write_them(text, dates):
    assert sheets.parse_dates(text) == dates


@pytest.mark.parametrize("text", ["July 2026", "next week", "30-31 February 2026",
                                  "6/7 - 10/7", "6 Jul 2026 - 10 Jul 2026 - 12 Jul 2026"])
def test_unreadable_dates_are_errors(text):
    with pytest.raises(DateCellError):
        sheets.parse_dates(text)


@pytest.mark.parametrize("text, parts", [
    ("Ann Lee, ann.lee@acme.co.uk, 01632 960123", ("Ann Lee", "ann.lee@acme.co.uk",
                                                  "01632 960123")),
    ("ann@acme.co.uk", ("", "ann@acme.co.uk", "")),
    ("Mr B Khan 07700 900123", ("Mr B Khan", "", "07700 900123")),
    ("Reception", ("Reception", "", "")),
    ("", ("", "", "")),
])
def test_one_contact_cell_splits_into_name_email_and_phone(text, parts):
    assert sheets.split_contact(text) == parts


def test_csv_in_the_encodings_schools_save():
    text = "UPN,Name,Employer,Dates\nA1,Zoë O’Brien,Café Ltd,6-10 July 2026\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"),
                 text.encode("cp1252"), text.replace(",", ";").encode("utf-8")):
        sheet = sheets.read_sheet(data, "wex.csv")
        assert sheet.headers == ["UPN", "Name", "Employer", "Dates"]
        assert sheet.rows == [(2, ["A1", "Zoë O’Brien", "Café Ltd", "6-10 July 2026"])]


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_with_real_date_cells():
    data = _xlsx([["Name", "Employer", "Start date", "End date", "Phone"],
                  ["Zoë Baker", "Acme", datetime(2026, 7, 6), datetime(2026, 7, 10), 1632960123],
                  [None, None, None, None, None]])
    sheet = sheets.read_sheet(data, "wex.xlsx")
    assert sheet.rows == [(2, ["Zoë Baker", "Acme", "2026-07-06", "2026-07-10", "1632960123"])]
    # What the preview posts back is plain CSV, read the same way.
    assert sheets.sheet_from_text(sheets.sheet_to_text(sheet)).rows == sheet.rows


@pytest.mark.parametrize("data, filename, message", [
    (b"", "x.csv", "empty"),
    (b"UPN,Employer\n", "x.csv", "no placements"),
    (b"PK\x03\x04not really a zip", "x.xlsx", "cannot be read"),
    (b"\xd0\xcf\x11\xe0\x00\x00old excel", "x.xls", "not an .xlsx"),
    (b"\x00\x01\x02binary", "x.csv", "not a CSV"),
    (b"x" * (sheets.MAX_BYTES + 1), "x.csv", "larger than 2 MB"),
])
def test_files_that_are_not_tables(data, filename, message):
    with pytest.raises(sheets.SheetError, match=message):
        sheets.read_sheet(data, filename)


ROLL = [sheets.RosterPupil(1, "A000000000001", "Zoë", "Zoe", "Baker"),
        sheets.RosterPupil(2, "A000000000002", "Sam", "Samuel", "Khan"),
        sheets.RosterPupil(3, "A000000000003", "Sam", "Samira", "Khan")]


def _sheet(*rows, headers=("UPN", "Name", "Employer", "Dates", "Contact")):
    return sheets.Sheet(list(headers), [(n, list(r)) for n, r in enumerate(rows, start=2)])


def test_rows_are_matched_by_upn_or_by_a_unique_name():
    checked = sheets.check_import(_sheet(
        ("A000000000001", "", "Acme", "6-10 July 2026", "Ann, ann@acme.co.uk"),
        ("", "Baker, Zoe", "Acme", "6-10 July 2026", "")), ROLL, [])
    assert checked.errors == [sheets.RowError(3, "This pupil is also on line 2.")]
    assert [(r.pupil_id, r.contact_name, r.contact_email) for r in checked.rows] == [
        (1, "Ann", "ann@acme.co.uk")]


@pytest.mark.parametrize("row, message", [
    (("A999999999999", "", "Acme", "6-10 July 2026", ""), "No pupil on roll has the UPN"),
    (("", "Sam Khan", "Acme", "6-10 July 2026", ""), "2 pupils are called “Sam Khan”"),
    (("", "Nobody Here", "Acme", "6-10 July 2026", ""), "No pupil on roll is called"),
    (("", "", "Acme", "6-10 July 2026", ""), "The pupil is missing"),
    (("A000000000001", "", "Acme", "", ""), "The dates are missing"),
    (("A000000000001", "", "Acme", "sometime", ""), "is not a day"),
    (("A000000000001", "", "Acme", "10-6 July 2026", ""), "before the first day"),
    (("A000000000001", "", "Acme", "4-5 July 2026", ""), "no school days"),
    (("A000000000001", "", "A" * 201, "6-10 July 2026", ""), "employer is longer"),
    (("A000000000001", "", "Acme", "6-10 July 2026", "Ann, bad@@mail.x"), "not one"),
])
def test_row_errors(row, message):
    checked = sheets.check_import(_sheet(row), ROLL, [])
    assert not checked.can_import
    assert any(message in e.message for e in checked.errors), checked.errors


def test_a_placement_already_held_on_those_dates_is_an_error_unless_it_is_the_weeks():
    held = [sheets.HeldPlacement(50, 1, D(2026, 7, 6), D(2026, 7, 10), week_id=9)]
    row = ("A000000000001", "", "Acme", "8 July 2026", "")
    clash = sheets.check_import(_sheet(row), ROLL, held)
    assert [e.message for e in clash.errors] == [
        "This pupil already has a placement on some of these dates."]
    # Imported into that week, the row updates the pupil's placement in it instead.
    into_week = sheets.check_import(_sheet(("A000000000001", "", "Acme", "", "")), ROLL, held,
                                    week=(9, D(2026, 7, 6), D(2026, 7, 10)))
    assert into_week.can_import and into_week.updated_count == 1
    assert (into_week.rows[0].start, into_week.rows[0].end) == (D(2026, 7, 6), D(2026, 7, 10))


@pytest.mark.parametrize("headers, problem", [
    (("Employer", "Dates"), "column for the pupil"),
    (("UPN", "Dates"), "“Employer” column"),
    (("UPN", "Employer"), "needs the dates"),
])
def test_missing_columns(headers, problem):
    checked = sheets.check_import(_sheet(("x",) * len(headers), headers=headers), ROLL, [])
    assert any(problem in p for p in checked.column_problems)
    assert not checked.can_import


def test_forename_and_surname_columns_and_separate_dates():
    checked = sheets.check_import(_sheet(
        ("Samira", "Khan", "Acme", "06/07/2026", "10/07/2026", "Help in the shop"),
        headers=("First name", "Surname", "Company", "Start date", "End date", "Task")), ROLL, [])
    assert checked.can_import
    row = checked.rows[0]
    assert (row.pupil_id, row.employer, row.start, row.end, row.task) == (
        3, "Acme", D(2026, 7, 6), D(2026, 7, 10), "Help in the shop")

"""The MIS export reader and validator, without an app: table-driven."""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.domain import mis_import as mi
from careers_app.domain import mis_plan
from careers_app.domain import mis_values as mv
from careers_app.domain.academic import cohort_for
from careers_app.domain.destinations import summarise, year_after_label

from tests.roster.mis_files import FIXTURE_PUPILS, fixture_bytes

YEAR = 2025  # academic year 2025/26


@pytest.mark.parametrize("text, expected", [
    ("Year 10", 10), ("10", 10), ("Y10", 10), ("y 7", 7), ("Yr 13", 13), ("year13", 13),
    ("NC Year 12", 12), (" 9 ", 9), ("07", 7),
])
def test_year_values_each_mis_uses(text, expected):
    assert mi.parse_year(text) == (expected, None)


@pytest.mark.parametrize("text, reason", [
    ("Year 6", "outside Years 7 to 13"), ("14", "outside Years 7 to 13"), ("0", "outside"),
    ("Reception", "is not a year group"), ("", "missing"), ("Year ten", "is not a year group"),
])
def test_year_values_refused(text, reason):
    value, problem = mi.parse_year(text)
    assert value is None and reason in problem


@pytest.mark.parametrize("text, expected", [
    ("Y", True), ("yes", True), ("TRUE", True), ("True", True), ("1", True), ("T", True),
    ("N", False), ("No", False), ("false", False), ("0", False), ("", False), ("F", False),
])
def test_flag_values(text, expected):
    assert mv.parse_flag(text) is expected


@pytest.mark.parametrize("text", ["Maybe", "2", "X", "Y/N"])
def test_unknown_flag_values_are_none(text):
    assert mv.parse_flag(text) is None
    assert mv.parse_flag(text, {mv.normalise_value(text): "Y"}) is True  # once matched


@pytest.mark.parametrize("text, expected", [
    ("N", "N"), ("k", "K"), ("E", "E"), ("", "N"), ("SEN Support", "K"), ("EHCP", "E"),
    ("No Special Educational Need", "N"), ("EHC Plan", "E"), ("K - SEN Support", "K"),
    ("Education, Health and Care Plan", "E"), ("  sen   support ", "K"),
])
def test_send_values(text, expected):
    assert mv.parse_send(text) == expected


@pytest.mark.parametrize("text", ["X", "Yes", "Unknown"])
def test_unknown_send_values_are_none(text):
    assert mv.parse_send(text) is None
    assert mv.parse_send(text, {mv.normalise_value(text): "K"}) == "K"


@pytest.mark.parametrize("headers, field, index", [
    (["UPN", "Legal Surname", "Legal Forename", "Year"], "surname", 1),
    (["UPN", "Surname", "Forename", "Year Group"], "legal_forename", 2),
    (["upn", "SURNAME", "forename", "NC_Year"], "year", 3),
    (["UPN", "Surname", "Forename", "Year", "Reg Group"], "tutor_group", 4),
    (["UPN", "Surname", "Forename", "Year", "Registration Group"], "tutor_group", 4),
    (["UPN", "Surname", "Forename", "Year", "Tutor Group"], "tutor_group", 4),
    (["UPN", "Surname", "Forename", "Year", "Form"], "tutor_group", 4),
    (["UPN", "Surname", "Forename", "Year", "SEN Status"], "send_status", 4),
    (["UPN", "Surname", "Forename", "Year", "SEN"], "send_status", 4),
    (["UPN", "Surname", "Forename", "Year", "Pupil Premium"], "disadvantaged", 4),
    (["UPN", "Surname", "Forename", "Year", "PP"], "disadvantaged", 4),
    (["UPN", "Surname", "Forename", "Year", "Disadvantaged"], "disadvantaged", 4),
    (["UPN", "Surname", "Forename", "Year", "In Care"], "looked_after", 4),
    (["UPN", "Surname", "Forename", "Year", "Looked After"], "looked_after", 4),
    (["UPN", "Surname", "Forename", "Year", "CLA"], "looked_after", 4),
    (["UPN", "Surname", "Preferred Forename", "Forename", "Year"], "legal_forename", 3),
    (["UPN", "Surname", "Preferred Forename", "Forename", "Year"], "preferred_forename", 2),
])
def test_each_mis_column_name_is_recognised(headers, field, index):
    assert mi.guess_mapping(headers)[field] == index


def test_a_remembered_mapping_wins_over_built_in_names():
    mapping = mi.guess_mapping(["Pupil Ref", "Surname", "Forename", "Yr Grp", "Form"],
                               {"pupil ref": "upn", "yr grp": "year", "form": ""})
    assert mapping == {"upn": 0, "surname": 1, "legal_forename": 2, "year": 3}


@pytest.mark.parametrize("mapping, problem", [
    ({"surname": 1, "legal_forename": 2, "year": 3}, "UPN"),
    ({"upn": 0, "legal_forename": 2, "year": 3}, "Surname"),
    ({"upn": 0, "surname": 1, "year": 3}, "forename"),
    ({"upn": 0, "surname": 1, "legal_forename": 2}, "Year group"),
    ({"upn": 0, "surname": 1, "legal_forename": 2, "year": 9}, "not valid"),
])
def test_mapping_problems(mapping, problem):
    problems = mi.mapping_problems(mapping, 4)
    assert any(problem in p for p in problems), problems


def test_a_complete_mapping_has_no_problems():
    assert mi.mapping_problems({"upn": 0, "surname": 1, "preferred_forename": 2, "year": 3}, 4) == []


@pytest.mark.parametrize("name, encoding, delimiter", [
    ("sims_utf8.csv", "utf-8", ","),
    ("arbor_utf8_bom.csv", "utf-8-sig", ","),
    ("bromcom_cp1252_semicolon.csv", "windows-1252", ";"),
    ("tab_delimited.csv", "utf-8", "\t"),
])
def test_each_mis_file_reads_to_the_same_pupils(name, encoding, delimiter):
    table = mi.read_table(fixture_bytes(name))
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.headers[0] == "UPN"  # no BOM left on the first heading
    mapping = mi.guess_mapping(table.headers)
    assert mi.mapping_problems(mapping, len(table.headers)) == []
    checked = mi.check_rows(table, mapping, YEAR)
    assert checked.errors == []
    assert set(checked.rows) == set(FIXTURE_PUPILS)
    for upn, expected in FIXTURE_PUPILS.items():
        row = checked.rows[upn]
        assert row["surname"] == expected["surname"]
        assert row["legal_forename"] == expected["legal_forename"]
        assert row["cohort"] == cohort_for(expected["year"], YEAR)
        assert row["tutor_group"] == expected["tutor_group"]
        assert row["send_status"] == expected["send_status"]
        assert row["disadvantaged"] is expected["disadvantaged"]
        assert row["looked_after"] is expected["looked_after"]


def test_quoted_fields_with_commas_and_trailing_empty_rows():
    table = mi.read_table(fixture_bytes("sims_utf8.csv"))
    assert len(table.rows) == 5  # the ",,,," row and blank lines at the end are skipped
    assert table.rows[0][1][-1] == "1 High Street, Anytown"
    assert [line for line, _ in table.rows] == [2, 3, 4, 5, 6]


def test_preferred_forename_is_kept_only_when_it_differs():
    table = mi.read_table(fixture_bytes("sims_utf8.csv"))
    rows = mi.check_rows(table, mi.guess_mapping(table.headers), YEAR).rows
    assert rows["Y886432110002"]["preferred_forename"] == "Annie"
    assert rows["J886432110001"]["preferred_forename"] is None


def test_windows_1252_curly_apostrophe_and_accents():
    text, encoding = mi.decode("O’Brien;Zoë;François".encode("cp1252"))
    assert (text, encoding) == ("O’Brien;Zoë;François", "windows-1252")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"\r\n\r\n", "empty"),
    (b"UPN,Surname,Forename,Year\n", "no pupils"),
    (b"PK\x03\x04\x00\x00binary", "not a CSV"),
    (b"just one column\nx\n", "name the columns"),
])
def test_unreadable_files(data, message):
    with pytest.raises(mi.ImportFileError, match=message):
        mi.read_table(data)


def test_broken_file_reports_every_row_with_its_line_and_reason():
    table = mi.read_table(fixture_bytes("broken.csv"))
    checked = mi.check_rows(table, mi.guess_mapping(table.headers), YEAR)
    by_line = {}
    for error in checked.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "missing" in by_line[3][0]
    assert "check letter" in by_line[4][0]
    assert "13 characters" in by_line[5][0]
    assert "also on line 2" in by_line[6][0]
    assert "Year 6 is outside" in by_line[7][0]
    assert "Year 14 is outside" in by_line[8][0]
    assert by_line[9] == ["The surname is empty."]
    assert by_line[10] == ["The forename is empty."]
    # Line 11's "X" and "Maybe" are values to match, not errors; the row waits for them.
    assert checked.unknown_values == {"send_status": {"x": "X"},
                                      "disadvantaged": {"maybe": "Maybe"}}
    assert checked.pending_rows == 1
    assert list(checked.rows) == ["J886432110001"]
    matched = mi.check_rows(table, mi.guess_mapping(table.headers), YEAR,
                            {"send_status": {"x": "N"}, "disadvantaged": {"maybe": "Y"}})
    assert matched.unknown_values == {} and matched.rows["E886432110006"]["disadvantaged"]


def _held(upn, **overrides):
    values = dict(id=1, upn=upn, left_on=None, joined_on=None, legal_forename="Zoë", preferred_forename=None,
                  surname="O’Brien", cohort=cohort_for(10, YEAR), tutor_group="10A",
                  send_status="K", disadvantaged=True, looked_after=False)
    values.update(overrides)
    return values


def _rows():
    table = mi.read_table(fixture_bytes("sims_utf8.csv"))
    return mi.check_rows(table, mi.guess_mapping(table.headers), YEAR).rows


TODAY = date(2025, 10, 1)


@pytest.mark.parametrize("held, new, updated, unchanged, missing", [
    ([], 5, 0, 0, 0),
    ([_held("J886432110001")], 4, 0, 1, 0),
    ([_held("J886432110001", tutor_group="10B")], 4, 1, 0, 0),
    ([_held("J886432110001", left_on=date(2025, 7, 20))], 4, 1, 0, 0),  # back on roll
    ([_held("J886432110001"), _held("E886432110006", id=2)], 4, 0, 1, 1),
    ([_held("E886432110006", id=2, left_on=date(2025, 7, 20))], 5, 0, 0, 0),  # already left
    ([_held("E886432110006", id=2, left_on=date(2026, 7, 20))], 5, 0, 0, 1),  # leaving later
])
def test_plan_counts_new_updated_unchanged_and_missing(held, new, updated, unchanged, missing):
    plan = mis_plan.plan_import(_rows(), held, TODAY)
    assert (len(plan.new), len(plan.updated), plan.unchanged, len(plan.missing)) == (
        new, updated, unchanged, missing)


def test_plan_names_the_fields_that_change():
    plan = mis_plan.plan_import(_rows(), [_held("J886432110001", tutor_group="10B", send_status="N")],
                          TODAY)
    assert plan.updated[0].changed == ("tutor_group", "send_status")


def test_absent_columns_leave_stored_values_alone():
    table = mi.read_table(b"UPN,Surname,Forename,Year\nJ886432110001,O\xe2\x80\x99Brien,Zo\xc3\xab,10\n")
    rows = mi.check_rows(table, mi.guess_mapping(table.headers), YEAR).rows
    assert "send_status" not in rows["J886432110001"]
    plan = mis_plan.plan_import(rows, [_held("J886432110001")], TODAY)
    assert plan.unchanged == 1


def test_destination_summary_counts_missing_records_as_not_known():
    shares = {s.status: s for s in summarise(["education", "education", "neet", None])}
    assert shares["education"].count == 2 and shares["education"].percent == 50.0
    assert shares["not_known"].count == 1 and shares["not_known"].percent == 25.0
    assert shares["employment"].percent == 0.0


def test_year_after_label():
    assert year_after_label(1) == "1st year after leaving"
    assert year_after_label(3, 2024) == "3rd year after leaving (2027/28)"

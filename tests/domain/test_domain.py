"""Table tests for the pure domain rules (no app, no database)."""
from datetime import date, datetime, timezone

import pytest

from careers_app.domain.academic import (academic_year_bounds, academic_year_label,
                                         academic_year_of, cohort_for, key_stage,
                                         parse_academic_year_label, year_group)
from careers_app.domain.benchmarks import (BENCHMARKS, ENCOUNTER_KINDS, EncounterKind,
                                           clean_benchmarks, default_benchmarks)
from careers_app.domain.dates import format_date, format_datetime
from careers_app.domain.upn import check_letter, make_upn, upn_problem


@pytest.mark.parametrize("day, expected", [
    (date(2025, 8, 31), 2024),
    (date(2025, 9, 1), 2025),
    (date(2026, 1, 1), 2025),
    (date(2026, 2, 28), 2025),
    (date(2026, 8, 31), 2025),
    (date(2026, 9, 1), 2026),
    (date(2024, 2, 29), 2023),
])
def test_academic_year_of(day, expected):
    assert academic_year_of(day) == expected


@pytest.mark.parametrize("start, label", [(2025, "2025/26"), (1999, "1999/00"), (2009, "2009/10")])
def test_academic_year_label_round_trips(start, label):
    assert academic_year_label(start) == label
    assert parse_academic_year_label(label) == start


@pytest.mark.parametrize("text", ["2025/27", "25/26", "abcd", "", "2025/2a"])
def test_bad_academic_year_labels(text):
    assert parse_academic_year_label(text) is None


def test_academic_year_bounds():
    assert academic_year_bounds(2025) == (date(2025, 9, 1), date(2026, 8, 31))


@pytest.mark.parametrize("cohort, academic_year, expected_year, expected_stage", [
    (2025, 2025, 7, 3),
    (2025, 2027, 9, 3),
    (2025, 2028, 10, 4),
    (2025, 2029, 11, 4),
    (2025, 2030, 12, 5),
    (2025, 2031, 13, 5),
    (2025, 2032, 14, None),   # left school
    (2025, 2024, 6, None),    # still at primary school
])
def test_year_group_and_key_stage_follow_the_academic_year(cohort, academic_year, expected_year,
                                                            expected_stage):
    assert year_group(cohort, academic_year) == expected_year
    assert key_stage(expected_year) == expected_stage
    if 7 <= expected_year <= 13:
        assert cohort_for(expected_year, academic_year) == cohort


def test_a_pupil_moves_up_on_1_september_without_any_rollover():
    cohort = cohort_for(10, academic_year_of(date(2026, 8, 31)))
    assert year_group(cohort, academic_year_of(date(2026, 8, 31))) == 10
    assert year_group(cohort, academic_year_of(date(2026, 9, 1))) == 11


def test_the_eight_benchmarks_with_2025_names():
    assert [b.number for b in BENCHMARKS] == list(range(1, 9))
    names = {b.number: b.name for b in BENCHMARKS}
    assert names[1] == "A stable careers programme"
    assert names[2] == "Learning from career and labour market information"
    assert names[3] == "Addressing the needs of each young person"
    assert names[4] == "Linking curriculum learning to careers"
    assert names[5] == "Encounters with employers and employees"
    assert names[6] == "Experiences of workplaces"
    assert names[7] == "Encounters with further and higher education"
    assert names[8] == "Personal guidance"


@pytest.mark.parametrize("kind, benchmarks", [
    (EncounterKind.EMPLOYER_TALK, (5,)),
    (EncounterKind.WORKPLACE_VISIT, (6,)),
    (EncounterKind.WORK_EXPERIENCE, (6,)),
    (EncounterKind.COLLEGE, (7,)),
    (EncounterKind.UNIVERSITY, (7,)),
    (EncounterKind.APPRENTICESHIP_PROVIDER, (7,)),
    (EncounterKind.GUIDANCE_INTERVIEW, (8,)),
    (EncounterKind.CURRICULUM_LINKED, (4,)),
    (EncounterKind.LABOUR_MARKET_INFO, (2,)),
    (EncounterKind.OTHER, ()),
    ("employer_talk", (5,)),
])
def test_default_benchmarks_per_kind(kind, benchmarks):
    assert default_benchmarks(kind) == benchmarks


def test_every_kind_has_a_label_and_valid_benchmarks():
    for kind, info in ENCOUNTER_KINDS.items():
        assert info.label
        assert clean_benchmarks(info.benchmarks) == info.benchmarks
    assert set(ENCOUNTER_KINDS) == set(EncounterKind)


@pytest.mark.parametrize("given, expected", [([5, 2, 5], (2, 5)), (["8"], (8,)), ([], ())])
def test_clean_benchmarks(given, expected):
    assert clean_benchmarks(given) == expected


@pytest.mark.parametrize("given", [[0], [9], ["x"]])
def test_clean_benchmarks_refuses_unknown_numbers(given):
    with pytest.raises(ValueError):
        clean_benchmarks(given)


@pytest.mark.parametrize("value, expected", [
    (date(2026, 3, 3), "3 Mar 2026"),
    (date(2025, 12, 25), "25 Dec 2025"),
    (None, ""),
    # Stored in UTC, shown in London time: 23:30 UTC on 31 Aug in summer is 1 Sep in London.
    (datetime(2026, 8, 31, 23, 30, tzinfo=timezone.utc), "1 Sep 2026"),
])
def test_british_dates(value, expected):
    assert format_date(value) == expected


def test_datetimes_show_london_time():
    assert format_datetime(datetime(2026, 6, 19, 8, 0, tzinfo=timezone.utc)) == "19 Jun 2026, 09:00"
    assert format_datetime(datetime(2026, 1, 19, 8, 0, tzinfo=timezone.utc)) == "19 Jan 2026, 08:00"


def test_upn_check_letter():
    upn = make_upn(886, 4321, 20, 7)
    assert len(upn) == 13 and upn_problem(upn) is None
    assert upn[0] == check_letter(upn[1:])


@pytest.mark.parametrize("upn, fragment", [
    ("", "missing"),
    ("A12345", "13 characters"),
    ("A12345678901X2", "13 characters"),
    ("A1234567890AB", "letter followed by 11 digits"),
])
def test_upn_problems(upn, fragment):
    assert fragment in upn_problem(upn)


def test_upn_wrong_check_letter():
    upn = make_upn(886, 4321, 20, 7)
    wrong = ("B" if upn[0] != "B" else "C") + upn[1:]
    assert "check letter" in upn_problem(wrong)


FILE_READERS = {"docx", "openpyxl"}


def test_domain_imports_neither_flask_nor_sqlalchemy():
    """domain/ is plain Python: its modules import only the standard library, each other and
    file-format readers that know nothing of the web or the database (python-docx, openpyxl)."""
    import ast
    import sys
    from pathlib import Path

    import careers_app.domain

    folder = Path(careers_app.domain.__file__).parent
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name} imports from outside domain/"
                names = [] if node.level else [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in FILE_READERS, f"{path.name}: {name}"

"""`flask --app wsgi import-pupils FILE.csv`: the same summary and errors as the preview."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from careers_app.domain.dates import today_london
from careers_app.domain.mis_plan import suggest_leaving_date
from careers_app.extensions import db
from careers_app.models import Pupil
from careers_app.models.roster import ImportMapping

from tests.roster.mis_files import FIXTURES, MIS_FILES


def _run(app, *args):
    """Run the command; with Click 8.2+ `output` holds stdout and stderr as the user sees them."""
    return app.test_cli_runner().invoke(args=["import-pupils", *args])


def _upns(app):
    with app.app_context():
        return {p.upn: p.left_on for p in db.session.scalars(select(Pupil))}


@pytest.mark.parametrize("name", MIS_FILES)
def test_cli_imports_each_mis_file(app, school, name):
    result = _run(app, str(FIXTURES / name), "--school", "test")
    assert result.exit_code == 0, result.output
    assert "5 rows: 5 new, 0 updated, 0 unchanged; 0 in the database but missing" in result.output
    assert "Imported: 5 new" in result.output
    assert len(_upns(app)) == 5


def test_cli_second_run_changes_nothing(app, school):
    _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test")
    result = _run(app, str(FIXTURES / "bromcom_cp1252_semicolon.csv"), "--school", "test")
    assert result.exit_code == 0
    assert "0 new, 0 updated, 5 unchanged" in result.output


def test_cli_errors_exit_non_zero_and_write_nothing(app, school):
    result = _run(app, str(FIXTURES / "broken.csv"), "--school", "test", "--mark-leavers")
    assert result.exit_code == 1
    output = result.output
    assert "8 errors in 8 rows." in output
    assert "Values not known for send_status: “X”" in output
    assert "Line 3: The UPN is missing." in output
    assert "Line 6: UPN J886432110001 is also on line 2." in output
    assert "Line 7: Year 6 is outside Years 7 to 13." in output
    assert "Nothing was imported" in output
    assert _upns(app) == {}


def test_cli_unreadable_file_exits_non_zero(app, school):
    result = _run(app, str(FIXTURES / "not_csv.csv"), "--school", "test")
    assert result.exit_code == 1
    assert _upns(app) == {}


def test_cli_unknown_columns_exit_non_zero_until_mapped(app, school):
    result = _run(app, str(FIXTURES / "unknown_columns.csv"), "--school", "test")
    assert result.exit_code == 1
    output = result.output
    assert "Choose the column that holds the UPN" in output
    with app.app_context():
        db.session.add_all([ImportMapping(school_id=school.id, header=h, field=f) for h, f in [
            ("pupil ref", "upn"), ("last", "surname"), ("first", "legal_forename"),
            ("curriculum yr", "year"), ("tutor grp", "tutor_group")]])
        db.session.commit()
    result = _run(app, str(FIXTURES / "unknown_columns.csv"), "--school", "test")
    assert result.exit_code == 0, result.output
    assert len(_upns(app)) == 5


def test_cli_marks_leavers_only_when_asked(app, school, make_pupil):
    make_pupil(upn="E886432110006")
    result = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test")
    assert "1 in the database but missing from the file" in result.output
    assert "run again with --mark-leavers" in result.output
    assert _upns(app)["E886432110006"] is None
    # 1 of the roll of 1 is more than 10%: refused without --confirm-large, nothing written.
    result = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test", "--mark-leavers")
    assert result.exit_code == 1
    assert "1 pupil (17% of the roll) would become leavers" in result.output
    assert "run again with --confirm-large" in result.output
    assert _upns(app)["E886432110006"] is None
    result = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test", "--mark-leavers",
                  "--confirm-large")
    assert result.exit_code == 0, result.output
    assert "1 marked as leavers" in result.output
    assert _upns(app)["E886432110006"] == suggest_leaving_date(today_london())


def test_cli_leaving_date_option(app, school, make_pupil):
    make_pupil(upn="E886432110006")
    result = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test", "--mark-leavers",
                  "--confirm-large", "--leaving-date", "2025-08-31")
    assert result.exit_code == 0, result.output
    assert "(last day on roll 2025-08-31)" in result.output
    assert _upns(app)["E886432110006"] == date(2025, 8, 31)
    bad = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test", "--leaving-date",
               "31/02/2025")
    assert bad.exit_code == 2 and "Not a valid date" in bad.output


def test_cli_first_import_on_roll_from(app, school):
    result = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test", "--on-roll-from",
                  "2024-09-01")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert {p.joined_on for p in db.session.scalars(select(Pupil))} == {date(2024, 9, 1)}


def test_cli_dry_run_writes_nothing(app, school):
    result = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "test", "--dry-run")
    assert result.exit_code == 0 and "Dry run" in result.output
    assert _upns(app) == {}


def test_cli_unknown_school(app, school):
    result = _run(app, str(FIXTURES / "sims_utf8.csv"), "--school", "nope")
    assert result.exit_code == 2 and "No school" in result.output


"""The careers leader's import in a real browser, driven by labels and roles."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from careers_app.extensions import db
from careers_app.models import Pupil

from tests.helpers import browser_login
from tests.roster.mis_files import FIXTURES

pytestmark = pytest.mark.browser


def test_import_with_column_mapping_in_a_browser(app, live_server, page, lead, make_pupil):
    make_pupil(upn="E886432110006", surname="Gone")
    browser_login(page, "lead")

    page.goto(f"{live_server}/pupils/import")
    page.get_by_label("MIS export (CSV file)").set_input_files(str(FIXTURES / "unknown_columns.csv"))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("heading", name="Match the columns").wait_for()
    for label, value in [("Column 1: “Pupil Ref”", "upn"), ("Column 2: “Last”", "surname"),
                         ("Column 3: “First”", "legal_forename"),
                         ("Column 4: “Curriculum Yr”", "year")]:
        page.get_by_label(label).select_option(value)
    page.get_by_role("button", name="Save columns and preview").click()  # htmx: HX-Redirect
    page.get_by_role("heading", name="Check the import").wait_for()
    assert page.locator("#import-summary dt").first.inner_text() == "New pupils"
    assert page.locator("#import-summary dd").first.inner_text() == "5"
    page.get_by_label("Also mark the pupils missing from the file as leavers").check()
    # The suggested last day is filled in; one leaver of a roll of one is over 10%.
    assert page.get_by_label("Their last day on roll").input_value()
    assert "100% of the roll of 1" in page.locator("#leaver-share").inner_text()
    page.get_by_role("button", name="Import 5 changes").click()
    page.locator("#large-leavers").wait_for()  # refused until the second tick
    page.get_by_label("Also mark the pupils missing from the file as leavers").check()
    page.get_by_label("Yes, mark them all as leavers").check()
    page.get_by_role("button", name="Import 5 changes").click()
    page.get_by_role("heading", name="Import complete").wait_for()

    with app.app_context():
        pupils = {p.upn: p.left_on for p in db.session.scalars(select(Pupil))}
    assert len(pupils) == 6 and pupils["E886432110006"] is not None

"""The careers leader's path in a real browser: dashboard → who is missing out → log for them."""
from __future__ import annotations

import re

import pytest

from careers_app.domain.benchmarks import EncounterKind

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_from_a_gap_on_the_dashboard_to_the_quick_log(page, lead, make_pupil, make_encounter):
    met = make_pupil(year=9, tutor_group="9A", surname="Met")
    missing = [make_pupil(year=9, tutor_group="9A", surname=f"Missing{n}") for n in range(3)]
    make_encounter([met], kind=EncounterKind.EMPLOYER_TALK)
    browser_login(page, "lead")
    page.goto("/reports/benchmarks")
    cell = page.get_by_role("link", name=re.compile(
        r"list the pupils in Year 9 who have not met BM5"))
    assert "25%" in cell.inner_text() and "1 / 4" in cell.inner_text()
    cell.click()
    for pupil in missing:
        page.get_by_role("link", name=pupil.sort_name).wait_for()
    assert page.get_by_role("link", name=met.sort_name).count() == 0
    page.get_by_role("link", name="Log an encounter for these 3 pupils").click()
    page.get_by_role("heading", name="Log an encounter").wait_for()
    ticked = page.locator("#pupil-checklist input:checked")
    assert ticked.count() == 3
    assert sorted(ticked.evaluate_all("els => els.map(e => +e.value)")) == sorted(
        p.id for p in missing)
    assert page.problems == []


def test_dashboard_filters_work_with_htmx_and_show_the_gap(page, lead, make_pupil, make_encounter):
    make_pupil(year=10, tutor_group="10A", surname="Premium", disadvantaged=True)
    other = make_pupil(year=10, tutor_group="10A", surname="Other")
    make_encounter([other], kind=EncounterKind.EMPLOYER_TALK)
    browser_login(page, "lead")
    page.goto("/reports/benchmarks")
    page.get_by_label("Disadvantaged (Pupil Premium)").select_option(label="Yes")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"disadvantaged="))
    cell = page.get_by_role("link", name=re.compile(r"Year 10 who have not met BM5"))
    # Whole cohort 50%, the disadvantaged pupil alone 0%: the gap is visible side by side.
    text = cell.locator("xpath=..").inner_text()
    assert "50%" in text and "0%" in text
    assert page.problems == []

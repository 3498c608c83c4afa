"""The audit in a real browser: answer a criterion inline, its benchmark's progress moves on."""
from __future__ import annotations

import pytest

from careers_app.domain.benchmarks import EncounterKind as K

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_answer_a_criterion_inline(page, lead, make_audit, make_pupil, make_encounter):
    met = make_pupil(8)
    make_pupil(8)
    make_encounter([met], K.EMPLOYER_TALK)
    audit_id = make_audit(lead, "Spring term 2026")
    browser_login(page, "lead")
    page.goto(f"/audit/{audit_id}/answer")
    criterion = page.locator("#criterion-bm5_pre16")
    criterion.get_by_text("Y7-Y11: 50% (1 of 2) had a meaningful employer encounter").wait_for()
    assert criterion.get_by_label("Partially achieved").is_checked()  # the suggestion
    criterion.get_by_label("Achieved", exact=True).check()
    criterion.get_by_label("Evidence to support the judgement").fill("Employer assemblies each term")
    criterion.get_by_role("button", name="Save answer").click()
    saved = page.locator("#criterion-bm5_pre16")
    saved.get_by_text("Answer saved.").wait_for()
    assert saved.get_by_text("overridden").count() == 1
    assert page.locator("#progress-bm5").get_by_text("1 of 4 answered").is_visible()
    assert page.url.endswith(f"/audit/{audit_id}/answer")  # swapped in place, no reload
    assert page.locator("#progress-bm5 progress").get_attribute("value") == "1"
    page.goto(f"/audit/{audit_id}")
    page.get_by_text("Employer assemblies each term").wait_for()
    assert page.problems == []

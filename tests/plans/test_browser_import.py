"""Bring the plan you already have, in a real browser: upload a Word document, match a
column on the preview, import; the pages pass the WCAG checks."""
from __future__ import annotations

import re

import pytest

from tests.helpers import browser_login
from tests.test_accessibility import violations
from .test_seed_plans import _packaged
from .wordfiles import plan_text_to_docx

pytestmark = pytest.mark.browser


def test_upload_a_word_plan_match_a_column_and_import(page, lead, tmp_path):
    word = tmp_path / "Careers plan.docx"
    word.write_bytes(plan_text_to_docx(_packaged("003")))
    browser_login(page, "lead")
    page.goto("/plans/import")
    assert violations(page) == []
    page.get_by_label("Word or CSV file").set_input_files(str(word))
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("heading", name=re.compile(r"^Preview: 8 aims, 27 actions")).wait_for()
    assert violations(page) == []
    # The document has no title: give one, and leave the success criteria out this time.
    page.get_by_label("Plan title").fill("Careers plan 2026-2027")
    page.get_by_label(re.compile(r"^Column 6: “Success Criteria”")).select_option(
        label="Ignore this column")
    page.get_by_role("button", name="Update the preview").click()
    page.get_by_role("button", name="Import this plan").click()
    page.get_by_role("heading", name=re.compile(r"^Careers plan 2026-2027")).wait_for()
    assert page.get_by_text("Imported “Careers plan 2026-2027”: 8 aims, 27 actions and 20 "
                            "milestones.").is_visible()
    assert page.get_by_role("heading", name="BM8 Personal guidance").is_visible()
    assert page.get_by_text("QA and audit evidences students").count() == 0  # ignored column
    assert violations(page) == []
    assert page.problems == []

"""The group lead's path in a real browser: log in, land on /trust, open a school."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models import Pupil

from tests.helpers import browser_login

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "browser-trust-password"


def test_the_trust_lead_compares_schools_and_opens_one(app, page):
    with app.app_context():
        seed_demo(pupils=35, schools=2, password=DEMO_PASSWORD)
        surnames = set(db.session.scalars(select(Pupil.surname)))
    browser_login(page, "trust", DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/trust"))
    page.get_by_role("heading", name="Dartford Co-operative Learning Trust", exact=True).wait_for()
    table = page.get_by_role("table", name=re.compile("Pupils who have met each rule, by school"))
    assert "Demo School 2" in table.inner_text() and "All 2 schools" in table.inner_text()
    page.get_by_label("SEND").select_option(label="SEND (K or E)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"send=any"))
    page.get_by_role("link", name="Demo School 2").click()
    page.get_by_role("heading", name="Demo School 2", exact=True).wait_for()
    body = page.locator("main").inner_text()
    assert "Year 7" in body and "%" in body
    assert not any(re.search(rf"\b{re.escape(name)}\b", body) for name in surnames)
    links = page.locator("main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not any(h and (h.startswith("/pupils") or h.startswith("/reports")) for h in links)
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Trust", exact=True).count() == 1
    assert page.problems == []


def test_the_trust_pages_pass_axe(app, page):
    from sqlalchemy import select as sql_select

    from careers_app.models import School
    from careers_app.models.plans import ActionPlan
    from tests.test_accessibility import violations

    with app.app_context():
        seed_demo(pupils=35, schools=2, password=DEMO_PASSWORD)
        school_id = db.session.scalar(sql_select(School.id).where(School.slug == "demo-2"))
        plan_id = db.session.scalar(sql_select(ActionPlan.id).where(ActionPlan.group_id.is_not(None)))
    browser_login(page, "trust", DEMO_PASSWORD)
    found = {}
    for url in ("/trust", "/trust?send=any", f"/trust/schools/{school_id}", "/trust/print",
                "/trust/plans", f"/plans/{plan_id}", "/trust/1/plans/new"):
        page.goto(url)
        problems = violations(page)
        if problems:
            found[url] = problems
    assert found == {}

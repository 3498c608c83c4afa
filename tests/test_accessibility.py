"""WCAG 2.2 AA checks with axe-core in a real browser, on the pages people use most."""
from __future__ import annotations

import pytest

from careers_app.demo import seed_demo

from tests.helpers import browser_login

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "a11y-test-password"
STAFF_PAGES = ["/", "/encounters/new", "/encounters/", "/pupils/", "/reports/benchmarks",
               "/reports/benchmarks/bm5_year/10", "/reports/pal", "/plans", "/plans/events",
               "/calendar", "/destinations", "/pupils/import", "/admin/audit",
               "/account/password", "/audit", "/audit/new", "/audit/settings"]


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result.response["violations"]]


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo(password=DEMO_PASSWORD)


def test_login_page(page, demo):
    page.goto("/login")
    assert violations(page) == []


def test_staff_pages(app, page, demo):
    from sqlalchemy import select

    from careers_app.benchmark_audit.services import start_audit
    from careers_app.extensions import db
    from careers_app.models import User
    with app.app_context():
        lead = db.session.scalar(select(User).filter_by(username="lead"))
        audit = start_audit(lead.school_id, lead, "Autumn audit", 2026, False)
        audit_pages = [f"/audit/{audit.id}/answer", f"/audit/{audit.id}"]
    browser_login(page, "lead", DEMO_PASSWORD)
    found = {}
    for url in STAFF_PAGES + audit_pages:
        page.goto(url)
        problems = violations(page)
        if problems:
            found[url] = problems
    assert found == {}


def test_pupil_record(page, demo):
    browser_login(page, "pupil", DEMO_PASSWORD)
    page.goto("/me")
    assert violations(page) == []


def test_the_check_can_fail(page):
    page.set_content('<html lang="en"><head><title>x</title></head><body><main>'
                     '<input type="text"><img src="x.png"></main></body></html>')
    found = " ".join(violations(page))
    assert "label" in found and "image-alt" in found

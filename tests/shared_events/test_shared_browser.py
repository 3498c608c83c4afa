"""The shared-event, check-in and directory pages in a real browser: axe (WCAG 2.2 AA) and
no sideways scroll on a 375 px phone, on the demo partnership."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models import Organisation, User
from careers_app.models.shared import SharedEvent

from tests.helpers import browser_login
from tests.test_accessibility import violations

pytestmark = pytest.mark.browser
PASSWORD = "shared-browser-password"


def _walk(browser, live_server, username, urls) -> dict:
    context = browser.new_context(base_url=live_server, locale="en-GB",
                                  viewport={"width": 375, "height": 740})
    page = context.new_page()
    found = {}
    try:
        browser_login(page, username, PASSWORD)
        for url in urls:
            response = page.goto(url)
            problems = [] if response.ok else [f"status {response.status}"]
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                problems.append(f"scrolls sideways: {width[0]} > {width[1]}")
            problems += violations(page)
            if problems:
                found[url] = problems
    finally:
        context.close()
    return found


def test_shared_pages_fit_a_phone_and_pass_axe(app, browser, live_server):
    with app.app_context():
        seed_demo(password=PASSWORD, schools=2, pupils=40)
        event_id = db.session.scalar(select(SharedEvent.id).order_by(SharedEvent.id))
        school_id = db.session.scalar(select(User.school_id).where(User.username == "lead"))
        directory_id = db.session.scalar(select(Organisation.directory_id).where(
            Organisation.school_id == school_id, Organisation.name == "NHS Kent"))
    lead_pages = ["/shared-events", f"/shared-events/{event_id}", f"/shared-events/{event_id}/code",
                  "/shared-events/new", f"/shared-events/{event_id}/edit", "/organisations",
                  f"/organisations/{directory_id}", f"/organisations/{directory_id}/edit",
                  f"/organisations/{directory_id}/notes", "/organisations/merge"]
    assert _walk(browser, live_server, "lead", lead_pages) == {}
    assert _walk(browser, live_server, "pupil", ["/checkin"]) == {}

"""A pupil checks in on a phone-sized page: the demo's careers fair, its code, 375 px wide."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models.shared import SharedEvent, SharedEventCheckin
from careers_app.shared_events import codes

from tests.helpers import browser_login

pytestmark = pytest.mark.browser
PASSWORD = "checkin-browser-password"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB",
                                  viewport={"width": 375, "height": 740}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_pupil_checks_in_on_a_phone(app, phone):
    with app.app_context():
        seed_demo(password=PASSWORD, schools=2, pupils=40)
        event = db.session.scalar(select(SharedEvent).where(
            SharedEvent.title == "Partnership careers fair"))
        code = codes.code_for(app.config["SECRET_KEY"], event.checkin_salt)
    # The tutor's screen shows the code.
    browser_login(phone, "tutor", PASSWORD)
    phone.goto(f"/shared-events/{event.id}/code")
    assert phone.locator(".checkin-code").inner_text().replace(" ", "") == code
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="Log out").click()
    # The pupil types it in on their phone.
    browser_login(phone, "pupil", PASSWORD)
    phone.goto("/checkin")
    _no_sideways_scroll(phone)
    phone.get_by_label("Code").fill("WRONG1")
    phone.get_by_role("button", name="Check in").click()
    phone.get_by_text("That code is not right").wait_for()
    phone.get_by_label("Code").fill(f"{code[:3].lower()} {code[3:]}")
    phone.get_by_role("button", name="Check in").click()
    phone.get_by_text("You’re checked in to “Partnership careers fair”").wait_for()
    _no_sideways_scroll(phone)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SharedEventCheckin)) == 1
    assert phone.problems == []

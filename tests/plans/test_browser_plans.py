"""Plans and calendar links in a real browser: one-click tick-off, inline edit, copy a link."""
from __future__ import annotations

import re

import pytest

from careers_app.domain.dates import today_london

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_tick_off_and_edit_a_milestone_inline(page, lead, make_plan, make_item, make_milestone):
    plan = make_plan(title="Careers plan 2026-2028")
    item = make_item(plan=plan, lead_user_id=lead.id)
    make_milestone(item=item, title="Book the careers fair", date=today_london())
    browser_login(page, "lead")
    page.goto(f"/plans/{plan.id}")
    page.get_by_role("button", name=re.compile(r"^Mark done\s*: Book the careers fair$")).click()
    page.get_by_role("button", name=re.compile(r"^Mark not done\s*: Book the")).wait_for()
    assert page.url.endswith(f"/plans/{plan.id}")  # htmx swapped the milestone in place
    page.get_by_role("link", name="Edit Book the careers fair").click()
    page.get_by_label("Milestone", exact=True).fill("Book the careers fair hall")
    page.get_by_role("button", name="Save milestone").click()
    page.locator(".milestone__title", has_text="Book the careers fair hall").wait_for()
    assert page.url.endswith(f"/plans/{plan.id}")
    assert page.problems == []


def test_make_a_calendar_link_copy_it_and_subscribe(page, tutor):
    browser_login(page, "tutor")
    page.goto("/calendar")
    page.get_by_label("My milestones").check()
    page.get_by_role("button", name="Create link").click()
    address = page.get_by_label("Subscription address")
    address.wait_for()
    url = address.input_value()
    assert url.endswith(".ics") and "/calendar/" in url
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Ctrl+C", exact=False).or_(page.get_by_text("Copied")).first.wait_for()
    # A calendar app fetching the address gets the feed, with no login.
    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text().startswith("BEGIN:VCALENDAR\r\n")
    assert page.problems == []

"""Every main page, as careers leader, tutor and pupil, at desktop and phone size (issue 13):
nothing scrolls sideways, and axe-core finds no WCAG 2.2 AA violation."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from careers_app.database import write_transaction
from careers_app.demo import seed_demo
from careers_app.domain.benchmarks import EncounterKind
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, User
from careers_app.models.plans import ActionPlan, Milestone, PlanItem

from tests.helpers import browser_login
from .test_accessibility import violations

pytestmark = pytest.mark.browser
PASSWORD = "browser-pages-password"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def school(app):
    """The demo school, with a plan, a milestone and a planned event to show."""
    with app.app_context():
        seed_demo(password=PASSWORD)
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        tutor = db.session.scalar(select(User).where(User.username == "tutor"))
        pupil_id = db.session.scalar(select(User.pupil_id).where(User.username == "pupil"))
        encounter_id = db.session.scalar(select(Encounter.id).where(
            Encounter.school_id == lead.school_id).order_by(Encounter.id))
        with write_transaction():
            plan = ActionPlan(school_id=lead.school_id, title="Careers action plan",
                              period="2026-2028")
            item = PlanItem(school_id=lead.school_id, plan=plan, benchmark=5,
                            aim="Every pupil meets employers every year",
                            actions="Invite employers to assemblies", lead_user_id=tutor.id)
            milestone = Milestone(school_id=lead.school_id, item=item, title="Employer panel",
                                  date=today_london() + timedelta(days=20))
            event = Encounter(school_id=lead.school_id, title="Careers fair",
                              kind=EncounterKind.CAREERS_FAIR,
                              date=today_london() + timedelta(days=10),
                              academic_year=2026, planned=True, start_time=time(9),
                              end_time=time(15), invited_groups="yg:10", created_by_id=lead.id)
            db.session.add_all([plan, item, milestone, event])
        ids = dict(plan=plan.id, event=event.id, pupil=pupil_id, encounter=encounter_id)
    staff = ["/", "/encounters/new", "/encounters/", f"/encounters/{ids['encounter']}",
             "/pupils/", f"/pupils/{ids['pupil']}", "/reports/benchmarks",
             "/reports/benchmarks/bm5_year/10", "/reports/pal", "/plans",
             f"/plans/{ids['plan']}", "/plans/mine", "/plans/events", f"/plans/events/{ids['event']}",
             "/calendar", "/destinations", "/audit", "/account/password"]
    return {
        "lead": staff + ["/pupils/import", "/pupils/logins", "/admin/audit", "/reports/settings",
                         "/encounters/settings", "/audit/new", "/audit/settings"],
        "tutor": staff,
        "pupil": ["/me", "/account/password"],
    }


def _walk(browser, live_server, role: str, urls: list[str], size: tuple[int, int]) -> dict:
    context = browser.new_context(base_url=live_server, locale="en-GB",
                                  viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    found = {}
    try:
        browser_login(page, role, PASSWORD)
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


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ["lead", "tutor", "pupil"])
def test_every_main_page_fits_and_passes_axe(app, browser, live_server, school, role, size):
    assert _walk(browser, live_server, role, school[role], SIZES[size]) == {}


def test_on_a_phone_the_menu_folds_behind_a_button(app, browser, live_server, school):
    for javascript in (True, False):
        context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                      java_script_enabled=javascript)
        page = context.new_page()
        try:
            browser_login(page, "tutor", PASSWORD)
            menu = page.get_by_role("navigation", name="Main")
            calendar = menu.get_by_role("link", name="Calendar")
            assert not calendar.is_visible()
            button = menu.locator("summary", has_text="Menu")
            box = button.bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24
            button.click()
            assert calendar.is_visible()
            calendar.click()
            page.wait_for_url("**/calendar")
        finally:
            context.close()
    # At desktop width the links show with no button.
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        browser_login(page, "tutor", PASSWORD)
        menu = page.get_by_role("navigation", name="Main")
        assert menu.get_by_role("link", name="Calendar").is_visible()
        assert not menu.locator("summary").is_visible()
    finally:
        context.close()


def test_the_plan_picker_shows_only_for_one_plan(app, page, school):
    browser_login(page, "tutor", PASSWORD)
    page.goto("/calendar")
    picker = page.get_by_label("Plan (for “One plan”)")
    assert not picker.is_visible()
    page.get_by_role("radio", name="One plan").check()
    assert picker.is_visible()
    page.get_by_role("radio", name="My milestones").check()
    assert not picker.is_visible()
    assert page.problems == []

"""The quick log in a real browser, driven by the keyboard alone (issue 12: Enter logs exactly
the ticked pupils), with its live count, reachable submit button and organisation type."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models import Encounter, Participation, User

from tests.helpers import browser_login

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "quick-log-browser-password"


@pytest.fixture(autouse=True)
def demo(app):
    with app.app_context():
        seed_demo(password=DEMO_PASSWORD)


def tab_to(page, predicate: str, limit: int = 60, key: str = "Tab") -> None:
    """Press Tab until `predicate` (JS, about document.activeElement) holds."""
    for _ in range(limit):
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"never reached {predicate}")


def logged(app, title: str) -> tuple[int, set[int]]:
    with app.app_context():
        encounter = db.session.scalar(select(Encounter).where(Encounter.title == title))
        assert encounter is not None, f"{title!r} was not logged"
        ids = set(db.session.scalars(select(Participation.pupil_id)
                                     .where(Participation.encounter_id == encounter.id)))
        return db.session.scalar(select(func.count()).select_from(Encounter)
                                 .where(Encounter.title == title)), ids


def untick_two_by_keyboard(page) -> list[int]:
    """From the title, Tab to the first pupil, Space, Tab, Space: two pupils unticked."""
    tab_to(page, "el.name === 'pupil_ids'")
    unticked = []
    for _ in range(2):
        unticked.append(int(page.evaluate("document.activeElement.value")))
        page.keyboard.press("Space")
        assert not page.evaluate("document.activeElement.checked")
        page.keyboard.press("Tab")
    return unticked


@pytest.mark.parametrize("where", ["title", "checkbox"])
def test_enter_logs_exactly_the_ticked_pupils(app, page, where):
    browser_login(page, "tutor", DEMO_PASSWORD)
    page.goto("/encounters/new")
    assert page.evaluate("document.activeElement.id") == "title"
    total = page.locator("#pupil-checklist input[type=checkbox]").count()
    title = f"Enter pressed in the {where}"
    page.keyboard.type(title)
    unticked = untick_two_by_keyboard(page)
    page.get_by_text(f"{total - 2} of {total} ticked").wait_for()
    if where == "title":
        tab_to(page, "el.id === 'title'", key="Shift+Tab")
    else:
        tab_to(page, "el.name === 'pupil_ids'", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"Logged for {total - 2} pupils").wait_for()
    count, ids = logged(app, title)
    assert count == 1 and len(ids) == total - 2
    assert not ids & set(unticked)
    assert page.problems == []


def test_enter_logs_the_ticked_pupils_without_javascript(app, browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        browser_login(page, "tutor", DEMO_PASSWORD)
        page.goto("/encounters/new")
        total = page.locator("#pupil-checklist input[type=checkbox]").count()
        # Without JavaScript every field shows, the organisation type included.
        assert page.get_by_label("Type of a new organisation").is_visible()
        page.get_by_label("Title").focus()
        page.keyboard.type("No script talk")
        unticked = untick_two_by_keyboard(page)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name=f"Logged for {total - 2} pupils").wait_for()
        _count, ids = logged(app, "No script talk")
        assert len(ids) == total - 2 and not ids & set(unticked)
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_the_log_button_is_reachable_without_scrolling(app, browser, live_server, size):
    context = browser.new_context(base_url=live_server, viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        browser_login(page, "tutor", DEMO_PASSWORD)
        page.goto("/encounters/new")
        button = page.get_by_role("button", name="Log encounter", exact=True)
        assert page.evaluate("document.documentElement.scrollHeight") > size[1]  # a long form
        # In view at first, and still in view (with the count) at the end of the pupil list.
        for scroll in ("0", "document.documentElement.scrollHeight"):
            page.evaluate(f"window.scrollTo(0, {scroll})")
            for element in (button, page.locator("#tick-count")):
                box = element.bounding_box()
                assert box is not None
                assert 0 <= box["y"] and box["y"] + box["height"] <= size[1], (scroll, box)
                assert box["x"] >= 0 and box["x"] + box["width"] <= size[0], (scroll, box)
        assert page.evaluate("window.scrollY") > 0
    finally:
        context.close()


def test_the_count_follows_the_ticks_and_the_group(app, page):
    browser_login(page, "tutor", DEMO_PASSWORD)
    page.goto("/encounters/new")
    boxes = page.locator("#pupil-checklist input[type=checkbox]")
    total = boxes.count()
    status = page.locator("#tick-count")
    assert status.inner_text() == f"{total} of {total} ticked"
    boxes.nth(0).uncheck()
    assert status.inner_text() == f"{total - 1} of {total} ticked"
    boxes.nth(0).check()
    assert status.inner_text() == f"{total} of {total} ticked"
    page.get_by_label("Pupils from").select_option("yg:9")
    page.get_by_text("in Year 9.").wait_for()
    year9 = page.locator("#pupil-checklist input[type=checkbox]").count()
    assert page.locator("#tick-count").inner_text() == f"{year9} of {year9} ticked"
    assert page.problems == []


def test_organisation_type_shows_only_for_a_new_name(app, page):
    with app.app_context():
        school_id = db.session.scalar(select(User.school_id).where(User.username == "tutor"))
        from careers_app.models import Organisation
        known = db.session.scalar(select(Organisation.name)
                                  .where(Organisation.school_id == school_id)
                                  .order_by(Organisation.name))
    browser_login(page, "tutor", DEMO_PASSWORD)
    page.goto("/encounters/new")
    kind = page.get_by_label("Type of a new organisation")
    assert not kind.is_visible()
    organisation = page.get_by_label("Organisation", exact=True)
    organisation.fill("A brand new bakery")
    kind.wait_for(state="visible")
    organisation.fill("")
    kind.wait_for(state="hidden")
    organisation.fill(known)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#organisation-options option')]"
        ".some(o => o.value.toLowerCase() === document.getElementById('organisation').value.toLowerCase())")
    kind.wait_for(state="hidden")
    assert page.problems == []


def test_meaningful_follows_the_schools_default_for_the_type_until_touched(app, page):
    browser_login(page, "tutor", DEMO_PASSWORD)
    page.goto("/encounters/new")
    meaningful = page.get_by_label("Meaningful encounter")
    kind = page.get_by_label("Type", exact=True)
    assert not meaningful.is_checked()  # an employer talk must be ticked by hand
    kind.select_option("work_experience")
    assert meaningful.is_checked()  # built around a planned, two-way exchange
    kind.select_option("careers_fair")
    assert not meaningful.is_checked()
    meaningful.check()  # the tutor's own choice wins from now on
    kind.select_option("employer_talk")
    assert meaningful.is_checked()
    assert page.problems == []


def test_a_future_date_offers_the_planned_event_form_filled_in(app, page):
    """Issue 12: the quick log is for what happened; a future date links to planning it."""
    from datetime import timedelta

    from careers_app.domain.dates import today_london

    later = today_london() + timedelta(days=14)
    browser_login(page, "tutor", DEMO_PASSWORD)
    page.goto("/encounters/new")
    page.get_by_label("Title").fill("Talk next fortnight")
    page.get_by_label("Date").fill(later.isoformat())
    page.get_by_role("button", name="Log encounter").first.click()
    page.get_by_text("That date is after today.").first.wait_for()
    page.get_by_role("link", name=f"Plan it as an event on").click()
    page.get_by_role("heading", name="Plan an event").wait_for()
    assert page.get_by_label("Title").input_value() == "Talk next fortnight"
    assert page.get_by_label("Date").input_value() == later.isoformat()
    assert page.get_by_label("Tutor group 10A").is_checked()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Encounter).where(
            Encounter.title == "Talk next fortnight")) == 0
    assert page.problems == []


def test_choosing_a_year_group_ticks_offered(app, page):
    browser_login(page, "tutor", DEMO_PASSWORD)
    page.goto("/encounters/new")
    offered = page.get_by_label("Offered to the whole year group")
    assert not offered.is_checked()
    page.get_by_label("Pupils from").select_option("yg:12")
    page.get_by_text("in Year 12").first.wait_for()
    offered = page.get_by_label("Offered to the whole year group")
    assert offered.is_checked()
    assert page.problems == []

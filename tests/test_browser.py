"""Real-browser tests: Playwright driving Debian's chromium against a live server."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models import Pupil, User

from tests.helpers import browser_login

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "browser-test-password"


@pytest.fixture(autouse=True)
def demo(app):
    """The demo school, as `make run` serves it."""
    with app.app_context():
        seed_demo(password=DEMO_PASSWORD)


def log_in(page, username):
    browser_login(page, username, DEMO_PASSWORD)


def demo_pupil_and_group(app):
    with app.app_context():
        pupil_id = db.session.scalar(select(User.pupil_id).where(User.username == "pupil"))
        me = db.session.get(Pupil, pupil_id)
        group = db.session.scalars(select(Pupil.id).where(
            Pupil.school_id == me.school_id, Pupil.tutor_group == me.tutor_group,
            Pupil.left_on.is_(None))).all()
        return me.id, group


def test_tutor_logs_a_talk_and_an_attending_pupil_sees_it(app, page):
    pupil_id, group = demo_pupil_and_group(app)
    absent = [pid for pid in group if pid != pupil_id][:2]

    log_in(page, "tutor")
    page.get_by_role("link", name="Log encounter").click()
    page.wait_for_url("**/encounters/new")  # count on the new page, not the one it leaves
    # The quick log: today, an employer talk and my tutor group, everyone ticked.
    checklist = page.locator("#pupil-checklist input[type=checkbox]")
    assert checklist.count() == len(group)
    assert page.locator("#pupil-checklist input:checked").count() == len(group)

    # Actions 1-4: type the title (focus starts there), untick two absentees, submit.
    page.keyboard.type("NHS careers talk")
    for pid in absent:
        page.locator(f"#pupil-{pid}").uncheck()
    page.get_by_role("button", name="Log encounter").click()

    page.get_by_role("heading", name=f"Logged for {len(group) - 2} pupils").wait_for()
    assert page.get_by_role("button", name="Undo").is_visible()
    assert page.get_by_role("link", name="Log another").is_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, "pupil")
    assert page.url.endswith("/me")
    record = page.locator(".record")
    assert record.locator(".record__title", has_text="NHS careers talk").is_visible()
    # Issue 13: a pupil reads plain words, not "BM5 Encounters with employers and employees".
    assert record.get_by_text("This helps with: meeting people from work.").first.is_visible()
    assert page.problems == []


def test_quick_log_is_keyboard_usable_and_htmx_swaps_the_group(app, page):
    log_in(page, "tutor")
    page.goto("/encounters/new")
    # Title has focus from the start.
    assert page.evaluate("document.activeElement.id") == "title"
    page.keyboard.type("Apprenticeships assembly")
    # Pick a different group with the keyboard: the checklist reloads through htmx.
    page.get_by_label("Pupils from").focus()
    page.get_by_label("Pupils from").select_option("yg:9")
    page.get_by_text("in Year 9.").wait_for()
    year9 = page.locator("#pupil-checklist input[type=checkbox]").count()
    assert year9 > 0
    first = page.locator("#pupil-checklist input[type=checkbox]").first
    first.focus()
    page.keyboard.press("Space")  # untick one pupil by keyboard
    assert not first.is_checked()
    page.get_by_role("button", name="Log encounter").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"Logged for {year9 - 1} pupils").wait_for()
    assert page.problems == []


def test_bad_input_shows_messages_inline_and_keeps_the_ticks(app, page):
    log_in(page, "tutor")
    page.goto("/encounters/new")
    page.locator("#pupil-checklist input[type=checkbox]").first.uncheck()
    page.get_by_role("button", name="Log encounter").click()  # no title
    page.get_by_text("Give the encounter a title.").first.wait_for()
    assert page.url.endswith("/encounters/new")
    assert not page.locator("#pupil-checklist input[type=checkbox]").first.is_checked()
    assert page.get_by_label("Title").get_attribute("aria-invalid") == "true"
    # Focus moves to the list of problems, as after a full page load.
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.problems == []


def test_a_form_left_open_past_its_token_recovers_without_losing_input(app, page):
    log_in(page, "tutor")
    page.goto("/encounters/new")
    page.get_by_label("Title").fill("Talk typed before lunch")
    # Simulate a token that has expired while the page stood open.
    page.evaluate("""() => {
        document.getElementById('csrf-token').content = 'expired';
        document.querySelectorAll("input[name='csrf_token']").forEach(i => i.value = 'expired');
        document.body.setAttribute('hx-headers', '{"X-CSRFToken": "expired"}');
    }""")
    page.get_by_role("button", name="Log encounter").click()
    page.get_by_text("This form has expired").wait_for()
    assert page.get_by_label("Title").input_value() == "Talk typed before lunch"
    # The server renewed the token: pressing the button again works.
    page.get_by_role("button", name="Log encounter").click()
    page.get_by_role("heading", name="Logged for").wait_for()
    # The browser and htmx both log the 400 itself; nothing else may go wrong.
    assert [p for p in page.problems if "400" not in p] == []


def test_a_pupil_writes_a_reflection_in_place(app, page):
    log_in(page, "pupil")
    first = page.locator(".record__item").first
    title = first.locator(".record__title strong").inner_text()
    first.get_by_role("link", name=f"Add my reflection on {title}").click()
    first.get_by_label("What did you learn, and what might you do next?").fill(
        "I could be a paramedic.")
    first.get_by_role("button", name="Save my reflection").click()
    first.get_by_text("I could be a paramedic.").wait_for()
    assert page.url.endswith("/me")  # saved in place, no page load
    page.reload()
    assert page.locator(".record__item").first.get_by_text("I could be a paramedic.").is_visible()
    assert page.problems == []

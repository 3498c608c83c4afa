"""Real-browser tests: Playwright driving Debian's chromium against a live server."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models import Pupil, User

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "browser-test-password"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip("Debian chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM,
                                             args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    with app.app_context():
        seed_demo(password=DEMO_PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []

    def on_console(msg):
        # A 422 is the form's normal answer to bad input; the browser logs it anyway.
        if msg.type == "error" and "status of 422" not in msg.text:
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def log_in(page, username):
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


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
    assert record.get_by_text("NHS careers talk").is_visible()
    assert record.get_by_text("BM5 Encounters with employers and employees").first.is_visible()
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

"""Work experience in a real browser: plan a week for a tutor group, assign employers by
keyboard, complete a placement, the employer's feedback with no login, the pupil's evaluation,
and Benchmark 6 moving on the dashboard."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from careers_app.extensions import db
from careers_app.models import Role, School

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def year10_bm6_cell(page) -> str:
    page.goto("/reports/benchmarks")
    return page.locator('a[href^="/reports/benchmarks/bm6_pre16/10"]').inner_text()


def test_a_placement_week_from_planning_to_the_dashboard(app, browser, page, live_server,
                                                        make_user, make_pupil,
                                                        make_organisation, past_week_dates):
    start, end = past_week_dates
    make_user("lead", Role.ADMIN, display_name="Ms Lead")
    pia = make_pupil(year=10, tutor_group="10A", legal_forename="Pia", surname="Pupil")
    make_pupil(year=10, tutor_group="10A", legal_forename="Ben", surname="Other")
    make_user("pupil", Role.PUPIL, pupil_id=pia.id, display_name="Pia Pupil")
    make_organisation("Acme Ltd")
    with app.app_context():  # this school asks for one workplace experience by 16
        school = db.session.get(School, pia.school_id)
        school.settings = {"thresholds": {"bm6_pre16": 1}}
        db.session.commit()

    browser_login(page, "lead")
    assert re.search(r"0 / 2", year10_bm6_cell(page))

    # Plan the week for the tutor group.
    page.goto("/placements")
    page.get_by_role("link", name="Plan a placement week").click()
    page.get_by_label("Title").fill("10A work experience")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill(end.isoformat())
    page.get_by_label("Pupils").select_option(label="Tutor group 10A")
    page.get_by_role("button", name="Plan the week").click()
    page.get_by_role("heading", name="10A work experience").wait_for()

    # Assign employers by keyboard: type, Enter, and the next pupil's box has the focus.
    ben_box = page.get_by_label("Employer for Ben Other")
    pia_box = page.get_by_label("Employer for Pia Pupil")
    ben_box.focus()
    page.keyboard.type("Harbour Bank")
    page.keyboard.press("Enter")
    expect(page.locator(f"#employer-{pia.id}")).to_be_focused()
    page.keyboard.type("Acme Ltd")
    page.keyboard.press("Enter")
    expect(page.locator(f"#row-{pia.id}")).to_contain_text("Arranged")
    expect(page.locator("tr", has_text="Other, Ben")).to_contain_text("Arranged")
    assert pia_box.input_value() == "Acme Ltd"

    # Record the task and the checks, then complete it.
    page.get_by_role("link", name="Pupil, Pia").click()
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Task set by the employer").fill("Plan and build a shop display")
    page.get_by_label("Employer's liability insurance seen on").fill(start.isoformat())
    page.get_by_label("Risk assessment received on").fill(start.isoformat())
    page.get_by_role("button", name="Save the placement").click()
    page.get_by_text("Placement saved.").wait_for()
    page.get_by_label("Status", exact=True).select_option(label="Completed")
    page.get_by_role("button", name="Save the status").click()
    page.get_by_text("Status: Completed.").wait_for()

    # A one-time link for the employer.
    page.get_by_role("button", name="Make a feedback link").click()
    link = page.get_by_label("Feedback link")
    link.wait_for()
    url = link.input_value()
    assert "/feedback/" in url

    # The employer, with no login.
    employer_context = browser.new_context(base_url=live_server, locale="en-GB")
    employer = employer_context.new_page()
    employer.goto(url)
    expect(employer.get_by_role("heading", name="Work experience feedback")).to_be_visible()
    assert "Pupil" not in employer.locator("main").inner_text()  # first name only
    employer.get_by_label("Attended every day").check()
    employer.get_by_label("Always on time").check()
    employer.get_by_label("The task you set").fill("Plan and build a shop display")
    employer.get_by_label("Very well").check()
    employer.get_by_label("Teamwork").check()
    employer.get_by_label("One comment for the pupil").fill("Creative and reliable.")
    employer.get_by_role("button", name="Send the feedback").click()
    employer.get_by_role("heading", name="Thank you").wait_for()
    employer.goto(url)
    expect(employer.get_by_role("heading", name="Page not found")).to_be_visible()
    employer_context.close()

    # Not meaningful yet: the pupil has not evaluated it.
    assert re.search(r"0 / 2", year10_bm6_cell(page))

    # The pupil evaluates it on their own record.
    pupil_context = browser.new_context(base_url=live_server, locale="en-GB")
    pupil_page = pupil_context.new_page()
    browser_login(pupil_page, "pupil")
    pupil_page.goto("/me")
    expect(pupil_page.get_by_text("Plan and build a shop display").first).to_be_visible()
    pupil_page.get_by_role("link", name=re.compile("^Fill in my evaluation")).click()
    pupil_page.get_by_label("What did you do?").fill("Built the window display")
    pupil_page.get_by_label("What did you learn?").fill("Retail is about people")
    pupil_page.get_by_label("What would you tell a friend about this placement?").fill(
        "Ask questions")
    pupil_page.get_by_role("button", name="Save my evaluation").click()
    pupil_page.get_by_text("Thank you: your evaluation is saved.").wait_for()
    expect(pupil_page.get_by_text("Retail is about people")).to_be_visible()
    pupil_context.close()

    # Staff see the evaluation, and Benchmark 6 has moved.
    page.goto(f"/placements?q=Pupil")
    page.get_by_role("link", name="Pupil, Pia").click()
    expect(page.get_by_text("Retail is about people")).to_be_visible()
    expect(page.get_by_text("Creative and reliable.")).to_be_visible()
    assert re.search(r"1 / 2", year10_bm6_cell(page))
    assert page.problems == []

"""WCAG 2.2 AA (axe-core in a real browser) on the work experience pages, the employer's form
and the pupil's record with a placement."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from careers_app.demo import seed_demo
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models.placement import Placement, PlacementWeek
from careers_app.models.user import User
from careers_app.placements import feedback

from tests.helpers import browser_login
from ..test_accessibility import DEMO_PASSWORD, violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo(password=DEMO_PASSWORD)
        week = db.session.scalar(select(PlacementWeek).order_by(PlacementWeek.start_on))
        placement = db.session.scalar(select(Placement).where(
            Placement.week_id == week.id, Placement.status == "completed",
            ~Placement.feedback.has()))
        _link, token = feedback.create_link(placement, None, today_london())
        pupil = db.session.scalar(select(User).where(User.username == "pupil"))
        return {"week": week.id, "placement": placement.id, "token": token,
                "pupil_id": pupil.pupil_id}


def test_staff_pages(page, demo):
    browser_login(page, "lead", DEMO_PASSWORD)
    found = {}
    for url in ("/placements", f"/placements/weeks/{demo['week']}", "/placements/weeks/new",
                f"/placements/{demo['placement']}", f"/placements/{demo['placement']}/edit",
                "/placements/import", "/placements/report", "/placements/settings"):
        page.goto(url)
        problems = violations(page)
        if problems:
            found[url] = problems
    assert found == {}


def test_the_employers_form(page, demo):
    page.goto(f"/feedback/{demo['token']}")
    assert violations(page) == []


def test_the_pupils_record(page, demo):
    browser_login(page, "pupil", DEMO_PASSWORD)
    page.goto("/me")
    assert violations(page) == []

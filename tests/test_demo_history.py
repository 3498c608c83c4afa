"""The demo shows figures over time (issue 12): past years' groups, offers to the sixth form,
the level 6 note and reasons, in-progress cells, census links and "coming up" on /me."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models import EncounterOffer, Pupil, PupilYear
from tests.helpers import PASSWORD

TODAY = date(2026, 3, 15)


@pytest.fixture
def demo(app, monkeypatch):
    with app.app_context():
        seed_demo(pupils=140, years=3, today=TODAY, password=PASSWORD)
        db.session.remove()
    # The pages read today's date: pin it to the seed's.
    import careers_app.reports.pages as pages
    import careers_app.main.views as main_views
    monkeypatch.setattr(pages, "today_london", lambda: TODAY)
    monkeypatch.setattr(main_views, "today_london", lambda: TODAY)


def test_the_demo_has_history_offers_and_a_talk_coming_up(app, client, demo):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PupilYear).where(
            PupilYear.academic_year == 2024)) > 0
        assert db.session.scalar(select(func.count()).select_from(EncounterOffer)) >= 8
        assert db.session.scalar(select(func.count(Pupil.id)).where(
            Pupil.joined_on == date(2026, 1, 5))) == 3
    client.login("lead")
    page = client.get("/reports/benchmarks").get_data(as_text=True)
    assert "cell--progress" in page and "Level 6 advisers only" in page
    assert "As at 31 Dec 2025" in page and "31 Mar 2026 (not yet)" in page
    past = client.get("/reports/benchmarks?year=2024").get_data(as_text=True)
    assert '<option value="9A">9A</option>' in past  # last year's Year 9, by last year's name
    drill = client.get("/reports/benchmarks/bm8_pre16/11").get_data(as_text=True)
    assert "not qualified to level 6" in drill
    client.post("/logout")
    client.login("pupil")
    me = client.get("/me").get_data(as_text=True)
    coming, _sep, record = me.partition("Everything you have taken part in")
    assert "Coming up" in coming and "Fire service careers visit (booked)" in coming
    assert "Fire service careers visit (booked)" not in record

"""One calendar link can carry milestones and planned events together (issue 13)."""
from __future__ import annotations

import re
from datetime import date, time

from sqlalchemy import select, update

from careers_app.domain.benchmarks import EncounterKind
from careers_app.extensions import db
from careers_app.models import Encounter
from careers_app.models import CalendarToken

URL_RE = re.compile(r'id="new-link-url" value="http://localhost(/calendar/[A-Za-z0-9_-]+\.ics)"')


def _event(make_encounter, title="Careers fair"):
    return make_encounter([], EncounterKind.CAREERS_FAIR, on=date(2026, 12, 10), title=title,
                          planned=True, start_time=time(9), end_time=time(12),
                          invited_groups="yg:10")


def test_a_milestone_link_with_events_carries_both(app, client, tutor, make_milestone,
                                                   make_encounter):
    make_milestone(title="Compass+ evaluation")
    event = _event(make_encounter)
    client.login("tutor")
    response = client.post("/calendar", data={"scope": "all", "plan_id": "0",
                                              "with_events": "y"})
    assert response.status_code == 201
    assert "All school milestones, with planned events" in response.get_data(as_text=True)
    path = URL_RE.search(response.get_data(as_text=True)).group(1)
    feed = client.get(path)
    body = feed.get_data(as_text=True)
    assert "SUMMARY:Compass+ evaluation" in body and "SUMMARY:Careers fair" in body
    assert "careers milestones and events" in body
    # A change to an event changes the link's ETag, so calendars fetch it again.
    etag = feed.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        db.session.execute(update(Encounter).where(Encounter.id == event.id)
                           .values(title="Careers fair (moved)",
                                   updated_at=date(2027, 1, 1)))
        db.session.commit()
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200 and "Careers fair (moved)" in again.get_data(as_text=True)


def test_without_the_box_a_milestone_link_has_no_events(client, tutor, make_milestone,
                                                        make_encounter):
    make_milestone(title="Compass+ evaluation")
    _event(make_encounter)
    client.login("tutor")
    response = client.post("/calendar", data={"scope": "all", "plan_id": "0"})
    body = client.get(URL_RE.search(response.get_data(as_text=True)).group(1)).get_data(as_text=True)
    assert "Compass+ evaluation" in body and "Careers fair" not in body


def test_an_events_link_ignores_the_box(app, client, tutor):
    client.login("tutor")
    client.post("/calendar", data={"scope": "events", "plan_id": "0", "with_events": "y"})
    with app.app_context():
        assert db.session.scalar(select(CalendarToken.with_events)) is False


def test_the_plan_picker_is_marked_to_show_only_for_one_plan(client, tutor, make_plan):
    make_plan()
    client.login("tutor")
    html = client.get("/calendar").get_data(as_text=True)
    # Without JavaScript it is there; forms.js hides it unless "One plan" is chosen.
    assert re.search(r'<div data-reveal-when="scope=plan">\s*<div class="field', html)
    assert "Planned events too" in html

"""Planned events: planning, the calendar feed, and the register that makes them count."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Participation
from careers_app.pupils.services import pupil_record

from tests.calendar.feedcheck import assert_raw_text_rules, parse_strictly


@pytest.mark.parametrize("htmx", [False, True])
def test_staff_plan_an_event(app, client, tutor, make_pupil, htmx):
    make_pupil(year=10, tutor_group="10A")
    client.login("tutor")
    form = client.get("/plans/events/new", htmx=htmx)
    assert form.status_code == 200 and "Tutor group 10A" in form.get_data(as_text=True)
    response = client.post("/plans/events/new", htmx=htmx, data={
        "title": "Careers fair", "kind": "careers_fair", "date": "2026-06-19",
        "start_time": "09:00", "end_time": "15:00", "location": "Sports hall",
        "invited_groups": ["tg:10A", "yg:10"]})
    assert response.status_code == (204 if htmx else 303)
    with app.app_context():
        event = db.session.scalar(select(Encounter))
        assert event.planned and event.start_time == time(9) and event.end_time == time(15)
        assert event.invited_groups == "tg:10A\nyg:10"
        assert event.participations == []
    page = client.get(f"/plans/events/{event.id}").get_data(as_text=True)
    assert "19 Jun 2026, 09:00–15:00" in page and "Sports hall" in page


@pytest.mark.parametrize("data, message", [
    ({"start_time": "15:00", "end_time": "09:00"}, "The end time must be after the start time."),
    ({"invited_groups": []}, "Invite at least one tutor group or year group."),
    ({"title": ""}, "Give the event a title."),
])
def test_invalid_event_is_422(app, client, tutor, data, message):
    client.login("tutor")
    values = {"title": "Careers fair", "kind": "careers_fair", "date": "2026-06-19",
              "start_time": "09:00", "end_time": "15:00", "invited_groups": ["tg:10A"]}
    values.update(data)
    response = client.post("/plans/events/new", data=values, htmx=True)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Encounter.id))) == 0


def _planned(make_encounter, on, **extra):
    return make_encounter(title="Careers fair", kind="careers_fair", on=on, planned=True,
                          start_time=time(9), end_time=time(15), location="Sports hall",
                          invited_groups="tg:10A", **extra)


@pytest.mark.parametrize("htmx", [False, True])
def test_register_makes_participations_count(app, client, tutor, make_pupil, make_encounter,
                                             htmx):
    came, absent = make_pupil(tutor_group="10A"), make_pupil(tutor_group="10A")
    other = make_pupil(tutor_group="10B")
    event = _planned(make_encounter, today_london())
    with app.app_context():
        assert pupil_record(db.session.merge(came)) == []  # planned: counts for nothing yet
    client.login("tutor")
    page = client.get(f"/plans/events/{event.id}/register", htmx=htmx)
    html = page.get_data(as_text=True)
    assert came.surname in html and absent.surname in html and other.surname not in html
    response = client.post(f"/plans/events/{event.id}/register",
                           data={"pupil_ids": [str(came.id)]}, htmx=htmx)
    assert response.status_code == (204 if htmx else 303)
    with app.app_context():
        row = db.session.get(Encounter, event.id)
        assert row.planned is False
        assert [p.pupil_id for p in row.participations] == [came.id]
        record = pupil_record(db.session.merge(came))
        assert [e.id for year in record for e in year.encounters] == [event.id]


def test_register_cannot_be_taken_before_the_day(app, client, tutor, make_pupil, make_encounter):
    pupil = make_pupil(tutor_group="10A")
    event = _planned(make_encounter, today_london() + timedelta(days=7))
    client.login("tutor")
    response = client.post(f"/plans/events/{event.id}/register",
                           data={"pupil_ids": [str(pupil.id)]}, htmx=True)
    assert response.status_code == 422
    assert "on the day of the event" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Encounter, event.id).planned is True
        assert db.session.scalar(select(func.count(Participation.id))) == 0


def test_register_with_nobody_ticked_is_422(app, client, tutor, make_pupil, make_encounter):
    make_pupil(tutor_group="10A")
    event = _planned(make_encounter, today_london())
    client.login("tutor")
    response = client.post(f"/plans/events/{event.id}/register", data={})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Encounter, event.id).planned is True


def test_only_creator_or_admin_edit_or_cancel(app, client, tutor, lead, make_encounter):
    event = _planned(make_encounter, date(2026, 6, 19), created_by=lead)
    client.login("tutor")
    assert client.get(f"/plans/events/{event.id}/edit").status_code == 403
    assert client.post(f"/plans/events/{event.id}/cancel").status_code == 403


def test_cancelled_event_leaves_the_feed(app, client, lead, make_encounter, make_link):
    event = _planned(make_encounter, date(2026, 6, 19), created_by=lead)
    _row, token = make_link(lead, "events")
    before = client.get(f"/calendar/{token}.ics")
    assert b"Careers fair" in before.get_data()
    client.login("lead")
    assert client.post(f"/plans/events/{event.id}/cancel").status_code == 303
    after = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    lines = assert_raw_text_rules(after.get_data())
    parse_strictly(after.get_data())
    assert not any(line.startswith("UID:") for line in lines)


@pytest.mark.parametrize("htmx", [False, True])
def test_events_list_and_pupils_refused(client, tutor, pupil_user, make_encounter, htmx):
    _planned(make_encounter, date(2026, 6, 19))
    client.login("tutor")
    response = client.get("/plans/events", htmx=htmx)
    assert response.status_code == 200 and "Careers fair" in response.get_data(as_text=True)
    client.post("/logout")
    client.login("pupil")
    assert client.get("/plans/events", htmx=htmx).status_code == 404

"""Shared events: planned once, a planned event at each invited school, each school its
own register, the host sees numbers, an uninvited school sees nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter
from careers_app.models.shared import SharedEvent

from tests.helpers import Client
from tests.shared_events.partnership import build, plan


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    return build(app, make_school, make_user, make_pupil)


def _client(app, username):
    app.test_client_class = Client
    client = app.test_client()
    client.login(username)
    return client


def _encounters(app, event_id):
    with app.app_context():
        return {e.school_id: e for e in db.session.scalars(select(Encounter).where(
            Encounter.shared_event_id == event_id))}


def test_each_invited_school_gets_its_own_planned_event(app, world):
    encounters = _encounters(app, world.event_id)
    assert set(encounters) == {world.schools["A"], world.schools["B"]}
    for encounter in encounters.values():
        assert encounter.planned and encounter.invited_groups == "yg:10"
        assert encounter.title == "Careers fair" and encounter.location == "Sports hall"
    page = _client(app, "staffB").get("/plans/events").get_data(as_text=True)
    assert "Careers fair" in page


@pytest.mark.parametrize("who", ["staffC", "staffD", "leadD"])
def test_staff_of_a_school_not_invited_see_nothing(app, world, who):
    client = _client(app, who)
    assert "Careers fair" not in client.get("/plans/events").get_data(as_text=True)
    assert "Careers fair" not in client.get("/shared-events").get_data(as_text=True)
    for suffix in ("", "/code", "/edit", "/cancel"):
        assert client.get(f"/shared-events/{world.event_id}{suffix}").status_code == 404
    b_encounter = _encounters(app, world.event_id)[world.schools["B"]]
    assert client.get(f"/plans/events/{b_encounter.id}/register").status_code == 404


def test_each_school_registers_its_own_pupils_only(app, world):
    encounters = _encounters(app, world.event_id)
    client = _client(app, "staffB")
    page = client.get(f"/plans/events/{encounters[world.schools['B']].id}/register")
    body = page.get_data(as_text=True)
    assert "SecretnameB" in body and "SecretnameA" not in body and "Secretyoung" not in body
    # A's pupil cannot be put on B's register.
    response = client.post(f"/plans/events/{encounters[world.schools['B']].id}/register",
                           data={"pupil_ids": [str(world.pupils["A"])]})
    assert response.status_code == 422
    response = client.post(f"/plans/events/{encounters[world.schools['B']].id}/register",
                           data={"pupil_ids": [str(world.pupils["B"])]})
    assert response.status_code == 303


def test_the_host_sees_each_schools_numbers_not_names(app, world):
    encounters = _encounters(app, world.event_id)
    _client(app, "staffB").post(f"/plans/events/{encounters[world.schools['B']].id}/register",
                                data={"pupil_ids": [str(world.pupils["B"])]})
    for who in ("leadA", "grouplead", "staffB"):
        body = _client(app, who).get(f"/shared-events/{world.event_id}").get_data(as_text=True)
        assert "School A" in body and "School B" in body
        assert "Secretname" not in body
    body = _client(app, "leadA").get(f"/shared-events/{world.event_id}").get_data(as_text=True)
    assert "<td>School B</td><td class=\"num\">0</td><td class=\"num\">1</td>" in body


def test_the_hosts_edit_reaches_every_school_and_bumps_the_calendar_sequence(app, world):
    before = {k: e.sequence for k, e in _encounters(app, world.event_id).items()}
    client = _client(app, "leadA")
    form = client.get(f"/shared-events/{world.event_id}/edit")
    assert form.status_code == 200
    tomorrow = today_london() + timedelta(days=1)
    response = client.post(f"/shared-events/{world.event_id}/edit", data={
        "title": "Partnership careers fair", "kind": "careers_fair", "date": tomorrow.isoformat(),
        "start_time": "10:00", "end_time": "13:00", "location": "Main hall",
        "organisation": "", "group_id": str(world.group_id),
        "host_school_id": str(world.schools["A"]),
        "school_ids": [str(world.schools["B"]), str(world.schools["C"])],
        "year_groups": ["10", "11"]})
    assert response.status_code == 303, response.get_data(as_text=True)
    after = _encounters(app, world.event_id)
    assert set(after) == {world.schools[k] for k in "ABC"}
    for school_id, encounter in after.items():
        assert encounter.title == "Partnership careers fair" and encounter.date == tomorrow
        assert encounter.invited_groups == "yg:10\nyg:11"
        if school_id in before:
            assert encounter.sequence > before[school_id]


def test_a_school_taken_off_loses_its_planned_event_and_cancel_removes_all(app, world):
    client = _client(app, "leadA")
    client.post(f"/shared-events/{world.event_id}/edit", data={
        "title": "Careers fair", "kind": "careers_fair", "date": today_london().isoformat(),
        "start_time": "09:00", "end_time": "12:00", "group_id": str(world.group_id),
        "host_school_id": str(world.schools["A"]), "year_groups": ["10"]})
    encounters = _encounters(app, world.event_id)
    assert encounters[world.schools["B"]].deleted_at is not None
    assert encounters[world.schools["A"]].deleted_at is None
    assert client.post(f"/shared-events/{world.event_id}/cancel").status_code == 303
    assert all(e.deleted_at for e in _encounters(app, world.event_id).values())


def test_planning_is_for_group_leads_and_member_careers_leaders(app, world):
    assert _client(app, "staffA").get("/shared-events/new").status_code == 403
    assert _client(app, "leadD").get("/shared-events/new").status_code == 403
    assert _client(app, "grouplead").get("/shared-events/new").status_code == 200
    event_id = plan(app, world, "grouplead", title="University day")
    assert event_id
    # A careers leader may not plan for a group their school is not in.
    client = _client(app, "leadD")
    response = client.post("/shared-events/new", data={
        "title": "Sneaky", "kind": "careers_fair", "date": today_london().isoformat(),
        "start_time": "09:00", "end_time": "10:00", "group_id": str(world.group_id),
        "host_school_id": str(world.schools["A"]), "year_groups": ["10"]})
    assert response.status_code == 403


def test_a_bad_form_is_422_and_writes_nothing(app, world):
    client = _client(app, "leadA")
    base = {"title": "Fair", "kind": "careers_fair", "date": today_london().isoformat(),
            "start_time": "09:00", "end_time": "10:00", "group_id": str(world.group_id),
            "host_school_id": str(world.schools["A"]), "year_groups": ["10"]}
    for spoilt in ({"end_time": "08:00"}, {"year_groups": []}, {"host_school_id": str(world.schools["D"])},
                   {"school_ids": [str(world.schools["D"])]}, {"group_id": "99999"}):
        response = client.post("/shared-events/new", data={**base, **spoilt})
        assert response.status_code == 422, spoilt
    with app.app_context():
        assert len(db.session.scalars(select(SharedEvent)).all()) == 1


def test_a_schools_copy_is_not_edited_on_its_own(app, world):
    encounter = _encounters(app, world.event_id)[world.schools["A"]]
    client = _client(app, "leadA")
    assert client.get(f"/plans/events/{encounter.id}/edit").status_code == 403
    body = client.get(f"/plans/events/{encounter.id}").get_data(as_text=True)
    assert f"/shared-events/{world.event_id}" in body


def test_the_code_page_shows_a_code_to_invited_staff(app, world):
    body = _client(app, "staffB").get(f"/shared-events/{world.event_id}/code").get_data(as_text=True)
    assert 'class="checkin-code"' in body
    assert _client(app, "staffB").post(f"/shared-events/{world.event_id}/code/new").status_code == 403
    client = _client(app, "leadA")
    first = client.get(f"/shared-events/{world.event_id}/code").get_data(as_text=True)
    assert client.post(f"/shared-events/{world.event_id}/code/new").status_code == 303
    assert client.get(f"/shared-events/{world.event_id}/code").get_data(as_text=True) != first


def test_pages_as_fragments(app, world):
    client = _client(app, "leadA")
    response = client.get(f"/shared-events/{world.event_id}/edit", htmx=True)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_a_group_lead_manages_shared_events_but_sees_no_pupils(app, world):
    client = _client(app, "grouplead")
    assert "Careers fair" in client.get("/shared-events").get_data(as_text=True)
    for suffix in ("", "/code", "/edit", "/cancel"):
        assert client.get(f"/shared-events/{world.event_id}{suffix}").status_code == 200
    body = client.get(f"/shared-events/{world.event_id}").get_data(as_text=True)
    assert "Take our register" not in body and "Secretname" not in body
    for url in ("/plans/events", "/organisations", f"/pupils/{world.pupils['A']}"):
        assert client.get(url).status_code == 404


def test_once_a_register_is_taken_the_date_stays(app, world):
    encounters = _encounters(app, world.event_id)
    _client(app, "staffB").post(f"/plans/events/{encounters[world.schools['B']].id}/register",
                                data={"pupil_ids": [str(world.pupils["B"])]})
    data = {"title": "Careers fair", "kind": "careers_fair",
            "date": (today_london() + timedelta(days=7)).isoformat(), "start_time": "09:00",
            "end_time": "12:00", "group_id": str(world.group_id),
            "host_school_id": str(world.schools["A"]), "school_ids": [str(world.schools["B"])],
            "year_groups": ["10"]}
    client = _client(app, "leadA")
    response = client.post(f"/shared-events/{world.event_id}/edit", data=data)
    assert response.status_code == 422 and "can no longer change" in response.get_data(as_text=True)
    assert _encounters(app, world.event_id)[world.schools["B"]].date == today_london()
    # The place may still change.
    data.update(date=today_london().isoformat(), location="Library")
    assert client.post(f"/shared-events/{world.event_id}/edit", data=data).status_code == 303

"""A pupil's self check-in with the code on the screen: right, wrong, wrong day, not
invited, twice, a burst of guesses."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from careers_app.checkin import services as checkin
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Participation
from careers_app.models.shared import SharedEvent, SharedEventCheckin
from careers_app.shared_events import codes

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


def _code(app, event_id) -> str:
    with app.app_context():
        salt = db.session.get(SharedEvent, event_id).checkin_salt
    return codes.code_for(app.config["SECRET_KEY"], salt)


def _rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _participations(app, school_id) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Participation.pupil_id).join(Encounter).where(
            Encounter.shared_event_id.is_not(None), Encounter.school_id == school_id)))


def test_the_right_code_checks_the_pupil_in_but_does_not_take_the_register(app, world):
    client = _client(app, "pupilB")
    code = _code(app, world.event_id)
    typed = f" {code[:3].lower()}-{code[3:]} "  # as a phone might send it
    response = client.post("/checkin", data={"code": typed})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "You’re checked in" in body
    assert _participations(app, world.schools["B"]) == [world.pupils["B"]]
    with app.app_context():
        encounter = db.session.scalar(select(Encounter).where(
            Encounter.shared_event_id == world.event_id,
            Encounter.school_id == world.schools["B"]))
        assert encounter.planned  # counts for nothing until staff confirm the register
    # The staff's register comes with the pupil ticked; the pupil sees it honestly.
    register = _client(app, "staffB").get(f"/plans/events/{encounter.id}/register")
    assert re.search(rf'value="{world.pupils["B"]}"[^>]* checked>', register.get_data(as_text=True))
    assert "checked themselves in" in register.get_data(as_text=True)
    assert "Your teacher will check the register" in client.get("/checkin").get_data(as_text=True)


def test_a_second_check_in_writes_nothing(app, world):
    client = _client(app, "pupilB")
    code = _code(app, world.event_id)
    client.post("/checkin", data={"code": code})
    before = (_rows(app, SharedEventCheckin), _rows(app, Participation))
    response = client.post("/checkin", data={"code": code})
    assert "You’re already checked in" in response.get_data(as_text=True)
    assert (_rows(app, SharedEventCheckin), _rows(app, Participation)) == before


@pytest.mark.parametrize("who, message", [
    ("pupilC", "This event is not for you"),   # a member school that is not invited
    ("pupilD", "This event is not for you"),   # a school outside the partnership
    ("pupilB8", "This event is not for you"),  # the right school, a year group not invited
])
def test_a_pupil_not_invited_is_refused(app, world, who, message):
    response = _client(app, who).post("/checkin", data={"code": _code(app, world.event_id)})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _rows(app, SharedEventCheckin) == 0 and _rows(app, Participation) == 0


def test_a_wrong_code_is_refused_plainly(app, world):
    for typed in ("AAAAAA", "12", "ÀÀÀÀÀÀ", "x" * 20):
        response = _client(app, "pupilB").post("/checkin", data={"code": typed})
        assert response.status_code == 422
        assert "That code is not right" in response.get_data(as_text=True)
    assert _rows(app, SharedEventCheckin) == 0


@pytest.mark.parametrize("days", [-1, 1])
def test_the_code_works_only_on_the_day(app, world, days):
    other_day = plan(app, world, title="Open evening", date=today_london() + timedelta(days=days))
    response = _client(app, "pupilB").post("/checkin", data={"code": _code(app, other_day)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "It only works on that day" in body
    assert _rows(app, SharedEventCheckin) == 0


def test_a_burst_of_guesses_is_stopped_per_pupil(app, world):
    client = _client(app, "pupilB")
    for _ in range(checkin.MAX_PUPIL_FAILURES):
        assert "not right" in client.post("/checkin", data={"code": "AAAAAA"}).get_data(as_text=True)
    # Now even the right code is refused, with a plain reason.
    response = client.post("/checkin", data={"code": _code(app, world.event_id)})
    assert response.status_code == 422 and "Too many wrong codes" in response.get_data(as_text=True)
    assert _rows(app, SharedEventCheckin) == 0
    # Another pupil (another address) is not affected.
    other = app.test_client()
    other.login("pupilA")
    response = other.post("/checkin", data={"code": _code(app, world.event_id)},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert "You’re checked in" in response.get_data(as_text=True)


def test_a_burst_of_guesses_is_stopped_per_address(app, world, monkeypatch):
    monkeypatch.setattr(checkin, "MAX_ADDRESS_FAILURES", 3)
    for who in ("pupilB", "pupilC", "pupilD"):
        _client(app, who).post("/checkin", data={"code": "AAAAAA"},
                               environ_base={"REMOTE_ADDR": "10.1.1.1"})
    response = _client(app, "pupilA").post("/checkin", data={"code": _code(app, world.event_id)},
                                           environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert "Too many wrong codes" in response.get_data(as_text=True)


def test_only_pupils_check_in(app, world, client):
    assert client.get("/checkin").status_code == 302  # anonymous: to the login page
    for who in ("staffB", "leadA", "grouplead"):
        assert _client(app, who).get("/checkin").status_code == 404
        assert _client(app, who).post("/checkin", data={"code": "AAAAAA"}).status_code == 404


def test_the_database_holds_no_working_code(app, world):
    code = _code(app, world.event_id)
    with app.app_context():
        event = db.session.get(SharedEvent, world.event_id)
        stored = " ".join(str(v) for v in (event.checkin_salt, event.checkin_lookup))
    assert code not in stored
    assert codes.code_for("another key", event.checkin_salt) != code


def test_the_form_is_a_fragment_for_htmx(app, world):
    client = _client(app, "pupilB")
    response = client.post("/checkin", data={"code": _code(app, world.event_id)}, htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and "You’re checked in" in body
    assert "HX-Request" in response.headers["Vary"]

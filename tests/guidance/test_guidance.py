"""Personal guidance: interviews with adviser, notes and agreed actions; who sees what."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from careers_app.domain.benchmarks import EncounterKind
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Participation

SECRET = "Disclosed worries at home: referred to DSL"
ACTIONS = "Research plumbing apprenticeships\nVisit the college open evening"


def _form(**overrides):
    data = dict(date=today_london().isoformat(), adviser_name="Ms Careers Adviser",
                adviser_level6="y", agreed_actions=ACTIONS, notes=SECRET, notes_staff_only="y",
                meaningful="y")
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def pia(pupil_user, app):
    from careers_app.models import Pupil
    with app.app_context():
        pupil = db.session.get(Pupil, pupil_user.pupil_id)
        db.session.expunge_all()
        return pupil


def test_staff_record_a_guidance_interview(app, client, tutor, pia):
    client.login("tutor")
    page = client.get(f"/pupils/{pia.id}/guidance/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in ("Date of the interview", "Adviser", "Agreed actions", "Notes",
                  "Staff only: never show these notes to the pupil"):
        assert f">{label}</label>" in html
    response = client.post(f"/pupils/{pia.id}/guidance/new", data=_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pupils/{pia.id}")
    with app.app_context():
        encounter = db.session.scalar(select(Encounter))
        assert encounter.kind == EncounterKind.GUIDANCE_INTERVIEW
        assert (encounter.adviser_name, encounter.adviser_level6, encounter.notes_staff_only) == (
            "Ms Careers Adviser", True, True)
        assert encounter.benchmarks == (8,)
        parts = db.session.scalars(select(Participation)).all()
        assert [(p.pupil_id, p.agreed_actions) for p in parts] == [(pia.id, ACTIONS)]

    staff_view = client.get(f"/pupils/{pia.id}").get_data(as_text=True)
    assert SECRET in staff_view and "Staff only: never shown to the pupil" in staff_view
    assert "Research plumbing apprenticeships" in staff_view
    assert "Qualified adviser (level 6)" in staff_view


def test_guidance_form_as_htmx(app, client, tutor, pia):
    client.login("tutor")
    fragment = client.get(f"/pupils/{pia.id}/guidance/new", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    invalid = client.post(f"/pupils/{pia.id}/guidance/new", data=_form(adviser_name=""), htmx=True)
    assert invalid.status_code == 422 and "Enter the adviser" in invalid.get_data(as_text=True)
    ok = client.post(f"/pupils/{pia.id}/guidance/new", data=_form(), htmx=True)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith(f"/pupils/{pia.id}")


@pytest.mark.parametrize("overrides, message", [
    (dict(adviser_name=""), "Enter the adviser&#39;s name."),
    (dict(date=""), "Enter the date of the interview."),
    (dict(date=(today_london() + timedelta(days=3)).isoformat()), "That date is in the future."),
    (dict(agreed_actions="x" * 5001), "Field cannot be longer than 5000 characters."),
])
def test_bad_guidance_input_writes_nothing(app, client, tutor, pia, overrides, message):
    client.login("tutor")
    response = client.post(f"/pupils/{pia.id}/guidance/new", data=_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Encounter)) is None


def test_guidance_without_csrf_is_refused(app, client, tutor, pia):
    client.login("tutor")
    assert client.post(f"/pupils/{pia.id}/guidance/new", data=_form(), csrf=False).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Encounter)) is None


def _record(client, pupil_id, **overrides):
    client.login("tutor")
    assert client.post(f"/pupils/{pupil_id}/guidance/new", data=_form(**overrides)).status_code == 303
    client.post("/logout")


def test_pupil_sees_agreed_actions_but_never_staff_only_notes(client, tutor, pia):
    _record(client, pia.id)
    client.login("pupil")
    for response in (client.get("/me"), client.get("/me", htmx=True)):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Your agreed actions" in html
        assert "Research plumbing apprenticeships" in html
        assert "Visit the college open evening" in html
        assert SECRET not in html and "referred to DSL" not in html


def test_pupil_sees_notes_not_marked_staff_only(client, tutor, pia):
    _record(client, pia.id, notes="Good conversation about engineering", notes_staff_only=None)
    client.login("pupil")
    assert "Good conversation about engineering" in client.get("/me").get_data(as_text=True)


def test_pupil_cannot_see_another_pupils_guidance(client, tutor, pia, make_pupil):
    other = make_pupil(legal_forename="Otto", surname="Other")
    _record(client, other.id, agreed_actions="Otto's private action", notes="Otto note",
            notes_staff_only=None)
    client.login("pupil")
    html = client.get("/me").get_data(as_text=True)
    assert "Otto" not in html and "No guidance interviews recorded yet." in html
    assert client.get(f"/pupils/{other.id}").status_code == 404
    assert client.get(f"/pupils/{other.id}", htmx=True).status_code == 404


def test_pupils_cannot_record_guidance(app, client, pupil_user, pia):
    client.login("pupil")
    assert client.get(f"/pupils/{pia.id}/guidance/new").status_code == 404
    assert client.post(f"/pupils/{pia.id}/guidance/new", data=_form()).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Encounter)) is None


def test_pupil_record_service_leaves_staff_only_notes_out(app, client, tutor, pia):
    from careers_app.pupils.services import pupil_record
    _record(client, pia.id)
    with app.app_context():
        from careers_app.models import Pupil
        pupil = db.session.get(Pupil, pia.id)
        assert [g.notes for g in pupil_record(pupil).guidance] == [None]
        assert [g.notes for g in pupil_record(pupil, for_staff=True).guidance] == [SECRET]


def test_deleted_guidance_is_not_shown(app, client, tutor, pia):
    _record(client, pia.id)
    with app.app_context():
        encounter = db.session.scalar(select(Encounter))
        encounter.deleted_at = encounter.created_at
        db.session.commit()
    client.login("pupil")
    assert "Research plumbing" not in client.get("/me").get_data(as_text=True)


def test_another_schools_pupil_cannot_get_guidance(client, tutor, make_school, make_pupil):
    stranger = make_pupil(school_id=make_school().id)
    client.login("tutor")
    assert client.get(f"/pupils/{stranger.id}/guidance/new").status_code == 404
    assert client.post(f"/pupils/{stranger.id}/guidance/new", data=_form()).status_code == 404


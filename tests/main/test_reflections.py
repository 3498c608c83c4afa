"""A pupil adds their own reflection to an encounter; staff read it; nobody else can write it."""
import pytest
from sqlalchemy import select

from careers_app.extensions import db
from careers_app.models import Participation, Pupil, User


@pytest.fixture
def mine(app, pupil_user, make_encounter):
    with app.app_context():
        me = db.session.get(Pupil, db.session.get(User, pupil_user.id).pupil_id)
        db.session.expunge(me)
    return make_encounter([me], title="NHS careers talk"), me


def _reflection(app, encounter_id, pupil_id):
    with app.app_context():
        return db.session.scalar(select(Participation.reflection).filter_by(
            encounter_id=encounter_id, pupil_id=pupil_id))


def test_pupil_adds_a_reflection_inline(app, client, mine):
    encounter, me = mine
    client.login("pupil")
    page = client.get("/me").get_data(as_text=True)
    assert "Add my reflection" in page
    form = client.get(f"/me/reflections/{encounter.id}", htmx=True).get_data(as_text=True)
    assert form.lstrip().startswith(f'<form id="reflection-{encounter.id}"')
    assert f'<label for="e{encounter.id}-reflection">' in form
    response = client.post(f"/me/reflections/{encounter.id}", htmx=True,
                           data={f"e{encounter.id}-reflection": "I might try nursing.\r\nAsk Ms P."})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div id="reflection-{encounter.id}"')
    assert "I might try nursing." in html and "Edit my reflection" in html
    assert _reflection(app, encounter.id, me.id) == "I might try nursing.\nAsk Ms P."


def test_without_javascript_it_is_a_page_and_a_redirect(app, client, mine):
    encounter, me = mine
    client.login("pupil")
    assert "Save my reflection" in client.get(f"/me/reflections/{encounter.id}").get_data(as_text=True)
    response = client.post(f"/me/reflections/{encounter.id}",
                           data={f"e{encounter.id}-reflection": "Interesting"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/me")
    assert _reflection(app, encounter.id, me.id) == "Interesting"


def test_too_long_is_refused_and_nothing_saved(app, client, mine):
    encounter, me = mine
    client.login("pupil")
    response = client.post(f"/me/reflections/{encounter.id}", htmx=True,
                           data={f"e{encounter.id}-reflection": "x" * 2001})
    assert response.status_code == 422 and "under 2,000" in response.get_data(as_text=True)
    assert _reflection(app, encounter.id, me.id) == ""


def test_nobody_writes_anyone_elses_reflection(app, client, mine, make_pupil, make_encounter,
                                               tutor):
    other = make_pupil(year=10, legal_forename="Bea", surname="Other")
    theirs = make_encounter([other], title="Bea's visit")
    client.login("pupil")
    for method in ("get", "post"):
        response = getattr(client, method)(f"/me/reflections/{theirs.id}",
                                           data={f"e{theirs.id}-reflection": "hijack"})
        assert response.status_code == 404
    assert _reflection(app, theirs.id, other.id) == ""
    client.post("/logout")
    client.login("tutor")  # staff read reflections on the pupil's page but do not write them
    assert client.get(f"/me/reflections/{mine[0].id}").status_code == 404


def test_staff_see_the_reflection_on_the_pupils_page(app, client, mine, tutor):
    encounter, me = mine
    with app.app_context():
        part = db.session.scalar(select(Participation).filter_by(encounter_id=encounter.id))
        part.reflection = "It was great"
        db.session.commit()
    client.login("tutor")
    html = client.get(f"/pupils/{me.id}").get_data(as_text=True)
    assert "Pupil&#39;s reflection" in html and "It was great" in html
    assert "Add my reflection" not in html

"""/calendar: making, regenerating and revoking subscription links, as each role."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from careers_app.extensions import db
from careers_app.models import CalendarToken, FeedScope
from tests.html_checks import choice_group, summary_targets

URL_RE = re.compile(r'id="new-link-url" value="(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)"')


def _new_link(response) -> tuple[str, str]:
    match = URL_RE.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1), match.group(2)


@pytest.mark.parametrize("htmx", [False, True])
def test_staff_see_their_links_page(client, tutor, htmx):
    client.login("tutor")
    response = client.get("/calendar", htmx=htmx)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Make a link" in html
    assert ("<html" in html) is (not htmx)
    assert "Vary" in response.headers


@pytest.mark.parametrize("htmx", [False, True])
def test_create_a_link_shows_it_once_with_webcal_and_instructions(app, client, tutor, htmx):
    client.login("tutor")
    response = client.post("/calendar", data={"scope": "mine", "plan_id": "0"}, htmx=htmx)
    assert response.status_code == 201
    url, token = _new_link(response)
    html = response.get_data(as_text=True)
    assert f'href="webcal://localhost/calendar/{token}.ics"' in html
    assert "Other calendars" in html and "From URL" in html and "Outlook" in html
    assert 'data-copy="new-link-url"' in html
    assert client.get(url).status_code == 200
    # Shown once: the list page never shows it again.
    assert token not in client.get("/calendar").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CalendarToken.scope)) == "mine"


def test_one_plan_link_needs_a_plan_of_this_school(app, client, tutor, make_plan, make_school):
    client.login("tutor")
    response = client.post("/calendar", data={"scope": "plan", "plan_id": "0"})
    assert response.status_code == 422
    assert "Choose the plan this calendar shows." in response.get_data(as_text=True)
    other_school = make_school()
    foreign = make_plan(school_id=other_school.id)
    response = client.post("/calendar", data={"scope": "plan", "plan_id": str(foreign.id)})
    assert response.status_code == 422
    plan = make_plan(title="Gatsby plan")
    response = client.post("/calendar", data={"scope": "plan", "plan_id": str(plan.id)})
    assert response.status_code == 201
    assert "One plan: Gatsby plan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(CalendarToken.id))) == 1


def test_bad_scope_is_422_and_nothing_written(app, client, tutor):
    client.login("tutor")
    response = client.post("/calendar", data={"scope": "everything"}, htmx=True)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(db.func.count(CalendarToken.id))) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_a_scope_error_is_linked_to_its_radio_group(client, tutor, htmx):
    """The radios' fieldset names its error (aria-describedby), each radio is aria-invalid and
    the error summary's link lands on the group."""
    client.login("tutor")
    response = client.post("/calendar", data={"scope": "everything", "plan_id": "0"}, htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    group, described = choice_group(html, "scope")
    assert group.legend.strip() == "What the calendar shows"
    assert "Not a valid choice" in described
    assert [i.get("aria-invalid") for i in group.inputs] == ["true"] * len(FeedScope)
    assert summary_targets(html) == {"scope": True}


@pytest.mark.parametrize("htmx", [False, True])
def test_regenerate_replaces_the_address(client, tutor, make_link, htmx):
    row, old = make_link(tutor, "all")
    client.login("tutor")
    response = client.post(f"/calendar/{row.id}/regenerate", htmx=htmx)
    assert response.status_code == 201
    url, new = _new_link(response)
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("htmx", [False, True])
def test_revoke(client, tutor, make_link, htmx):
    row, token = make_link(tutor, "all")
    client.login("tutor")
    response = client.post(f"/calendar/{row.id}/revoke", htmx=htmx)
    if htmx:
        assert response.status_code == 204 and response.headers["HX-Redirect"] == "/calendar"
    else:
        assert response.status_code == 303
    assert "Revoked" in client.get("/calendar").get_data(as_text=True)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_last_used_time_is_shown(client, tutor, make_link):
    row, token = make_link(tutor, "all")
    client.login("tutor")
    assert "Not yet" in client.get("/calendar").get_data(as_text=True)
    client.get(f"/calendar/{token}.ics")
    assert "Not yet" not in client.get("/calendar").get_data(as_text=True)


def test_someone_elses_link_cannot_be_touched(client, tutor, lead, make_link):
    row, token = make_link(lead, "all")
    client.login("tutor")
    assert client.post(f"/calendar/{row.id}/regenerate").status_code == 404
    assert client.post(f"/calendar/{row.id}/revoke").status_code == 404
    assert client.get(f"/calendar/{token}.ics").status_code == 200  # still works for its owner


def test_writes_need_csrf(client, tutor, make_link):
    row, _token = make_link(tutor, "all")
    client.login("tutor")
    assert client.post("/calendar", data={"scope": "all"}, csrf=False).status_code == 400
    assert client.post(f"/calendar/{row.id}/revoke", csrf=False).status_code == 400


def test_pupils_get_404(client, pupil_user, tutor, make_link):
    row, _token = make_link(tutor, "all")
    client.login("pupil")
    assert client.get("/calendar").status_code == 404
    assert client.get("/calendar", htmx=True).status_code == 404
    assert client.post("/calendar", data={"scope": "all"}).status_code == 404
    assert client.post(f"/calendar/{row.id}/revoke").status_code == 404


def test_anonymous_is_sent_to_login_for_the_page(client):
    response = client.get("/calendar")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]

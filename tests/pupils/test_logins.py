"""Pupil logins for a whole group, with a one-time password sheet and a forced change."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from careers_app.extensions import db
from careers_app.models import Role, User

SLIP_RE = re.compile(r"<td><code>([^<]+)</code></td><td><code>([^<]+)</code></td>")


@pytest.fixture
def group_10c(make_pupil):
    return [make_pupil(year=10, tutor_group="10C", legal_forename=f, surname=s)
            for f, s in [("Zoë", "O’Brien"), ("Zack", "Obrien"), ("Amy", "Ash")]]


def _pupil_users(app):
    with app.app_context():
        users = db.session.scalars(select(User).where(User.role == Role.PUPIL)
                                   .order_by(User.username)).all()
        db.session.expunge_all()
        return users


def test_admin_creates_logins_for_a_tutor_group(app, client, lead, group_10c, make_pupil):
    make_pupil(year=10, tutor_group="10D", surname="Elsewhere")
    client.login("lead")
    page = client.get("/pupils/logins")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<label for="group">Pupils in</label>' in html
    assert '<option value="tg:10C">Tutor group 10C</option>' in html
    sheet = client.post("/pupils/logins", data={"group": "tg:10C"})
    html = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and "Print this page now" in html
    slips = SLIP_RE.findall(html)
    assert sorted(u for u, _ in slips) == ["aash", "zobrien", "zobrien2"]
    users = _pupil_users(app)
    assert len(users) == 3 and all(u.must_change_password for u in users)
    assert {u.pupil_id for u in users} == {p.id for p in group_10c}
    assert all(p not in u.password_hash for u, (_n, p) in zip(users, slips))

    # The pupil logs in with the one-time password and must set a new one first.
    username, password = slips[0]
    client.post("/logout")
    client.login(username, password)
    assert client.get("/me").headers["Location"].endswith("/account/password")
    assert "choose your own password" in client.get("/account/password").get_data(as_text=True)
    response = client.post("/account/password", data={
        "current_password": password, "new_password": "my own new password",
        "confirm_password": "my own new password"})
    assert response.status_code == 303
    assert client.get("/me").status_code == 200


def test_a_year_group_in_one_step_and_existing_logins_are_skipped(app, client, lead, group_10c,
                                                                   make_pupil):
    make_pupil(year=10, tutor_group="10D", surname="Dee")
    client.login("lead")
    client.post("/pupils/logins", data={"group": "tg:10C"})
    html = client.post("/pupils/logins", data={"group": "yg:10"}).get_data(as_text=True)
    assert len(SLIP_RE.findall(html)) == 1  # only the 10D pupil is new
    assert "3 pupils already had a login" in html
    assert len(_pupil_users(app)) == 4


def test_reset_gives_existing_pupils_new_one_time_passwords(app, client, lead, group_10c):
    client.login("lead")
    client.post("/pupils/logins", data={"group": "tg:10C"})
    before = {u.username: (u.password_hash, u.session_version) for u in _pupil_users(app)}
    html = client.post("/pupils/logins", data={"group": "tg:10C", "reset_existing": "y"}
                       ).get_data(as_text=True)
    assert len(SLIP_RE.findall(html)) == 3
    after = {u.username: (u.password_hash, u.session_version) for u in _pupil_users(app)}
    assert set(after) == set(before)
    assert all(after[n][0] != before[n][0] and after[n][1] == before[n][1] + 1 for n in after)


@pytest.mark.parametrize("group, message", [("", "Choose a tutor group or year group."),
                                            ("tg:", "Choose a tutor group or year group."),
                                            ("yg:99", "Choose a tutor group or year group.")])
def test_no_group_is_a_422(app, client, lead, group_10c, group, message):
    client.login("lead")
    response = client.post("/pupils/logins", data={"group": group})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _pupil_users(app) == []


def test_logins_form_as_htmx_fragment(client, lead, group_10c):
    client.login("lead")
    html = client.get("/pupils/logins", htmx=True).get_data(as_text=True)
    assert html.lstrip().startswith("<form") and "<html" not in html


@pytest.mark.parametrize("who, status", [("tutor", 403), ("pupil", 404)])
def test_only_admins_create_logins(app, client, tutor, pupil_user, group_10c, who, status):
    client.login(who)
    client.get("/me" if who == "pupil" else "/")
    assert client.get("/pupils/logins").status_code == status
    assert client.get("/pupils/logins", htmx=True).status_code == status
    assert client.post("/pupils/logins", data={"group": "tg:10C"}).status_code == status
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.role == Role.PUPIL)) == 1  # just pupil_user


def test_logins_without_csrf_are_refused(app, client, lead, group_10c):
    client.login("lead")
    assert client.post("/pupils/logins", data={"group": "tg:10C"}, csrf=False).status_code == 400
    assert _pupil_users(app) == []

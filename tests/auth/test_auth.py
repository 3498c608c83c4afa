"""Logging in and out, safe redirects, password hashing and session invalidation."""
import pytest

from careers_app.extensions import db
from careers_app.models import Role, User
from careers_app.security import hash_password, is_safe_next

from tests.helpers import PASSWORD


def test_login_page_renders_with_labels(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="username">Username</label>' in html
    assert '<label for="password">Password</label>' in html


def test_staff_login_lands_on_home(client, tutor):
    response = client.login("tutor")
    assert response.headers["Location"] == "/"
    assert "Log an encounter" in client.get("/").get_data(as_text=True)


def test_pupil_home_is_their_own_record(client, pupil_user):
    client.login("pupil")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/me"


def test_wrong_password_is_refused_with_a_message(client, tutor):
    client.get("/login")
    response = client.post("/login", data={"username": "tutor", "password": "wrong"})
    assert response.status_code == 422
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/encounters/").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    client.get("/login")
    response = client.post("/login", data={"username": "nobody", "password": "whatever1"})
    assert response.status_code == 422
    assert "do not match an account" in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in(client, make_user):
    make_user("gone", Role.STAFF, active=False)
    client.get("/login")
    response = client.post("/login", data={"username": "gone", "password": PASSWORD})
    assert response.status_code == 422


def test_passwords_are_argon2id(app, tutor):
    with app.app_context():
        user = db.session.get(User, tutor.id)
        assert user.password_hash.startswith("$argon2id$")


def test_old_hash_parameters_are_rehashed_at_login(app, client, make_user):
    from argon2 import PasswordHasher
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = make_user("old", Role.STAFF, password_hash=weak)
    client.login("old")
    with app.app_context():
        assert db.session.get(User, user.id).password_hash != weak


@pytest.mark.parametrize("target, safe", [
    ("/encounters/new", True),
    ("/pupils/?q=smith", True),
    ("//evil.example", False),
    ("/\\evil.example", False),
    ("https://evil.example/", False),
    ("javascript:alert(1)", False),
    ("", False),
    (None, False),
    ("encounters", False),
    ("/\tevil", False),
])
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


@pytest.mark.parametrize("target, expected", [
    ("/encounters/new", "/encounters/new"),
    ("//evil.example", "/"),
    ("/%5Cevil.example", "/"),   # decoded to /\evil.example, which browsers treat as //
    ("https://evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_redirects_only_inside_the_app(client, tutor, target, expected):
    client.get("/login")
    response = client.post(f"/login?next={target}",
                           data={"username": "tutor", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/encounters/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/encounters/new"


def test_anonymous_htmx_request_gets_401_and_a_redirect_header(client):
    response = client.get("/encounters/pupil-checklist?group=tg:10A", htmx=True)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_logout_ends_the_session_on_the_server(client, tutor):
    client.login("tutor")
    stolen = client.get_cookie("careers_session").value
    response = client.post("/logout")
    assert response.status_code == 303
    # A copy of the cookie taken before logout no longer works.
    client.set_cookie("careers_session", stolen)
    assert client.get("/encounters/").status_code == 302


def test_logout_needs_csrf(client, tutor):
    client.login("tutor")
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/encounters/").status_code == 200


def test_logout_is_not_a_get(client, tutor):
    client.login("tutor")
    assert client.get("/logout").status_code == 405


def test_first_login_must_change_password(app, client, make_user):
    make_user("newpupil", Role.PUPIL, must_change_password=True)
    client.login("newpupil")
    assert client.get("/me").headers["Location"] == "/account/password"
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a much better phrase",
        "confirm_password": "a much better phrase"})
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(username="newpupil"))
        assert not user.must_change_password
        assert user.password_hash != hash_password(PASSWORD)


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong password", "a much better phrase", "a much better phrase", "current password is not right"),
    (PASSWORD, "short", "short", "at least 8"),
    (PASSWORD, "x" * 129, "x" * 129, "at most 128"),
    (PASSWORD, "liverpool1", "liverpool1", "most common"),
    (PASSWORD, "Welcome123", "Welcome123", "most common"),
    (PASSWORD, "TUTOR-tutor"[6:], "tutor", "at least 8"),
    (PASSWORD, "a much better phrase", "a different phrase", "two passwords differ"),
])
def test_change_password_errors(client, tutor, current, new, confirm, message):
    client.login("tutor")
    response = client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm_password": confirm})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_long_passphrases_and_any_characters_are_accepted(client, tutor):
    client.login("tutor")
    phrase = "ein sehr langes Passwort mit Ümlauten und Leerzeichen, über 64 Zeichen lang!!"
    assert len(phrase) > 64
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": phrase, "confirm_password": phrase})
    assert response.status_code == 303
    client.get("/")  # the new session's CSRF token
    assert client.post("/logout").status_code == 303
    client.login("tutor", phrase)


def test_password_change_ends_other_sessions(app, client, tutor):
    other = app.test_client()
    client.login("tutor")
    stolen = client.get_cookie("careers_session").value
    client.post("/account/password", data={"current_password": PASSWORD,
                                           "new_password": "a fresh passphrase",
                                           "confirm_password": "a fresh passphrase"})
    other.set_cookie("careers_session", stolen)
    assert other.get("/encounters/").status_code == 302
    # The person who changed it stays logged in.
    assert client.get("/encounters/").status_code == 200

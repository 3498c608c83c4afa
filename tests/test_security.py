"""Throttling, session lifetimes, the audit trail, production start-up checks, limits."""
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from careers_app import create_app
from careers_app.auth import throttle
from careers_app.extensions import db
from careers_app.models import AuditLog, LoginAttempt, Role

from tests.helpers import PASSWORD


def attempt(client, username, password):
    client.get("/login")
    return client.post("/login", data={"username": username, "password": password})


def entries(app, **filters):
    with app.app_context():
        return db.session.scalars(select(AuditLog).filter_by(**filters).order_by(AuditLog.id)).all()


def test_account_is_throttled_after_repeated_failures(app, client, tutor):
    for _ in range(throttle.MAX_ACCOUNT_FAILURES):
        assert attempt(client, "tutor", "wrong guess").status_code == 422
    refused = attempt(client, "tutor", PASSWORD)  # even the right password waits now
    assert refused.status_code == 422
    assert "Too many failed attempts for this account" in refused.get_data(as_text=True)


def test_the_owner_on_a_trusted_device_is_not_locked_out(app, client, tutor):
    # The teacher has logged in on this computer before...
    client.login("tutor")
    client.post("/logout")
    # ...then a pupil elsewhere hammers the account.
    attacker = app.test_client()
    for _ in range(throttle.MAX_ACCOUNT_FAILURES + 2):
        attacker.get("/login")
        attempt(attacker, "tutor", "guess")
    assert "Too many" in attempt(attacker, "tutor", PASSWORD).get_data(as_text=True)
    # The teacher still gets in from their own computer.
    assert attempt(client, "tutor", PASSWORD).status_code == 303


def test_throttle_is_kept_in_the_database_for_every_worker(app, client, tutor):
    attempt(client, "tutor", "wrong")
    with app.app_context():
        rows = db.session.scalars(select(LoginAttempt)).all()
        assert [(r.username, r.succeeded) for r in rows] == [("tutor", False)]


def test_throttle_by_ip(app, client, tutor, monkeypatch):
    monkeypatch.setattr(throttle, "MAX_ADDRESS_USERNAMES", 3)
    for n in range(3):
        attempt(client, f"nobody{n}", "x")
    assert "from this network" in attempt(client, "tutor", PASSWORD).get_data(as_text=True)


def test_forged_device_cookie_is_ignored():
    assert throttle.trusted_user_ids("key-one", throttle.device_token("key-two", 5)) == set()
    assert throttle.trusted_user_ids("key-one", throttle.device_token("key-one", 5)) == {5}
    assert throttle.trusted_user_ids("key-one", "garbage") == set()


def _age_session(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


def test_idle_sessions_end(app, client, tutor):
    client.login("tutor")
    idle = int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds())
    _age_session(client, seen_at=idle + 5)
    response = client.get("/encounters/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sessions_have_an_absolute_lifetime(app, client, tutor):
    client.login("tutor")
    lifetime = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
    _age_session(client, login_at=lifetime + 5, seen_at=1)
    assert client.get("/encounters/").status_code == 302


def test_an_active_session_carries_on(app, client, tutor):
    client.login("tutor")
    _age_session(client, seen_at=120)
    assert client.get("/encounters/").status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session["seen_at"] < 5


def test_disabling_an_account_ends_its_sessions(app, client, tutor):
    from careers_app.models import User
    client.login("tutor")
    with app.app_context():
        db.session.get(User, tutor.id).active = False
        db.session.commit()
    assert client.get("/encounters/").status_code == 302


def test_session_cookie_flags(app, client, tutor):
    client.get("/login")
    response = client.post("/login", data={"username": "tutor", "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("careers_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    device = next(c for c in cookies if c.startswith(throttle.DEVICE_COOKIE))
    assert "HttpOnly" in device


def test_logins_and_failures_are_audited(app, client, tutor):
    attempt(client, "tutor", "wrong")
    attempt(client, "ghost", "wrong")
    client.login("tutor")
    actions = [(e.action, e.username) for e in entries(app) if e.action.startswith("login")]
    assert actions == [("login_failed", "tutor"), ("login_failed", "ghost"), ("login", "tutor")]
    assert all(e.ip == "127.0.0.1" for e in entries(app, action="login"))


def test_writes_are_audited_with_who_and_what(app, client, tutor, make_pupil):
    pupils = [make_pupil(year=10, tutor_group="10A") for _ in range(3)]
    client.login("tutor")
    client.post("/encounters/new", data={
        "kind": "employer_talk", "title": "Audited talk", "date": "2026-11-02", "group": "tg:10A",
        "meaningful": "y", "pupil_ids": [str(p.id) for p in pupils]})
    created = {e.entity: e for e in entries(app, action="create")}
    assert created["encounter"].username == "tutor"
    assert created["encounter"].school_id == tutor.school_id
    assert created["participation"].detail.startswith("3 rows")
    assert created["encounter"].path == "/encounters/new"


def test_refused_access_is_audited(app, client, pupil_user):
    client.login("pupil")
    client.get("/pupils/")
    refused = entries(app, action="refused")
    assert len(refused) == 1 and "404 GET /pupils/" in refused[0].detail
    assert refused[0].username == "pupil"


def test_audit_log_is_append_only(app, client, tutor):
    attempt(client, "tutor", "wrong")
    with app.app_context():
        with pytest.raises(DatabaseError):
            db.session.execute(text("UPDATE audit_log SET username = 'someone else'"))
            db.session.commit()
        db.session.rollback()


def test_admin_reads_the_audit_log_others_cannot(app, client, lead, tutor, pupil_user):
    attempt(client, "tutor", "wrong")
    client.login("lead")
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "login_failed" in page.get_data(as_text=True)
    fragment = client.get("/admin/audit?action=login", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="results"') and "login_failed" not in fragment
    client.post("/logout")
    client.login("tutor")
    assert client.get("/admin/audit").status_code == 403
    client.post("/logout")
    client.login("pupil")
    assert client.get("/admin/audit").status_code == 404


def test_audit_log_is_per_school(app, client, lead, make_school, make_user):
    other = make_school()
    make_user("otherlead", Role.ADMIN, school_id=other.id)
    attempt(client, "otherlead", "wrong")
    client.login("lead")
    assert "otherlead" not in client.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"SECRET_KEY": "dev-only-insecure-key"}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
])
def test_production_refuses_to_start_with_a_weak_secret(monkeypatch, overrides, message):
    monkeypatch.setenv("CAREERS_ENV", "production")
    with pytest.raises(RuntimeError, match=message):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides})


def test_production_refuses_debug(monkeypatch):
    monkeypatch.setenv("CAREERS_ENV", "production")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k" * 40,
                    "DEBUG": True})


def test_production_sends_hsts_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("CAREERS_ENV", "production")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_over_long_bodies_get_413(client, tutor):
    client.login("tutor")
    response = client.post("/encounters/new", data={"title": "x" * (9 * 1024 * 1024)})
    assert response.status_code == 413


def test_error_pages_show_no_stack_trace(app, client, tutor, monkeypatch):
    from careers_app.encounters import services

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(services, "list_encounters", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        client.login("tutor")
        response = client.get("/encounters/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "secret internal detail" not in body and "Traceback" not in body

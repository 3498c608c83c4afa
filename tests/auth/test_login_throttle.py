"""Login throttling that a copied cookie, a shared address or concurrency cannot defeat.

"Evaluated" below means the password was actually checked: the tests count the calls to
verify_password, which is what an attacker's guesses cost us and gain them.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from careers_app import create_app
from careers_app.auth import services as auth_services
from careers_app.auth import throttle
from careers_app.extensions import db
from careers_app.models import AuditLog, LoginAttempt, Role

from tests.helpers import PASSWORD, Client


@pytest.fixture
def evaluated(monkeypatch):
    """How many passwords have been checked (thread-safe)."""
    calls = {"n": 0}
    lock = threading.Lock()
    real = auth_services.verify_password

    def counting(password_hash, password):
        with lock:
            calls["n"] += 1
        return real(password_hash, password)

    monkeypatch.setattr(auth_services, "verify_password", counting)
    return calls


def attempt(client, username, password, **kwargs):
    client.get("/login", **kwargs)
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def new_client(app) -> Client:
    app.test_client_class = Client
    return app.test_client()


# The device cookie ----------------------------------------------------------------------------

def test_a_copied_device_cookie_gets_a_limited_number_of_guesses(app, client, tutor, evaluated):
    client.login("tutor")
    stolen = client.get_cookie(throttle.DEVICE_COOKIE).value
    attacker = new_client(app)
    attacker.set_cookie(throttle.DEVICE_COOKIE, stolen)
    evaluated["n"] = 0
    for _ in range(40):
        attempt(attacker, "tutor", "a guess")
    assert evaluated["n"] == throttle.MAX_DEVICE_FAILURES  # was 40 of 40
    assert "Too many" in attempt(attacker, "tutor", PASSWORD).get_data(as_text=True)


def test_the_cookie_left_behind_after_logout_is_limited_too(app, client, tutor, evaluated):
    # A teacher logs out of a classroom computer; a pupil sits down at it.
    client.login("tutor")
    client.post("/logout")
    evaluated["n"] = 0
    for _ in range(40):
        attempt(client, "tutor", "a guess")
    assert evaluated["n"] == throttle.MAX_DEVICE_FAILURES


def test_the_cookie_is_bound_to_its_account(app, client, tutor, make_user, evaluated):
    make_user("other", Role.STAFF)
    client.login("tutor")  # a device cookie for tutor, not for other
    client.post("/logout")
    evaluated["n"] = 0
    for _ in range(10):
        attempt(client, "other", "a guess")
    assert evaluated["n"] == throttle.MAX_ACCOUNT_FAILURES


def test_a_password_change_revokes_the_device_cookies(app, client, tutor):
    client.login("tutor")  # the teacher's usual computer
    client.post("/logout")
    laptop = new_client(app)
    laptop.login("tutor")
    new_password = "a brand new passphrase"
    changed = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": new_password,
        "confirm_password": new_password})
    assert changed.status_code == 303
    attacker = new_client(app)
    for _ in range(throttle.MAX_ACCOUNT_FAILURES):
        attempt(attacker, "tutor", "a guess")
    # The cookie from before the change no longer lifts the throttle...
    refused = attempt(client, "tutor", new_password)
    assert refused.status_code == 422 and "Too many" in refused.get_data(as_text=True)
    # ...while the browser that made the change was given a fresh one.
    laptop.get("/", follow_redirects=True)  # the new session's CSRF token
    assert laptop.post("/logout").status_code == 303
    assert attempt(laptop, "tutor", new_password).status_code == 303


def test_a_forged_or_mismatched_cookie_trusts_nothing(app, app_ctx, tutor):
    from careers_app.models import User
    user = db.session.get(User, tutor.id)
    secret = "key-one"
    good = throttle.device_token(secret, user.id, user.password_hash)
    assert throttle.device_for(secret, good, user) is not None
    assert throttle.device_for("key-two", good, user) is None
    assert throttle.device_for(secret, throttle.device_token(secret, user.id, "old hash"),
                               user) is None
    assert throttle.device_for(secret, "garbage", user) is None
    assert throttle.device_for(secret, good, None) is None


# Addresses ------------------------------------------------------------------------------------

def test_a_school_behind_one_address_is_not_locked_out_by_its_own_typos(app, client, make_user):
    # Forty people behind the school's NAT address each mistype three times: 120 failures.
    users = [make_user(f"pupil{n}", Role.STAFF) for n in range(40)]
    for user in users:
        for _ in range(3):
            assert attempt(client, user.username, "typo").status_code == 422
    # Everyone, including those who mistyped, still gets in with the right password.
    assert attempt(new_client(app), "pupil0", PASSWORD).status_code == 303
    make_user("latecomer", Role.STAFF)
    assert attempt(new_client(app), "latecomer", PASSWORD).status_code == 303


def test_a_spray_across_accounts_is_stopped(app, client, make_user, monkeypatch, evaluated):
    monkeypatch.setattr(throttle, "MAX_ADDRESS_USERNAMES", 5)
    for n in range(12):
        make_user(f"staff{n}", Role.STAFF)
    evaluated["n"] = 0
    for n in range(12):
        attempt(client, f"staff{n}", "Password1")
    assert evaluated["n"] == 5
    refused = attempt(new_client(app), "staff11", PASSWORD)
    assert refused.status_code == 422 and "from this network" in refused.get_data(as_text=True)


def test_under_a_spray_a_known_browser_still_gets_in(app, make_user, monkeypatch):
    monkeypatch.setattr(throttle, "MAX_ADDRESS_USERNAMES", 3)
    make_user("teacher", Role.STAFF)
    teacher = new_client(app)
    teacher.login("teacher")
    teacher.post("/logout")
    sprayer = new_client(app)
    for n in range(6):
        attempt(sprayer, f"nobody{n}", "Password1")
    assert attempt(teacher, "teacher", PASSWORD).status_code == 303


def test_an_ipv6_client_is_counted_by_its_64():
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key("2001:db8:1:2::9")
    assert throttle.address_key("2001:db8:1:3::1") != throttle.address_key("2001:db8:1:2::1")
    assert throttle.address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert throttle.address_key("192.0.2.7") == "192.0.2.7"


@pytest.fixture
def proxied_app(database_url, app):
    """The app as deployed behind one reverse proxy (the session app migrated the database)."""
    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                          "SECRET_KEY": app.config["SECRET_KEY"], "TRUSTED_PROXIES": 1})
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def _via_proxy(address):
    return {"environ_base": {"REMOTE_ADDR": "10.9.9.9", "HTTP_X_FORWARDED_FOR": address}}


def test_behind_a_trusted_proxy_each_client_has_its_own_address(app, proxied_app, tutor,
                                                                monkeypatch):
    monkeypatch.setattr(throttle, "MAX_ADDRESS_USERNAMES", 3)
    sprayer = new_client(proxied_app)
    for n in range(5):
        attempt(sprayer, f"nobody{n}", "x", **_via_proxy("203.0.113.5"))
    teacher = new_client(proxied_app)
    assert attempt(teacher, "tutor", PASSWORD, **_via_proxy("203.0.113.77")).status_code == 303
    with app.app_context():
        login = db.session.scalars(select(AuditLog).where(AuditLog.action == "login")).one()
        addresses = set(db.session.scalars(select(LoginAttempt.ip)))
    assert login.ip == "203.0.113.77"  # the audit log says where from, not the proxy
    assert addresses == {"203.0.113.5", "203.0.113.77"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client, tutor):
    attempt(client, "tutor", "x", **_via_proxy("198.51.100.1"))
    with app.app_context():
        assert set(db.session.scalars(select(LoginAttempt.ip))) == {"10.9.9.9"}


def test_trusted_proxies_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert create_app({"TESTING": True}).config["TRUSTED_PROXIES"] == 2


# Concurrency ----------------------------------------------------------------------------------

def test_concurrent_guesses_cannot_race_past_the_limit(app, tutor, evaluated):
    """40 guesses at once, from 40 threads with their own connections, against a limit of 5."""
    clients = [new_client(app) for _ in range(40)]
    for c in clients:
        c.get("/login")
    start = threading.Barrier(len(clients))
    statuses = []

    def guess(c):
        start.wait()
        statuses.append(c.post("/login", data={"username": "tutor",
                                               "password": "a guess"}).status_code)

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [422] * 40
    assert evaluated["n"] == throttle.MAX_ACCOUNT_FAILURES  # was 8 on PostgreSQL
    with app.app_context():
        rows = db.session.scalars(select(LoginAttempt)).all()
    assert len(rows) == throttle.MAX_ACCOUNT_FAILURES and not any(r.succeeded for r in rows)


def test_a_right_password_is_recorded_as_a_success(app, client, tutor):
    client.login("tutor")
    with app.app_context():
        rows = db.session.scalars(select(LoginAttempt)).all()
    assert [(r.username, r.succeeded) for r in rows] == [("tutor", True)]

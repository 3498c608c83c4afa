"""Authentication, role checks, safe redirects and security headers.

Access is denied by default: every endpoint needs a logged-in user unless its view is marked
with @public. Blueprints then narrow access by role on the server, for full pages and htmx
fragments alike. A pupil who reaches for a staff page gets 404, so nothing reveals whether a
record exists.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from flask import Flask, abort, current_app, make_response, redirect, request, session, url_for
from flask_login import current_user, logout_user

from .extensions import db, login_manager

# argon2id with OWASP's recommended parameters (19 MiB, 2 iterations, 1 lane): about 20 ms a
# login on a school server, so a class logging in at once does not stall everyone else.
# Hashes made with other parameters are upgraded at the next login.
password_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against when the username is unknown, so timing does not reveal which usernames exist.
_DUMMY_HASH = password_hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return password_hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash in constant-ish time."""
    try:
        return password_hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return password_hasher.check_needs_rehash(password_hash)


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def is_safe_next(target: str | None) -> bool:
    """True only for a path inside this app: no scheme, no host, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_safe_next(target) else fallback


def refuse(status: int) -> None:
    """Record a refused access in the audit log, then abort."""
    from . import audit_trail

    audit_trail.record_now("refused", detail=f"{status} {request.method} {request.path}"[:300])
    abort(status)


def require_staff() -> None:
    """before_request for staff blueprints: pupils get 404, as if nothing were there."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_staff:
        refuse(404)
    return None


def admin_required(view: Callable) -> Callable:
    """Only careers leaders (admins). Other staff get 403; pupils and group leads (no school
    access) 404."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            refuse(403 if current_user.is_staff else 404)
        return view(*args, **kwargs)

    return wrapped


def _load_user(user_id: str):
    from .models import User

    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _unauthorized():
    """Anonymous request: back to the login page, remembering where the user was going."""
    next_path = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None
    target = url_for("auth.login", next=next_path)
    if request.headers.get("HX-Request") == "true":
        # An htmx fragment must not swap a login page into the middle of a form.
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def options_response():
    """OPTIONS answers exactly as HEAD would, then says which methods the URL allows.

    Flask's automatic answer (200 with Allow, for any id, to any logged-in role) skipped
    the checks that live in views: admin-only pages, another school's or another pupil's
    record. So OPTIONS runs the URL's GET view, with every check it makes, and keeps its
    answer when that is a refusal, a redirect or an error. A URL without a GET answers 405,
    as a GET there does. The GET view writes nothing (the safe-method guard sees to that).
    """
    app = current_app._get_current_object()
    adapter = app.create_url_adapter(request)
    rule, view_args = adapter.match(method="GET", return_rule=True)  # 405 if there is no GET
    answer = app.make_response(app.ensure_sync(app.view_functions[rule.endpoint])(**view_args))
    if answer.status_code != 200:
        return answer
    response = app.response_class(status=200)
    response.allow.update(adapter.allowed_methods())
    response.vary.add("HX-Request")
    return response


def _deny_by_default():
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # unknown URLs 404 on their own; static files are public
    if getattr(current_app.view_functions.get(endpoint), "is_public", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if _session_expired():
        logout_user()
        session.clear()
        return login_manager.unauthorized()
    from .audit_trail import remember_actor

    remember_actor(current_user)
    if current_user.must_change_password and endpoint not in ("auth.change_password", "auth.logout"):
        return redirect(url_for("auth.change_password"))
    return None


def _session_expired() -> bool:
    """Idle timeout and absolute lifetime, checked on every request; refreshes the idle clock."""
    now = int(time.time())
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    config = current_app.config
    if now - login_at > config["PERMANENT_SESSION_LIFETIME"].total_seconds():
        return True
    if now - seen_at > config["SESSION_IDLE_TIMEOUT"].total_seconds():
        return True
    if now - seen_at > 60:  # refresh the cookie at most once a minute
        session["seen_at"] = now
    return False


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["CAREERS_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        # Pages with pupil data must not linger in a shared school PC's cache.
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.before_request(_deny_by_default)
    app.after_request(_security_headers)

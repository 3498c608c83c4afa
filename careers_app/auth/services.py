"""Accounts: authentication, password changes and session invalidation."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .. import audit_trail

from ..database import write_transaction
from ..extensions import db
from ..models import User
from ..models.base import utcnow
from ..security import hash_password, needs_rehash, verify_password
from . import throttle


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


@dataclass
class LoginResult:
    user: User | None
    error: str | None = None


def authenticate(username: str, password: str, *, ip: str, device_cookie: str | None,
                 secret_key: str) -> LoginResult:
    """Check a login attempt against the throttle and the password; record it either way.

    The attempt is reserved (counted) in one short transaction before the password is
    checked, so concurrent guesses cannot all slip under the limit; see throttle.py.
    Rehashes the password when the hashing parameters have changed since it was stored.
    """
    username = username.strip().lower()[:80]
    user = find_user(username)
    if user is not None:
        audit_trail.remember_actor(user)
    device_id = throttle.device_for(secret_key, device_cookie, user)
    with write_transaction():
        reservation = throttle.reserve(username, throttle.address_key(ip), device_id)
        if reservation.refusal:
            audit_trail.record("login_refused", username=username, detail="throttled",
                               school_id=user.school_id if user else None)
            return LoginResult(None, reservation.refusal)
    # Outside any transaction: the hash takes ~20 ms and must not hold a lock.
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user.active
    with write_transaction():
        throttle.settle(reservation, ok)
        if not ok:
            audit_trail.record("login_failed", username=username,
                               school_id=user.school_id if user else None,
                               user_id=user.id if user else None)
            return LoginResult(None, "That username and password do not match an account.")
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        audit_trail.record("login", username=user.username, school_id=user.school_id, user_id=user.id)
    return LoginResult(user)


def end_all_sessions(user: User) -> None:
    """Invalidate every session cookie issued to this user (logout, password change)."""
    with write_transaction():
        user.session_version = (user.session_version or 0) + 1


def change_password(user: User, current: str, new: str) -> str | None:
    """Set a new password. Returns an error message, or None on success."""
    if not verify_password(user.password_hash, current):
        return "Your current password is not right."
    if new == current:
        return "Choose a password different from the old one."
    with write_transaction():
        user.password_hash = hash_password(new)
        user.must_change_password = False
        user.session_version = (user.session_version or 0) + 1
    return None


def create_user(*, school_id: int, username: str, display_name: str, role, password: str,
                tutor_group: str | None = None, pupil_id: int | None = None,
                must_change_password: bool = False) -> User:
    """Add a login account (caller commits)."""
    user = User(school_id=school_id, username=username.strip(), display_name=display_name,
                role=role, password_hash=hash_password(password), tutor_group=tutor_group,
                pupil_id=pupil_id, must_change_password=must_change_password, session_version=1,
                active=True)
    db.session.add(user)
    return user

"""Accounts: authentication, password changes and session invalidation."""
from __future__ import annotations

from sqlalchemy import func, select

from ..database import write_transaction
from ..extensions import db
from ..models import User
from ..models.base import utcnow
from ..security import hash_password, needs_rehash, verify_password


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None. Rehashes old hashes."""
    user = find_user(username)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    with write_transaction():
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
    return user


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

"""Pupil logins: accounts for a whole group, each with a one-time password to print."""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from ..database import write_transaction
from ..extensions import db
from ..models import Pupil, Role, User
from ..security import hash_password

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a sheet
# One-time passwords are random (about 59 bits) and replaced at first login.


def one_time_password() -> str:
    """Twelve characters in three groups of four, e.g. "k7vm-q2xp-9hdn"."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@dataclass
class LoginSlip:
    pupil: Pupil
    username: str
    password: str
    new_account: bool


def create_pupil_logins(school_id: int, pupils: list[Pupil], *, reset_existing: bool) -> tuple[
        list[LoginSlip], int]:
    """Accounts for pupils without one, each with a one-time password they must change.

    With `reset_existing`, pupils who have an account get a new one-time password too (and
    are logged out everywhere). Returns the slips to print and how many were skipped.
    """
    if not pupils:
        return [], 0
    slips: list[LoginSlip] = []
    skipped = 0
    with write_transaction():
        accounts = {u.pupil_id: u for u in db.session.scalars(
            select(User).where(User.pupil_id.in_([p.id for p in pupils])))}
        taken = set(db.session.scalars(select(func.lower(User.username))))
        for pupil in pupils:
            user = accounts.get(pupil.id)
            password = one_time_password()
            if user is not None:
                if not reset_existing:
                    skipped += 1
                    continue
                user.password_hash = hash_password(password)
                user.must_change_password = True
                user.session_version = (user.session_version or 0) + 1
                slips.append(LoginSlip(pupil, user.username, password, False))
                continue
            base = (_ascii_slug(pupil.legal_forename)[:1] + _ascii_slug(pupil.surname))[:30] \
                or "pupil"
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base}{n}"
            taken.add(username)
            db.session.add(User(
                school_id=school_id, username=username, display_name=pupil.display_name,
                role=Role.PUPIL, password_hash=hash_password(password), pupil_id=pupil.id,
                must_change_password=True, session_version=1, active=True))
            slips.append(LoginSlip(pupil, username, password, True))
    return slips, skipped

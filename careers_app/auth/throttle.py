"""Login throttling that holds across every worker process (it lives in the database).

Policy, after OWASP's "device cookie" pattern:
- an account that has had MAX_ACCOUNT_FAILURES failed attempts in WINDOW is refused from any
  browser that has not logged in to it successfully before; a teacher on their usual
  computer therefore keeps working while a pupil guesses at their password elsewhere;
- one IP address is refused after MAX_IP_FAILURES failures in WINDOW (high, because a whole
  school shares one address behind its firewall);
- refused attempts are not counted again, so the throttle ends WINDOW after the last failure.
"""
from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginAttempt
from ..models.base import utcnow

WINDOW = timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5
MAX_IP_FAILURES = 100
DEVICE_COOKIE = "ct_device"
DEVICE_COOKIE_AGE = timedelta(days=365)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="trusted-device")


def device_token(secret_key: str, user_id: int) -> str:
    return _serializer(secret_key).dumps({"u": user_id})


def trusted_user_ids(secret_key: str, cookie: str | None) -> set[int]:
    """Accounts this browser has logged in to before (from the signed device cookie)."""
    if not cookie:
        return set()
    try:
        data = _serializer(secret_key).loads(cookie, max_age=DEVICE_COOKIE_AGE.total_seconds())
    except BadSignature:
        return set()
    user_id = data.get("u") if isinstance(data, dict) else None
    return {user_id} if isinstance(user_id, int) else set()


def refusal(username: str, ip: str, trusted: bool) -> str | None:
    """Why this attempt must wait, or None. Counts failures within the window."""
    since = utcnow() - WINDOW
    if not trusted:
        account_failures = db.session.scalar(select(func.count()).where(
            LoginAttempt.username == username, LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False)))
        if account_failures >= MAX_ACCOUNT_FAILURES:
            return ("Too many failed attempts for this account. Wait 15 minutes, or log in "
                    "from a computer you have used before.")
        ip_failures = db.session.scalar(select(func.count()).where(
            LoginAttempt.ip == ip, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)))
        if ip_failures >= MAX_IP_FAILURES:
            return "Too many failed attempts from this network. Wait 15 minutes and try again."
    return None


def note_attempt(username: str, ip: str, succeeded: bool, trusted: bool) -> None:
    """Record an attempt (caller's transaction); old rows are pruned as we go."""
    db.session.add(LoginAttempt(username=username, ip=ip, succeeded=succeeded,
                                trusted_device=trusted))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - 2 * WINDOW))

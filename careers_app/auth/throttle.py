"""Login throttling that holds across every worker process (it lives in the database), that
concurrent guesses cannot race, and that a copied cookie or a shared address cannot defeat.

Policy, after OWASP's "device cookie" pattern, every limit counted over WINDOW:

- **Account.** After MAX_ACCOUNT_FAILURES failures for a username, attempts at it are refused,
  except from a browser holding a device cookie for that account.
- **Device cookie.** Set at each successful login: signed, it names the account, a random
  device id and a fingerprint of the account's password hash, so a password change or reset
  revokes every cookie issued before it. It relaxes the throttle, never removes it: a device
  has MAX_DEVICE_FAILURES failures of its own and is then treated like any other browser.
  The count is kept per device id in the database, so copying the cookie to another client
  shares that allowance instead of multiplying it. Logging out keeps the cookie (it is what
  lets a teacher back in while a pupil is guessing at the account elsewhere), which is safe
  because the cookie is worth at most MAX_DEVICE_FAILURES guesses and dies with the password.
- **Address.** An address from which MAX_ADDRESS_USERNAMES *different* usernames have failed
  is spraying guesses across accounts: its attempts are refused unless they carry a device
  cookie for the account. Counting distinct usernames rather than failures means a school
  behind one NAT address, where the same few people mistype, never gets near the limit; a
  sprayer, who must try many accounts, reaches it quickly. The address is the client's, not
  the reverse proxy's, when TRUSTED_PROXIES is set (see config.py), and an IPv6 client is
  counted by its /64, which one household or device owns.
  Why not accept a correct password from a spraying address anyway? Accepting it means
  checking it, and checking every guess from that address is exactly what the sprayer
  wants: the limit would stop nothing. The device cookie is the one thing a real user has
  that the sprayer cannot get, so it is what lets real users through.
- **Atomic.** Before a password is checked, the attempt reserves its place: the counts are
  read and a row recorded (as a failure) in one short transaction that holds a lock on the
  username, the address and the device (PostgreSQL advisory locks; on SQLite, BEGIN
  IMMEDIATE already holds the write lock). Only then is the password verified, outside any
  transaction, and the row marked as a success if it was right. Forty concurrent guesses
  therefore evaluate exactly MAX_ACCOUNT_FAILURES passwords on either database.
- Refused attempts are not counted, so the throttle ends WINDOW after the last failure.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, distinct, func, select, text, update

from ..extensions import db
from ..models import LoginAttempt, User
from ..models.base import utcnow

WINDOW = timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5
MAX_DEVICE_FAILURES = 5
MAX_ADDRESS_USERNAMES = 100
DEVICE_COOKIE = "ct_device"
DEVICE_COOKIE_AGE = timedelta(days=365)

ACCOUNT_REFUSAL = ("Too many failed attempts for this account. Wait 15 minutes, or log in "
                   "from a computer you have used before.")
ADDRESS_REFUSAL = ("Too many failed attempts from this network. Wait 15 minutes and try again, "
                   "or log in from a computer you have used before.")


# Device cookies ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceClaim:
    """What a device cookie says: this browser logged in to `user_id` as `device_id`, when the
    password hash had `fingerprint`."""

    user_id: int
    device_id: str
    fingerprint: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="trusted-device")


def credential_fingerprint(secret_key: str, password_hash: str) -> str:
    """A short keyed digest of the password hash: changes whenever the password does."""
    digest = hmac.new(secret_key.encode(), (password_hash or "").encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def device_token(secret_key: str, user_id: int, password_hash: str = "") -> str:
    """A new device cookie value for this account and its current password."""
    return _serializer(secret_key).dumps({
        "u": user_id, "d": secrets.token_urlsafe(16),
        "k": credential_fingerprint(secret_key, password_hash)})


def read_device(secret_key: str, cookie: str | None) -> DeviceClaim | None:
    """The claim a device cookie makes, if it is genuine and not too old."""
    if not cookie or len(cookie) > 500:
        return None
    try:
        data = _serializer(secret_key).loads(cookie, max_age=DEVICE_COOKIE_AGE.total_seconds())
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, device_id, fingerprint = data.get("u"), data.get("d"), data.get("k")
    if not (isinstance(user_id, int) and isinstance(device_id, str) and device_id
            and len(device_id) <= 32 and isinstance(fingerprint, str)):
        return None
    return DeviceClaim(user_id, device_id, fingerprint)


def trusted_user_ids(secret_key: str, cookie: str | None) -> set[int]:
    """Accounts this browser's device cookie names (its signature checked, not yet its
    password fingerprint: device_for() does that against the account)."""
    claim = read_device(secret_key, cookie)
    return {claim.user_id} if claim else set()


def device_for(secret_key: str, cookie: str | None, user: User | None) -> str | None:
    """The device id when the cookie is for this account *and its current password*."""
    claim = read_device(secret_key, cookie)
    if claim is None or user is None or claim.user_id != user.id:
        return None
    if not hmac.compare_digest(claim.fingerprint,
                               credential_fingerprint(secret_key, user.password_hash)):
        return None  # issued before the password was last changed: revoked
    return claim.device_id


# Addresses -----------------------------------------------------------------------------------

def address_key(ip: str | None) -> str:
    """The client address as the throttle counts it: IPv4 as it is, IPv6 by its /64."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return (ip or "")[:64]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


# Reserving an attempt ------------------------------------------------------------------------

@dataclass(frozen=True)
class Reservation:
    """An attempt allowed to check its password (`attempt_id`), or the reason it may not."""

    attempt_id: int | None = None
    refusal: str | None = None
    trusted: bool = False


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


def _lock(*names: str) -> None:
    """Serialise attempts that share a username, address or device until the caller commits.

    PostgreSQL: transaction-level advisory locks, taken in one global order so two attempts
    never deadlock. SQLite: the write transaction began with BEGIN IMMEDIATE, which already
    holds the database's single write lock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({_lock_key(name) for name in names}):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


# The pupils' check-in throttle (checkin/services.py) serialises its attempts the same way.
advisory_lock = _lock


def _failures(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.succeeded.is_(False), *conditions)) or 0


def reserve(username: str, address: str, device_id: str | None) -> Reservation:
    """Decide whether this attempt may check a password and, if so, record it as a failure
    until settle() says otherwise. Call inside a write transaction; commit before checking
    the password, so the lock is held for milliseconds, not for the hash."""
    _lock(f"login-user:{username}", f"login-address:{address}",
          *([f"login-device:{device_id}"] if device_id else []))
    since = utcnow() - WINDOW
    recent = LoginAttempt.at >= since
    trusted = device_id is not None and _failures(
        LoginAttempt.device == device_id, recent) < MAX_DEVICE_FAILURES
    if not trusted:
        if _failures(LoginAttempt.username == username, recent) >= MAX_ACCOUNT_FAILURES:
            return Reservation(refusal=ACCOUNT_REFUSAL)
        sprayed = db.session.scalar(
            select(func.count(distinct(LoginAttempt.username))).where(
                LoginAttempt.ip == address, LoginAttempt.succeeded.is_(False), recent)) or 0
        if sprayed >= MAX_ADDRESS_USERNAMES:
            return Reservation(refusal=ADDRESS_REFUSAL)
    attempt = LoginAttempt(username=username, ip=address, succeeded=False, trusted_device=trusted,
                           device=device_id)
    db.session.add(attempt)
    db.session.flush()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - 2 * WINDOW))
    return Reservation(attempt_id=attempt.id, trusted=trusted)


def settle(reservation: Reservation, succeeded: bool) -> None:
    """Mark a reserved attempt as the success it was (caller's transaction)."""
    if succeeded and reservation.attempt_id is not None:
        db.session.execute(update(LoginAttempt).where(LoginAttempt.id == reservation.attempt_id)
                           .values(succeeded=True))

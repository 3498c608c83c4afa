"""Check-in codes: six characters a pupil can read off a projector and type on a phone.

Kept with care, so that reading the database does not hand out codes: the event stores a
random salt and a lookup digest, both keyed with the app's SECRET_KEY (HMAC-SHA256). The
code shown on the staff page is derived from the salt with the key; a pupil's code is found
by its digest. Without the key, neither column gives a code (and 24**6, about 191 million
codes, is too many to try offline once the key is unknown). A new salt is a new code;
changing SECRET_KEY changes every code.

The alphabet leaves out look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B) and vowels that could spell
words (but A and E, which are hard to misread, are kept).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ACDEFGHJKMNPQRTUVWXY3467"
CODE_LENGTH = 6


def new_salt() -> str:
    return secrets.token_hex(16)


def _mac(secret_key: str, purpose: str, text: str) -> bytes:
    return hmac.new(secret_key.encode(), f"{purpose}:{text}".encode(), hashlib.sha256).digest()


def code_for(secret_key: str, salt: str) -> str:
    """The event's code, derived from its salt with the app's key."""
    number = int.from_bytes(_mac(secret_key, "checkin-code", salt), "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def lookup_for(secret_key: str, code: str) -> str:
    """The digest an event is found by from a typed code."""
    return _mac(secret_key, "checkin-lookup", code).hex()


def normalise(typed: str | None) -> str:
    """What a pupil typed, as a code: capitals, no spaces or dashes; '' if it cannot be one."""
    text = "".join((typed or "").split()).replace("-", "").upper()
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def shown(code: str) -> str:
    """"ACD EFG": two halves are easier to read out and to type."""
    return f"{code[:3]} {code[3:]}"

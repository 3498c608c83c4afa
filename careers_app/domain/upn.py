"""Unique Pupil Numbers (DfE): 13 characters, the first a check letter over the other twelve."""
from __future__ import annotations

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
# Temporary UPNs may end in a letter; its value follows the same alphabet.
_LETTER_VALUES = {letter: index for index, letter in enumerate(CHECK_LETTERS)}
# ASCII only: "٣".isdigit() is true, and a UPN in such digits would pass the check letter
# and then fail wherever it is used (a file name, the DfE's own systems).
_DIGIT_VALUES = {digit: int(digit) for digit in "0123456789"}
_BODY = re.compile(r"[0-9]{11}[0-9A-Z]")


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = _DIGIT_VALUES[char] if char in _DIGIT_VALUES else _LETTER_VALUES[char]
        total += value * weight
    return CHECK_LETTERS[total % 23]


def make_upn(la_code: int, establishment: int, year: int, serial: int) -> str:
    """A valid permanent UPN from its parts (used by the demo seed and tests)."""
    if not (0 <= la_code < 1000 and 0 <= establishment < 10_000 and 0 <= serial < 1000):
        raise ValueError("UPN parts out of range")
    body = f"{la_code:03d}{establishment:04d}{year % 100:02d}{serial:03d}"
    return check_letter(body) + body


def upn_problem(upn: str) -> str | None:
    """Why `upn` is not a valid UPN, or None when it is."""
    upn = upn.strip().upper()
    if not upn:
        return "The UPN is missing."
    if len(upn) != 13:
        return f"A UPN has 13 characters; this one has {len(upn)}."
    body = upn[1:]
    if not _BODY.fullmatch(body) or not (body[11] in _DIGIT_VALUES or body[11] in _LETTER_VALUES):
        return "A UPN is a letter followed by 11 digits and a final digit or letter."
    if upn[0] != check_letter(body):
        return "The UPN's check letter is wrong: check it was copied correctly."
    return None

"""One parser for each kind of value that arrives from outside: ids, dates, money and text.

Pure functions (no Flask, no database). Each returns a clean value or raises InputError with
a message for the person who typed it. They are used at every edge: forms, query strings,
URL ids, CSV imports and the type-ahead, so no view or service sees a value that would make
the database fail (a NUL byte on PostgreSQL, an id beyond its integer, a date in year 9999).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from .errors import InputError

# PostgreSQL's `integer`: every id column, and SQLite refuses anything past 2**63 anyway.
MAX_ID = 2**31 - 1
# Careers records, plans and leaving dates all fall well inside these.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_POUNDS = Decimal("9999999.99")

_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_POUNDS = re.compile(r"[0-9]*\.?[0-9]+|[0-9]+\.")
# C0 controls other than tab and newline (carriage returns are turned into newlines first),
# and DEL. NUL is among them: PostgreSQL cannot store it in text at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

NOT_AN_ID = "That is not a valid choice."
NOT_ISO_DATE = "Not a valid date. Enter it as year-month-day, for example 2026-03-03."
NOT_A_REAL_DATE = "That is not a real date. Check the day, month and year."
NOT_AN_AMOUNT = "Enter an amount in pounds, like 250 or 1,250.50."


def parse_number(text: object, minimum: int, maximum: int, *, field_name: str = "",
                 message: str = NOT_AN_ID) -> int:
    """A whole number written in ASCII digits, between `minimum` and `maximum`.

    `str.isdigit()` is true for "²" and "٣", which `int()` then refuses or reads as 3:
    only 0-9 are digits here.
    """
    value = str(text if text is not None else "").strip()
    if not _DIGITS.fullmatch(value) or len(value) > 12:
        raise InputError(field_name, message)
    number = int(value)
    if not minimum <= number <= maximum:
        raise InputError(field_name, message)
    return number


def parse_id(text: object, *, field_name: str = "id") -> int:
    """A database id: ASCII digits, 1 to 2**31 - 1."""
    return parse_number(text, 1, MAX_ID, field_name=field_name)


def date_problem(day: date | None) -> str | None:
    """Why a date is outside the range this app accepts, or None (None is no date)."""
    if day is None:
        return None
    if day < EARLIEST_DATE:
        return f"Enter a date from {EARLIEST_DATE.year} onwards."
    if day > LATEST_DATE:
        return f"Enter a date no later than {LATEST_DATE.year}."
    return None


def check_date(day: date, *, field_name: str = "date") -> date:
    """`day` if it is within the sensible range, else InputError."""
    problem = date_problem(day)
    if problem:
        raise InputError(field_name, problem)
    return day


def parse_date(text: object, *, field_name: str = "date", in_range: bool = True) -> date | None:
    """An ISO date ("2026-03-03") within EARLIEST_DATE..LATEST_DATE; blank is None.

    With `in_range=False` only the spelling and the calendar are checked (the form field
    checks the range last, so that a more specific message such as "in the future" wins).
    """
    value = str(text if text is not None else "").strip()
    if not value:
        return None
    match = _ISO_DATE.fullmatch(value)
    if not match:
        raise InputError(field_name, NOT_ISO_DATE)
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InputError(field_name, NOT_A_REAL_DATE) from None
    return check_date(day, field_name=field_name) if in_range else day


def parse_money(text: object, *, field_name: str = "cost",
                maximum: Decimal = MAX_POUNDS) -> Decimal | None:
    """An amount in pounds ("1250.50"): finite, not negative, at most two decimal places,
    at most `maximum`. Blank is None. Thousands separators and "£" are the caller's to strip.

    Decimal() alone would accept "NaN", "sNaN", "Infinity", "1e3" and Arabic-Indic digits,
    and a NaN then fails every comparison with an exception.
    """
    value = str(text if text is not None else "").strip()
    if not value:
        return None
    if not _POUNDS.fullmatch(value) or len(value) > 20:
        raise InputError(field_name, NOT_AN_AMOUNT)
    amount = Decimal(value)
    if amount > maximum or amount != amount.quantize(Decimal("0.01")):
        raise InputError(field_name, NOT_AN_AMOUNT)
    return amount


def clean_text(text: object, *, field_name: str = "", max_length: int | None = None) -> str:
    """Text as it may be stored: NFC-normalised, line endings as "\\n", no control characters
    other than tab and newline, and at most `max_length` characters. None is "".

    NFC makes "é" typed as e + combining accent the same text as "é", so searches and unique
    names agree with what the user sees.
    """
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    found = _CONTROL.search(value)
    if found:
        if found.group() == "\x00":
            raise InputError(field_name, "The text contains a NUL character, which cannot be "
                                         "stored. Remove it and try again.")
        raise InputError(field_name, f"The text contains a control character "
                                     f"(U+{ord(found.group()):04X}). Remove it and try again.")
    if max_length is not None and len(value) > max_length:
        raise InputError(field_name, f"Keep it to {max_length:,} characters.")
    return value


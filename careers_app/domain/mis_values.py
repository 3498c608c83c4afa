"""The cells of an MIS export: dates, SEN statuses and yes/no flags as each MIS spells them.

Pure functions. A date that cannot be read is a row error (the file is wrong); a SEN or
flag value the app does not know is not: it is asked about once on the value-matching
screen, and the answer is remembered for the school (`value_maps`).
"""
from __future__ import annotations

import re
from datetime import date

from .parsing import date_problem

# The fields whose values go through the value-matching step, and what each may become.
SEND_CHOICES = {"N": "No SEND (N)", "K": "SEN support (K)", "E": "EHC plan (E)"}
FLAG_CHOICES = {"Y": "Yes", "N": "No"}
VALUE_FIELDS = {"send_status": SEND_CHOICES, "disadvantaged": FLAG_CHOICES,
                "looked_after": FLAG_CHOICES}
MAX_VALUE = 120  # a remembered value is stored normalised, at most this long

TRUE_VALUES = frozenset({"y", "yes", "true", "t", "1"})
FALSE_VALUES = frozenset({"n", "no", "false", "f", "0", ""})
# SEN values as SIMS, Arbor and Bromcom print them, normalised (see normalise_value).
SEND_VALUES = {
    "n": "N", "k": "K", "e": "E", "": "N", "none": "N", "no sen": "N", "no send": "N",
    "no special educational need": "N", "no special educational needs": "N",
    "n no special educational need": "N", "no special educational need n": "N",
    "not sen": "N",
    "sen support": "K", "k sen support": "K", "sen support k": "K", "school action": "K", "school action plus": "K",
    "ehcp": "E", "ehc plan": "E", "e ehc plan": "E", "ehc plan e": "E", "ehcp e": "E", "education health and care plan": "E",
    "e education health and care plan": "E", "statement": "E", "statemented": "E",
    "s": "E", "statement of sen": "E",
}

_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
# Excel and some MIS reports add a time ("01/09/2025 00:00", "2025-09-01T00:00:00").
_TIME = re.compile(r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?")


def normalise_value(text: str) -> str:
    """"EHC Plan", "ehc-plan " and "EHC  PLAN" all become "ehc plan" (for matching only)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())[:MAX_VALUE]


def parse_mis_date(text: str) -> tuple[date | None, str | None]:
    """DD/MM/YYYY (SIMS, Arbor, Bromcom; also with "-" or ".") or ISO YYYY-MM-DD, with an
    optional time after it. Blank is (None, None); anything else is (None, reason)."""
    value = text.strip()
    if not value:
        return None, None
    for pattern, order in ((_DMY, (2, 1, 0)), (_ISO, (0, 1, 2))):
        match = re.fullmatch(pattern.pattern + _TIME.pattern, value)
        if match:
            parts = [int(match.group(i + 1)) for i in range(3)]
            try:
                day = date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None, f"“{text}” is not a real date."
            problem = date_problem(day)
            return (None, f"{problem[:-1]} (not “{text}”).") if problem else (day, None)
    return None, f"“{text}” is not a date (use DD/MM/YYYY, like 01/09/2025)."


def parse_send(text: str, remembered: dict[str, str] | None = None) -> str | None:
    """N (none), K (SEN support) or E (EHC plan); blank means N; None when unknown."""
    key = normalise_value(text)
    if remembered and key in remembered:
        return remembered[key]
    return SEND_VALUES.get(key)


def parse_flag(text: str, remembered: dict[str, str] | None = None) -> bool | None:
    """Y/N, Yes/No, True/False, T/F, 1/0 (any case); blank means No; None when unknown."""
    key = normalise_value(text)
    if remembered and key in remembered:
        return remembered[key] == "Y"
    if key in TRUE_VALUES:
        return True
    if key in FALSE_VALUES:
        return False
    return None

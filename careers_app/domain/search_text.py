"""Folding names for search: "zoe" finds Zoë, "O'Brien" finds O’Brien, "obrien" finds both.

The same fold is applied to the stored search column (`Pupil.search_text`, kept up to date on
every write) and to what the user types, so the database only needs a plain LIKE on SQLite and
PostgreSQL alike. No Flask, no database.
"""
from __future__ import annotations

import re
import unicodedata

# Apostrophes and look-alikes vanish: O'Brien, O’Brien, Oʼ Brien and OBrien all fold alike.
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘ʼʻ`´′"), None)
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
                          "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ı": "i",
                          "þ": "th", "Þ": "th", "ð": "d", "Ð": "d"})
_SEPARATORS = re.compile(r"[\W_]+")
SEARCH_TEXT_LENGTH = 1000


def fold(text: str | None) -> str:
    """Lower case, no accents, no apostrophes; other punctuation and hyphens become spaces."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().translate(_APOSTROPHES)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def pupil_search_text(legal_forename: str | None, preferred_forename: str | None,
                      surname: str | None, upn: str | None) -> str:
    """What a pupil is found by: each forename with the surname, both ways round, and the UPN.

    Variants are kept apart by " | ", which no folded search contains, so a search never
    matches across two of them."""
    surname = fold(surname)
    variants = []
    for forename in dict.fromkeys(fold(f) for f in (legal_forename, preferred_forename) if f):
        variants += [f"{forename} {surname}", f"{surname} {forename}"]
    variants.append(fold(upn))
    return " | ".join(v for v in variants if v)[:SEARCH_TEXT_LENGTH]

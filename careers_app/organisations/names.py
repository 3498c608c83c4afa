"""Folding organisation names, so near-duplicates are found (and offered, never merged).

"NHS Kent", "N.H.S. Kent", "nhs  kent" and "The NHS Kent Ltd" all fold to "nhskent". No
Flask, no database.
"""
from __future__ import annotations

import re

from ..domain.search_text import fold

# Words that do not tell two organisations apart.
_NOISE = re.compile(r"^(the )|( (ltd|limited|plc|llp|cic|uk))+$")


def name_key(name: str | None) -> str:
    """The key near-duplicate names share: folded, without "The", "Ltd" and spaces."""
    folded = fold(name)
    previous = None
    while previous != folded:
        previous, folded = folded, _NOISE.sub("", folded).strip()
    return folded.replace(" ", "")[:200]

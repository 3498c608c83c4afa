"""How a dashboard figure reads: a percentage, its band word, and "in progress".

A figure for a rule whose deadline has not come yet ("by the end of Year 11", read in Year 8)
is progress, not failure: it gets its own band, never the red "Low". No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass


def percentage(met: int, total: int) -> int | None:
    """Whole-number percentage, rounded half up; None when nobody is measured."""
    if total <= 0:
        return None
    return (200 * met + total) // (2 * total)


BANDS = ((90, "high", "Strong"), (70, "good", "Good"), (40, "mid", "Patchy"), (0, "low", "Low"))
IN_PROGRESS = ("progress", "In progress")


@dataclass(frozen=True)
class BandKey:
    """One line of the dashboard's colour key: "Good: 70-89%"."""

    css: str
    word: str
    scale: str


def _band_legend() -> tuple[BandKey, ...]:
    keys, ceiling = [], None
    for floor, css, word in BANDS:
        if ceiling is None:
            scale = f"{floor}% or more"
        elif floor == 0:
            scale = f"under {ceiling}%"
        else:
            scale = f"{floor}-{ceiling - 1}%"
        keys.append(BandKey(css, word, scale))
        ceiling = floor
    keys.append(BandKey(*IN_PROGRESS, "the deadline is in a later year group"))
    return tuple(keys)


BAND_LEGEND = _band_legend()  # strongest first, read from BANDS so the key never drifts


def band(percent: int | None, in_progress: bool = False) -> tuple[str, str]:
    """(css class, word) for a percentage, so the scale reads without colour too.

    `in_progress`: the rule's deadline is in a later year group, so any figure is progress."""
    if percent is None:
        return "none", "Not measured"
    if in_progress:
        return IN_PROGRESS
    for floor, css, word in BANDS:
        if percent >= floor:
            return css, word
    return "low", "Low"

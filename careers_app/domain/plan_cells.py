"""Splitting the cells of a plan table into the items they hold. Pure functions.

Careers leaders put several actions or milestones in one cell of their Word table: as
paragraphs, line breaks, bullets ("•", "-", "*"), or (in text copied out of Word) runs of
spaces where the line breaks were. Cells read from a .docx, and the seed documents, mark
paragraphs and list items with <p>, <li> and <br>; those tags are read, every other piece
of markup is kept as text.
"""
from __future__ import annotations

import html
import re

_BREAK_TAGS = re.compile(r"<br\s*/?>|</p\s*>|</li\s*>|</div\s*>|<li\b[^>]*>|<p\b[^>]*>", re.I)
_FORMAT_TAGS = re.compile(r"</?(?:ul|ol|b|strong|i|em|u|span|div|font|a|sup|sub)\b[^>]*>", re.I)
_SPACE_RUN = re.compile(r"[ \u00a0]{3,}")
_INLINE_BULLET = re.compile(r"\s+[•▪◦●]\s+")
_LEADING_BULLET = re.compile(r"^(?:[•▪◦●·‣⁃]|[-–*](?=\s))\s*")


def cell_items(cell: str | None) -> list[str]:
    """The separate items of one cell, in order, each on one line, bullets removed."""
    text = (cell or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text:
        text = _FORMAT_TAGS.sub("", _BREAK_TAGS.sub("\n", text))
    text = html.unescape(text) if "&" in text else text
    items = []
    for line in text.split("\n"):
        for part in _SPACE_RUN.split(line):
            for piece in _INLINE_BULLET.split(part):
                piece = " ".join(_LEADING_BULLET.sub("", piece.strip()).split())
                if piece:
                    items.append(piece)
    return items


def cell_text(cell: str | None) -> str:
    """The cell as plain text, one item a line."""
    return "\n".join(cell_items(cell))


def continues(line: str) -> bool:
    """A line that starts in lower case carries on the sentence above it (a table row
    broken across two pages of the document)."""
    return line[:1].islower()


def extend_lines(lines: list[str], more: list[str]) -> list[str]:
    """`lines` followed by `more`, the first of `more` joined on to the last line when it
    carries on that sentence."""
    if lines and more and continues(more[0]):
        return [*lines[:-1], f"{lines[-1]} {more[0]}", *more[1:]]
    return [*lines, *more]

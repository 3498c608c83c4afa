"""Reading CSV files as schools save them: encodings, delimiters, the heading row and the
rows below it. Pure functions."""
from __future__ import annotations

import csv
from collections.abc import Iterable

from .errors import InputError

NOT_TEXT = "That is not a CSV file: it holds NUL bytes. Save or export it as CSV and try again."
BROKEN_UTF16 = ("The file cannot be read: it starts as UTF-16 text but is cut short or damaged. "
                "Save or export it as CSV again.")


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name of an export: UTF-8 (with or without BOM), UTF-16 (with its
    BOM) or Windows-1252.

    Raises InputError (field "file") for a UTF-16 file that does not decode (an odd number
    of bytes, a broken surrogate pair) and for text holding NUL, which no CSV has and which
    PostgreSQL cannot store.
    """
    text, encoding = _decode(data)
    if "\x00" in text:
        raise InputError("file", NOT_TEXT)
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError("file", BROKEN_UTF16) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows; the five bytes cp1252 leaves undefined fall back to Latin-1.
        return _decode_cp1252(data), "windows-1252"


def _decode_cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the heading row into the most columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {}
    for delimiter in (",", ";", "\t"):
        counts[delimiter] = len(next(csv.reader([first], delimiter=delimiter), []))
    return max((",", ";", "\t"), key=lambda d: counts[d])  # ties go to the comma


def heading_and_rows(lines: Iterable[tuple[int, list[str]]], max_rows: int,
                     error: type[Exception]) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """Split (line number, cells) pairs into the heading row (the first that is not blank)
    and the data rows below it, leaving blank rows out (Excel leaves them at the end). More
    than `max_rows` data rows raise `error`. The heading is None when every row is blank."""
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for line, cells in lines:
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            continue
        rows.append((line, cells))
        if len(rows) > max_rows:
            raise error(f"The file has more than {max_rows:,} rows.")
    return headers, rows

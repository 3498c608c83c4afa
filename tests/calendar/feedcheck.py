"""Strict checks of an iCalendar body: three independent parsers and the raw-text rules."""
from __future__ import annotations

import re

import ics
import vobject
from ical.calendar_stream import IcsCalendarStream


def assert_raw_text_rules(body: bytes) -> list[str]:
    """CRLF only, physical lines of at most 75 octets, no UTF-8 character split by a fold.
    Returns the unfolded logical lines."""
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b""), "bare LF"
    assert b"\r" not in body.replace(b"\r\n", b""), "bare CR"
    physical = body.split(b"\r\n")[:-1]
    for line in physical:
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # a fold that split a character would fail here
    unfolded = re.sub(rb"\r\n[ \t]", b"", body).decode("utf-8")
    return unfolded.split("\r\n")[:-1]


def props(lines: list[str], name: str) -> list[str]:
    """Values of a property (with any parameters) across the logical lines."""
    pattern = re.compile(rf"^{re.escape(name)}[;:]")
    return [line for line in lines if pattern.match(line)]


def parse_strictly(body: bytes):
    """Parse with `ical` (strict by default), `vobject` (validate=True) and `ics`.
    Returns the three parsed calendars; any parser error fails the test."""
    text = body.decode("utf-8")
    ical_calendar = IcsCalendarStream.calendar_from_ics(text)
    vobject_calendar = vobject.readOne(text, validate=True)
    vobject_calendar.validate()
    ics_calendar = ics.Calendar(text)
    return ical_calendar, vobject_calendar, ics_calendar


def vevents(vobject_calendar) -> list:
    return list(getattr(vobject_calendar, "vevent_list", []))

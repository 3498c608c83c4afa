"""iCalendar (RFC 5545, RFC 7986) feeds from plain values. No Flask, no database.

The icalendar package does the escaping and the line folding; everything that must be stable
between renders (UID, DTSTAMP, LAST-MODIFIED, SEQUENCE) comes from the caller's rows, never
from the clock: we build `Event()` ourselves because `Event.new()` would invent a fresh UID and
DTSTAMP on every call. The Europe/London VTIMEZONE is written out in the RRULE form, because
Outlook ignores RDATE (which `add_missing_timezones()` and `Timezone.from_tzid()` emit).

icalendar is thorough but slow (about 0.4 ms an event), so each VEVENT's bytes are cached on
the event's full value: a FeedEvent is immutable and holds everything the VEVENT shows, so an
unchanged milestone is never serialised twice and a changed one misses the cache by itself.
The output is byte-for-byte what `Calendar.to_ical()` gives for the same components.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

LONDON_TZID = "Europe/London"
LONDON = ZoneInfo(LONDON_TZID)
PRODID = "-//Careers Tracker//Careers action plans//EN"
REFRESH = timedelta(hours=12)


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT: an all-day milestone (no times) or a timed slot on one day."""

    uid: str
    summary: str
    day: date
    sequence: int
    created: datetime
    last_modified: datetime
    start_time: time | None = None
    end_time: time | None = None
    description: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()

    @property
    def all_day(self) -> bool:
        return self.start_time is None or self.end_time is None


def as_utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def london_vtimezone() -> Timezone:
    """Europe/London since 1996 as two yearly rules (last Sunday of March / October)."""
    tz = Timezone()
    tz.add("tzid", LONDON_TZID)
    tz.add("x-lic-location", LONDON_TZID)
    daylight = TimezoneDaylight()
    daylight.add("tzoffsetfrom", timedelta(hours=0))
    daylight.add("tzoffsetto", timedelta(hours=1))
    daylight.add("tzname", "BST")
    daylight.add("dtstart", datetime(1981, 3, 29, 1, 0, 0))
    daylight.add("rrule", vRecur({"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"}))
    standard = TimezoneStandard()
    standard.add("tzoffsetfrom", timedelta(hours=1))
    standard.add("tzoffsetto", timedelta(hours=0))
    standard.add("tzname", "GMT")
    standard.add("dtstart", datetime(1996, 10, 27, 2, 0, 0))
    standard.add("rrule", vRecur({"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"}))
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _event(item: FeedEvent) -> Event:
    event = Event()
    stamp = as_utc(item.last_modified)
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("created", as_utc(item.created))
    event.add("last-modified", stamp)
    event.add("sequence", item.sequence)
    event.add("summary", item.summary)
    if item.all_day:
        # VALUE=DATE with an exclusive end: a one-day event ends the next day.
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        start = datetime.combine(item.day, item.start_time, tzinfo=LONDON)
        end = datetime.combine(item.day, item.end_time, tzinfo=LONDON)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("transp", "OPAQUE")
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.categories:
        event.add("categories", list(item.categories))
    return event


@lru_cache(maxsize=50_000)
def event_bytes(item: FeedEvent) -> bytes:
    """One VEVENT, serialised (and cached on its value)."""
    return _event(item).to_ical()


END_CALENDAR = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=1024)
def _calendar_shell(name: str) -> bytes:
    """The calendar's properties and VTIMEZONE, without END:VCALENDAR."""
    shell = _calendar(name).to_ical()
    assert shell.endswith(END_CALENDAR)
    return shell[: -len(END_CALENDAR)]


def build_feed(name: str, events: Iterable[FeedEvent]) -> bytes:
    """The whole VCALENDAR as bytes: CRLF line ends, folded at 75 octets, UTF-8."""
    return b"".join([_calendar_shell(name), *map(event_bytes, events), END_CALENDAR])


def build_feed_uncached(name: str, events: Iterable[FeedEvent]) -> bytes:
    """The same feed built in one piece by icalendar (tests compare the two)."""
    cal = _calendar(name)
    for item in events:
        cal.add_component(_event(item))
    return cal.to_ical()


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", LONDON_TZID)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    cal.add_component(london_vtimezone())
    return cal

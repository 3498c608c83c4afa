"""British date formatting: "3 Mar 2026"."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(day: date | datetime | None) -> str:
    """`date(2026, 3, 3)` -> "3 Mar 2026"; None -> ""."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = to_london(day).date()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def to_london(moment: datetime) -> datetime:
    """A datetime in Europe/London; naive values are taken as UTC (how they are stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LONDON)


def format_datetime(moment: datetime | None) -> str:
    """"3 Mar 2026, 14:05" in London time."""
    if moment is None:
        return ""
    local = to_london(moment)
    return f"{format_date(local.date())}, {local:%H:%M}"


def today_london() -> date:
    """Today's date in England (the server may run in UTC)."""
    return datetime.now(LONDON).date()

"""Work experience in the calendar: one all-day event per employer and dates, no pupil names."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from ..domain import placements as rules
from ..domain.placements import Status
from ..extensions import db
from ..models import Organisation
from ..models.placement import Placement
from .ical import FeedEvent, as_utc

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _calendar_rows(school_id: int):
    return (select(Placement.organisation_id, Organisation.name, Placement.start_on,
                   Placement.end_on, Placement.mode, func.count(Placement.id),
                   func.min(Placement.created_at), func.max(Placement.updated_at))
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(Placement.school_id == school_id,
                   Placement.status != Status.CANCELLED.value)
            .group_by(Placement.organisation_id, Organisation.name, Placement.start_on,
                      Placement.end_on, Placement.mode))


def calendar_state(school_id: int) -> tuple[int, datetime]:
    """How many placements the feed draws on and the newest change: the feed's validators."""
    count, newest = db.session.execute(
        select(func.count(Placement.id), func.max(Placement.updated_at))
        .where(Placement.school_id == school_id)).one()
    return count, as_utc(newest) if newest else EPOCH


def calendar_events(school_id: int) -> list[FeedEvent]:
    """One all-day event per employer and date range, with the number of pupils there.

    Never a pupil's name: feeds leave the building. The UID holds the employer and the dates,
    so a change of dates is a new event and SEQUENCE never needs to move (RFC 5545 asks for a
    new SEQUENCE only when the dates or the status change)."""
    grouped: dict[tuple, dict] = {}
    for org_id, name, start, end, mode, count, created, updated in db.session.execute(
            _calendar_rows(school_id)):
        entry = grouped.setdefault((org_id, start, end), dict(
            name=name, count=0, modes=set(), created=as_utc(created), updated=as_utc(updated)))
        entry["count"] += count
        entry["modes"].add(mode)
        entry["created"] = min(entry["created"], as_utc(created))
        entry["updated"] = max(entry["updated"], as_utc(updated))
    events = []
    for (org_id, start, end), entry in sorted(grouped.items(),
                                              key=lambda i: (i[0][1], i[1]["name"])):
        pupils = f"{entry['count']} pupil{'s' if entry['count'] != 1 else ''}"
        modes = ", ".join(sorted(rules.mode_label(m) for m in entry["modes"]))
        events.append(FeedEvent(
            uid=f"placement-{org_id}-{start:%Y%m%d}-{end:%Y%m%d}@careers-tracker",
            summary=f"Work experience: {entry['name']} ({pupils})", day=start, last_day=end,
            sequence=0, created=entry["created"], last_modified=entry["updated"],
            description=f"Work experience placement: {pupils}. {modes}.",
            categories=("Work experience",)))
    return events

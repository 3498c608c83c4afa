"""Factories for work experience: weeks, placements, employer feedback and feedback links."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from careers_app.calendar.services import new_token
from careers_app.domain.dates import today_london
from careers_app.domain.placements import school_day_count
from careers_app.models.base import utcnow
from careers_app.models.placement import (Placement, PlacementFeedback, PlacementFeedbackLink,
                                          PlacementWeek)
from tests.helpers import persist as _persist

_n = itertools.count(1)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture
def past_week_dates():
    """Monday to Friday of the week three weeks ago: over, and in this academic year."""
    start = monday(today_london() - timedelta(days=21))
    return start, start + timedelta(days=4)


@pytest.fixture
def coming_week_dates():
    """Monday to Friday two weeks ahead."""
    start = monday(today_london() + timedelta(days=14))
    return start, start + timedelta(days=4)


@pytest.fixture
def make_week(app, school):
    def make(start: date | None = None, end: date | None = None, **overrides) -> PlacementWeek:
        start = start or monday(today_london() + timedelta(days=14))
        values = dict(school_id=school.id, title=f"Work experience week {next(_n)}",
                      start_on=start, end_on=end or start + timedelta(days=4))
        values.update(overrides)
        return _persist(app, PlacementWeek(**values))
    return make


@pytest.fixture
def make_placement(app, school):
    def make(pupil, organisation=None, start: date | None = None, end: date | None = None,
             status: str = "seeking", week=None, **overrides) -> Placement:
        start = start or monday(today_london() - timedelta(days=21))
        end = end or start + timedelta(days=4)
        values = dict(school_id=school.id, pupil_id=pupil.id,
                      organisation_id=organisation.id if organisation else None,
                      week_id=week.id if week else None, start_on=start, end_on=end,
                      school_days=school_day_count(start, end), status=status,
                      status_since=overrides.pop("status_since", today_london()))
        values.update(overrides)
        return _persist(app, Placement(**values))
    return make


@pytest.fixture
def make_feedback(app, school):
    def make(placement, **overrides) -> PlacementFeedback:
        values = dict(school_id=school.id, placement_id=placement.id, attendance="every_day",
                      punctuality="always", task="Plan a display", task_outcome="well",
                      skills=["teamwork"], comment="Great week")
        values.update(overrides)
        return _persist(app, PlacementFeedback(**values))
    return make


@pytest.fixture
def make_link(app, school):
    """A feedback link for a placement; returns (row, raw token)."""
    def make(placement, **overrides):
        token, digest = new_token()
        now = utcnow()
        values = dict(school_id=school.id, placement_id=placement.id, token_hash=digest,
                      created_at=now, expires_at=now + timedelta(days=30))
        values.update(overrides)
        return _persist(app, PlacementFeedbackLink(**values)), token
    return make

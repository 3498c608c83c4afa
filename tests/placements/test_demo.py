"""The demo school's work experience: a Year 10 week that has happened, most of it completed
with some employer feedback in, and a Year 12 week coming up; seeding twice adds nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from careers_app.demo import seed_demo
from careers_app.domain.academic import academic_year_of, year_group
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter
from careers_app.models.placement import Placement, PlacementFeedback, PlacementWeek


def test_the_demo_has_a_past_year_10_week_and_a_coming_year_12_week(app, app_ctx):
    today = today_london()
    seed_demo(password="demo-test-password", today=today)
    weeks = db.session.scalars(select(PlacementWeek).order_by(PlacementWeek.start_on)).all()
    assert len(weeks) == 2
    past, coming = weeks
    assert past.end_on < today < coming.start_on
    assert year_group(past.cohort, academic_year_of(past.start_on)) == 10
    assert year_group(coming.cohort, academic_year_of(coming.start_on)) == 12
    statuses = [p.status for p in past.placements]
    done = sum(s in ("completed", "evaluated") for s in statuses)
    assert done > len(statuses) / 2  # most completed
    feedback = db.session.scalar(select(func.count()).select_from(PlacementFeedback))
    assert 0 < feedback < done  # some feedback in
    assert {p.status for p in coming.placements} <= {"seeking", "arranged", "checks_done"}
    assert any(p.organisation_id is None for p in coming.placements)  # still being found
    # The completed ones are on the pupils' records, some meaningful.
    records = db.session.scalars(select(Encounter).where(
        Encounter.kind == "work_experience", Encounter.deleted_at.is_(None))).all()
    assert len(records) == done and any(e.meaningful for e in records)

    counts = (db.session.scalar(select(func.count()).select_from(Placement)),
              db.session.scalar(select(func.count()).select_from(Encounter)))
    seed_demo(password="demo-test-password", today=today)
    assert (db.session.scalar(select(func.count()).select_from(Placement)),
            db.session.scalar(select(func.count()).select_from(Encounter))) == counts

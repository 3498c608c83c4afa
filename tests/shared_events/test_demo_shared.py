"""The demo partnership: nothing with one school; with three, shared events at each school,
shared organisations, a near-duplicate offered; seeding twice adds nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from careers_app.demo import seed_demo
from careers_app.demo_shared import shared_counts
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Organisation, School
from careers_app.organisations.services import merge_candidates


def test_one_school_has_no_partnership(app, app_ctx):
    seed_demo(password="demo-shared-password", pupils=30)
    assert shared_counts()["events"] == 0


def test_three_schools_share_events_and_organisations(app, app_ctx):
    seed_demo(password="demo-shared-password", schools=3, pupils=30)
    assert shared_counts()["events"] == 2
    copies = db.session.scalars(select(Encounter).where(Encounter.shared_event_id.is_not(None),
                                                        Encounter.date == today_london())).all()
    assert len({e.school_id for e in copies}) == 3 and all(e.planned for e in copies)
    shared = db.session.scalar(select(func.count(func.distinct(Organisation.school_id))).where(
        Organisation.name == "Kent County Council").group_by(Organisation.directory_id))
    assert shared == 3
    demo = db.session.scalar(select(School.id).where(School.slug == "demo"))
    offered = [[r.name for r in group] for group in merge_candidates(demo)]
    assert ["NHS Kent", "N.H.S. Kent"] in offered
    before = shared_counts()
    seed_demo(password="demo-shared-password", schools=3, pupils=30)
    assert shared_counts() == before

"""After seed-demo every page a careers leader opens has content: the seed documents' plans
(through the plan import), planned events, an audit in progress, leavers' destinations and
Year 11 guidance, and a calendar feed with upcoming dates."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from careers_app import demo_content
from careers_app.calendar import services as calendar_services
from careers_app.demo import seed_demo
from careers_app.domain.academic import academic_year_bounds, academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Participation, Pupil, School, User
from careers_app.models.benchmark_audit import BenchmarkAudit
from careers_app.models import CalendarToken
from careers_app.models.plans import ActionPlan, Milestone, PlanItem
from careers_app.models.roster import Destination
from tests.helpers import PASSWORD


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo(pupils=70, password=PASSWORD)
        school = db.session.scalar(select(School).where(School.slug == "demo"))
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        ids = (school.id, lead.id)
        db.session.remove()
    return ids


def _feed(app, client, user_id: int, school_id: int, scope: str) -> str:
    token, digest = calendar_services.new_token()
    with app.app_context():
        db.session.add(CalendarToken(school_id=school_id, user_id=user_id, scope=scope,
                                     token_hash=digest))
        db.session.commit()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_page_has_content(app, client, demo):
    school_id, lead_id = demo
    client.login("lead")
    plans = client.get("/plans").get_data(as_text=True)
    this_year = academic_year_of(today_london())
    for title in ("Careers plan, benchmark by benchmark", "DSPL Strategic Plan",
                  f"Dartford Co-operative Learning Trust Action Plan {this_year}"):
        assert title in plans
    with app.app_context():
        trust_plan = db.session.scalar(select(ActionPlan.id).where(
            ActionPlan.title.like("Dartford%")))
    page = client.get(f"/plans/{trust_plan}").get_data(as_text=True)
    assert "Dividend - STEM Enhancement" in page and "JDO" in page

    events = client.get("/plans/events").get_data(as_text=True)
    for words in ("Careers fair", "09:00", "15:00", "National Careers Week", "College taster day"):
        assert words in events

    audits = client.get("/audit").get_data(as_text=True)
    with app.app_context():
        audit = db.session.scalar(select(BenchmarkAudit))
        answered = sum(1 for a in audit.answers if a.answered)
        assert 0 < answered < len(audit.answers)  # in progress
        audit_id, title = audit.id, audit.title
    assert title in audits
    shown = client.get(f"/audit/{audit_id}").get_data(as_text=True)
    assert "Level 6 Diploma in Career Guidance" in shown

    destinations = client.get("/destinations").get_data(as_text=True)
    assert "Education" in destinations and "%" in destinations

    feed = _feed(app, client, lead_id, school_id, "all")
    starts = [line.split(":", 1)[1][:8] for line in feed.splitlines()
              if line.startswith("DTSTART")]
    assert len(starts) >= 30
    assert any(day >= today_london().strftime("%Y%m%d") for day in starts)  # upcoming dates
    events_feed = _feed(app, client, lead_id, school_id, "events")
    assert "Careers fair" in events_feed and "National Careers Week" in events_feed


def test_the_demo_content_is_realistic(app, app_ctx):
    today = date(2026, 12, 1)
    seed_demo(pupils=140, today=today, password=PASSWORD)
    start, end = academic_year_bounds(2026)
    # The benchmark plan's deadlines (Sept 2019 - Sept 2020) moved onto 2026/27, in order.
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.title.like("Careers plan%")))
    days = [m.date for item in plan.items for m in item.milestones]
    assert len(days) == 20 and min(days) == start and max(days) == date(2027, 9, 1)
    assert db.session.scalar(select(func.count(PlanItem.id))) == 8 + 8 + 2
    assert db.session.scalar(select(func.count(Milestone.id)).where(Milestone.date > today)) >= 10
    # "Outreach delivered by Summer 2023": summer term of the shifted year.
    summer = db.session.scalar(select(Milestone).where(Milestone.title.like("Outreach%")))
    assert (summer.date, summer.title) == (date(2027, 6, 1), "Outreach delivered by Summer 2027")

    fair = db.session.scalar(select(Encounter).where(Encounter.title == "Careers fair"))
    assert (fair.date.year, fair.date.month, fair.planned) == (2027, 1, True)
    assert (fair.start_time.hour, fair.end_time.hour) == (9, 15)
    week = db.session.scalar(select(Encounter).where(Encounter.title.like("National Careers%")))
    assert week.date.month == 2 and week.planned
    taster = db.session.scalar(select(Encounter).where(Encounter.title == "College taster day"))
    assert taster.date < today and not taster.planned and taster.participations

    leavers = db.session.scalars(select(Pupil).where(Pupil.left_on.is_not(None))).all()
    assert {academic_year_of(p.left_on) for p in leavers} == {2023, 2024, 2025}
    statuses = db.session.scalars(select(Destination.status)).all()
    assert {"education", "apprenticeship", "employment"} <= set(statuses)
    assert db.session.scalar(select(func.max(Destination.year_after))) == 3

    agreed = db.session.scalars(select(Participation.agreed_actions).join(Encounter).where(
        Encounter.kind == "guidance_interview")).all()
    year11 = db.session.scalar(select(func.count(Pupil.id)).where(
        Pupil.cohort == 2022, Pupil.left_on.is_(None)))
    assert 0 < len(agreed) < year11 and all(text.count("\n") == 1 for text in agreed)


def test_seeding_twice_adds_nothing(app, app_ctx):
    seed_demo(pupils=70, password=PASSWORD)
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (ActionPlan, Milestone, Encounter, Destination, BenchmarkAudit)]
    seed_demo(pupils=70, password=PASSWORD)
    assert counts == [db.session.scalar(select(func.count()).select_from(model))
                      for model in (ActionPlan, Milestone, Encounter, Destination, BenchmarkAudit)]


def test_missing_seed_plans_are_skipped_with_a_message(app, app_ctx, monkeypatch, tmp_path):
    monkeypatch.setattr(demo_content, "SEED_PLANS", tmp_path / "nowhere")
    result = seed_demo(pupils=70, password=PASSWORD)
    assert result.created_schools == 1
    assert len(result.notes) == 3 and all("Skipped the demo plan" in n for n in result.notes)
    assert db.session.scalar(select(func.count(ActionPlan.id))) == 0
    assert db.session.scalar(select(func.count(BenchmarkAudit.id))) == 1  # the rest is there


@pytest.mark.parametrize("n, name", [(0, "A"), (7, "H"), (8, "J"), (23, "Z"), (24, "A2"),
                                     (25, "B2"), (48, "A3")])
def test_forms_beyond_the_alphabet_are_numbered(n, name):
    from careers_app.demo import form_name
    assert form_name(n) == name


def test_a_school_with_more_forms_than_letters_seeds(app, app_ctx):
    # 2,500 pupils is 357 a year group: 12 forms each (it once failed above about 2,100).
    result = seed_demo(pupils=2500, password=PASSWORD)
    groups = set(db.session.scalars(select(Pupil.tutor_group).distinct()))
    assert result.pupils >= 2500
    assert {"10A", "10M"} <= groups
    assert db.session.scalar(select(func.count()).select_from(Participation)) > 0

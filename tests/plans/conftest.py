"""Factories for plans, items, milestones and calendar links."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from careers_app.calendar import services as calendar_services
from careers_app.models import CalendarToken
from careers_app.models.plans import ActionPlan, Milestone, PlanItem
from tests.conftest import _persist

_n = itertools.count(1)


@pytest.fixture
def make_plan(app, school):
    def make(**overrides) -> ActionPlan:
        values = dict(school_id=school.id, title=f"Careers action plan {next(_n)}",
                      period="2025-2027")
        values.update(overrides)
        return _persist(app, ActionPlan(**values))
    return make


@pytest.fixture
def make_item(app, school, make_plan):
    def make(plan: ActionPlan | None = None, **overrides) -> PlanItem:
        plan = plan or make_plan()
        values = dict(school_id=school.id, plan_id=plan.id, benchmark=5,
                      aim="Every pupil meets employers", actions="Invite employers to assemblies",
                      lead_name="Enterprise Adviser")
        values.update(overrides)
        return _persist(app, PlanItem(**values))
    return make


@pytest.fixture
def make_milestone(app, school, make_item):
    def make(item: PlanItem | None = None, **overrides) -> Milestone:
        item = item or make_item()
        values = dict(school_id=school.id, item_id=item.id, title=f"Milestone {next(_n)}",
                      date=date(2026, 3, 3))
        values.update(overrides)
        return _persist(app, Milestone(**values))
    return make


@pytest.fixture
def make_link(app):
    """A calendar link for a user; returns (row, raw token)."""
    def make(user, scope: str = "all", plan_id: int | None = None):
        token, digest = calendar_services.new_token()
        row = _persist(app, CalendarToken(school_id=user.school_id, user_id=user.id, scope=scope,
                                          plan_id=plan_id, token_hash=digest))
        return row, token
    return make

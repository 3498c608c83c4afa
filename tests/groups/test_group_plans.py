"""The group's action plan: its leads keep it, member schools' staff read it and subscribe
to its milestones ("My trust's milestones"); nobody else sees it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from careers_app.extensions import db
from careers_app.models import CalendarToken
from careers_app.models.plans import ActionPlan, Milestone

from tests.helpers import Client


@pytest.fixture
def group_plan(app, trust, make_plan, make_item, make_milestone):
    """The trust's plan (hosted at the test school, the lead's home school) and a plan of the
    test school's own."""
    plan = make_plan(title="Trust careers plan", group_id=trust.group_id, owner_id=trust.lead.id)
    item = make_item(plan=plan, aim="Shared employer network", lead_name="Trust careers lead")
    milestone = make_milestone(item=item, title="Trust careers fair", date=date(2027, 3, 3))
    own = make_plan(title="Own school plan")
    own_milestone = make_milestone(item=make_item(plan=own), title="Own school milestone")
    return plan, item, milestone, own, own_milestone


def _client(app, username):
    app.test_client_class = Client
    client = app.test_client()
    client.login(username)
    return client


def test_the_lead_keeps_the_group_plan(app, trust, group_plan):
    plan, item, milestone, own, own_milestone = group_plan
    client = _client(app, "trustlead")
    assert "Trust careers plan" in client.get("/trust/plans").get_data(as_text=True)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Edit plan" in page and "Test Learning Trust" in page
    response = client.post(f"/plans/{plan.id}/items/new", data={
        "benchmark": "5", "aim": "Careers week across the trust", "lead_user_id": "0",
        "lead_name": "Trust lead"})
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    new_item = max(i.id for i in _items(app, plan.id))
    response = client.post(f"/plans/items/{new_item}/milestones/new", data={
        "title": "Launch", "date": "2027-02-01"})
    assert response.status_code == 303
    assert client.post(f"/plans/milestones/{milestone.id}/toggle",
                       data={"done": "1"}).status_code == 303
    with app.app_context():
        assert db.session.get(Milestone, milestone.id).done
    # The home school's own plan is not theirs.
    assert client.get(f"/plans/{own.id}").status_code == 404
    assert client.get(f"/plans/items/{own_milestone.item_id}").status_code == 404
    assert client.get(f"/plans/milestones/{own_milestone.id}").status_code == 404


def _items(app, plan_id):
    with app.app_context():
        plan = db.session.get(ActionPlan, plan_id)
        return list(plan.items)


def test_a_lead_names_item_leads_in_words(app, trust, group_plan):
    plan, *_rest = group_plan
    client = _client(app, "trustlead")
    response = client.post(f"/plans/{plan.id}/items/new", data={
        "aim": "x", "lead_user_id": str(trust.staff_a.id)})
    assert response.status_code == 422  # no school's staff list for a group's plan


def test_the_lead_creates_a_group_plan(app, trust):
    client = _client(app, "trustlead")
    assert client.get(f"/trust/{trust.group_id}/plans/new").status_code == 200
    assert client.post(f"/trust/{trust.group_id}/plans/new", data={"title": ""}).status_code == 422
    response = client.post(f"/trust/{trust.group_id}/plans/new", data={
        "title": "Trust plan 2027", "period": "2027-2029", "owner_id": str(trust.lead.id)})
    assert response.status_code == 303
    with app.app_context():
        plan = db.session.scalar(select(ActionPlan).where(ActionPlan.title == "Trust plan 2027"))
        assert plan.group_id == trust.group_id and plan.school_id == trust.school.id
        assert plan.owner_id == trust.lead.id
    assert client.post(f"/trust/{trust.other_id}/plans/new",
                       data={"title": "x"}).status_code == 404


@pytest.mark.parametrize("username", ["staffa", "admina", "adminb"])
def test_member_schools_read_the_group_plan(app, trust, group_plan, username):
    plan, item, milestone, *_rest = group_plan
    client = _client(app, username)
    index = client.get("/plans").get_data(as_text=True)
    assert "Trust and partnership plans" in index and "Trust careers plan" in index
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Shared employer network" in page and "Edit plan" not in page
    for url in (f"/plans/{plan.id}/edit", f"/plans/{plan.id}/items/new",
                f"/plans/items/{item.id}/edit", f"/plans/items/{item.id}/status",
                f"/plans/milestones/{milestone.id}/edit"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/plans/milestones/{milestone.id}/toggle",
                       data={"done": "1"}).status_code == 403
    assert client.post(f"/plans/{plan.id}/delete").status_code == 403


def test_the_host_schools_plan_list_leaves_the_group_plan_out(app, trust, group_plan):
    client = _client(app, "admina")
    index = client.get("/plans").get_data(as_text=True)
    own_table = index.split("Trust and partnership plans")[0]
    assert "Own school plan" in own_table and "Trust careers plan" not in own_table


@pytest.mark.parametrize("username", ["staffout", "adminout", "otherlead"])
def test_outsiders_never_see_the_group_plan(app, trust, group_plan, username):
    plan, item, milestone, *_rest = group_plan
    client = _client(app, username)
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}/print", f"/plans/items/{item.id}",
                f"/plans/milestones/{milestone.id}"):
        assert client.get(url).status_code == 404, url
    if username != "otherlead":
        assert "Trust careers plan" not in client.get("/plans").get_data(as_text=True)


def test_member_staff_subscribe_to_the_trusts_milestones(app, trust, group_plan):
    client = _client(app, "staffa")
    page = client.get("/calendar").get_data(as_text=True)
    assert "My trust&#39;s milestones" in page or "My trust's milestones" in page
    response = client.post("/calendar", data={"scope": "trust"})
    assert response.status_code == 201
    url = response.get_data(as_text=True).split("/calendar/")[1].split(".ics")[0]
    feed = client.get(f"/calendar/{url}.ics")
    body = feed.get_data(as_text=True)
    assert feed.status_code == 200 and "Trust careers fair" in body
    assert "Own school milestone" not in body
    # A school feed of the host school does not carry the trust's milestones.
    assert client.post("/calendar", data={"scope": "all"}).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(CalendarToken.scope).where(
            CalendarToken.scope == "trust")) == "trust"


def test_a_change_to_the_trust_plan_changes_the_feed(app, trust, group_plan):
    from careers_app.calendar import services as calendar_services

    plan, item, milestone, *_rest = group_plan
    with app.app_context():
        staff = db.session.get(type(trust.admin_b), trust.admin_b.id)  # at the other school
        _row, token = calendar_services.create_token(staff, "trust", None)
        before = calendar_services.find_feed(token)
        assert "Trust careers fair" in calendar_services.render_feed(before).decode()
    lead = _client(app, "trustlead")
    assert lead.post(f"/plans/milestones/{milestone.id}/edit", data={
        "title": "Trust careers fair (moved)", "date": "2027-03-10"}).status_code == 303
    with app.app_context():
        after = calendar_services.find_feed(token)
        assert after.etag != before.etag
        assert "Trust careers fair (moved)" in calendar_services.render_feed(after).decode()


def test_a_school_outside_any_group_cannot_make_a_trust_link(app, trust):
    client = _client(app, "staffout")  # Outside School is in a partnership: allowed
    assert client.post("/calendar", data={"scope": "trust"}).status_code == 201


def test_no_group_no_trust_link(app, school, make_school, make_user):
    lonely = make_school(name="Lonely School", slug="lonely")
    make_user("lonelystaff", school_id=lonely.id)
    client = _client(app, "lonelystaff")
    response = client.post("/calendar", data={"scope": "trust"})
    assert response.status_code == 422
    assert "not in a trust or partnership" in response.get_data(as_text=True)

"""Plans, items, milestones, My milestones and the print view, as each role."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import PlanFeedVersion, Role
from careers_app.models.plans import ActionPlan, Milestone, PlanItem
from tests.html_checks import choice_group, summary_targets


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("htmx", [False, True])
def test_staff_read_plans(client, tutor, make_item, make_milestone, htmx):
    item = make_item(aim="Every pupil meets employers", lead_name="Enterprise Adviser",
                     cost_pence=125050)
    make_milestone(item, title="Careers fair")
    client.login("tutor")
    index = client.get("/plans", htmx=htmx)
    assert index.status_code == 200
    html = client.get(f"/plans/{item.plan_id}", htmx=htmx).get_data(as_text=True)
    assert "Careers fair" in html and "Enterprise Adviser" in html and "£1,250.50" in html
    assert "3 Mar 2026" in html
    # A tutor who neither owns the plan nor leads the item gets no edit controls.
    assert "Mark done" not in html and "Edit plan" not in html


def test_admin_creates_a_plan(app, client, lead):
    client.login("lead")
    assert client.get("/plans/new").status_code == 200
    response = client.post("/plans/new", data={"title": "Careers action plan",
                                               "period": "2025-2027", "owner_id": str(lead.id)})
    assert response.status_code == 303
    with app.app_context():
        plan = db.session.scalar(select(ActionPlan))
        assert (plan.title, plan.period, plan.owner_id) == ("Careers action plan", "2025-2027",
                                                            lead.id)


@pytest.mark.parametrize("htmx", [False, True])
def test_invalid_plan_is_422_and_nothing_written(app, client, lead, htmx):
    client.login("lead")
    response = client.post("/plans/new", data={"title": "", "period": ""}, htmx=htmx)
    assert response.status_code == 422
    assert "Give the plan a title." in response.get_data(as_text=True)
    assert _count(app, ActionPlan) == 0


def test_staff_cannot_create_or_edit_plans(client, tutor, make_plan, make_item):
    plan = make_plan()
    item = make_item(plan)
    client.login("tutor")
    assert client.get("/plans/new").status_code == 403
    assert client.post("/plans/new", data={"title": "x"}).status_code == 403
    assert client.post(f"/plans/{plan.id}/edit", data={"title": "x"}).status_code == 403
    assert client.post(f"/plans/{plan.id}/delete").status_code == 403
    assert client.post(f"/plans/{plan.id}/items/new", data={"aim": "x"}).status_code == 403
    assert client.post(f"/plans/items/{item.id}/edit", data={"aim": "x"}).status_code == 403
    assert client.get("/plans/import").status_code == 403


def test_plan_owner_can_edit_their_plan(client, tutor, make_plan):
    plan = make_plan(owner_id=tutor.id)
    client.login("tutor")
    response = client.post(f"/plans/{plan.id}/edit", data={"title": "Renamed", "period": "2026",
                                                            "owner_id": str(tutor.id)})
    assert response.status_code == 303
    assert "Renamed" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_pupils_get_404_everywhere(client, pupil_user, make_item, make_milestone):
    item = make_item()
    milestone = make_milestone(item)
    client.login("pupil")
    for url in ("/plans", f"/plans/{item.plan_id}", "/plans/mine", "/plans/import",
                f"/plans/{item.plan_id}/print", "/plans/events", "/plans/events/new"):
        assert client.get(url).status_code == 404, url
        assert client.get(url, htmx=True).status_code == 404, url
    assert client.post(f"/plans/milestones/{milestone.id}/toggle", data={"done": "1"}).status_code == 404


def test_other_schools_plans_are_404(client, lead, make_school, make_plan):
    other = make_plan(school_id=make_school().id)
    client.login("lead")
    assert client.get(f"/plans/{other.id}").status_code == 404
    assert client.post(f"/plans/{other.id}/delete").status_code == 404


@pytest.mark.parametrize("htmx", [False, True])
def test_add_and_edit_an_item_inline(app, client, lead, make_plan, htmx):
    plan = make_plan()
    client.login("lead")
    form = client.get(f"/plans/{plan.id}/items/new", htmx=htmx)
    assert form.status_code == 200
    response = client.post(f"/plans/{plan.id}/items/new", htmx=htmx, data={
        "benchmark": "5", "aim": "Employer encounters every year", "actions": "Assemblies",
        "lead_user_id": str(lead.id), "lead_name": "", "cost": "1,250.50",
        "success_criteria": "Two employers per year group"})
    assert response.status_code == (204 if htmx else 303)
    with app.app_context():
        item = db.session.scalar(select(PlanItem))
        assert (item.benchmark, item.cost_pence, item.lead_user_id) == (5, 125050, lead.id)
    edit = client.get(f"/plans/items/{item.id}/edit", htmx=htmx)
    assert edit.status_code == 200
    assert ('<html' in edit.get_data(as_text=True)) is (not htmx)
    response = client.post(f"/plans/items/{item.id}/edit", htmx=htmx, data={
        "benchmark": "", "aim": "Community links", "lead_user_id": "0",
        "lead_name": "Enterprise Adviser", "cost": ""})
    if htmx:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert f'id="item-{item.id}"' in html and "Community links" in html
        assert "<html" not in html
    else:
        assert response.status_code == 303
    with app.app_context():
        item = db.session.get(PlanItem, item.id)
        assert (item.benchmark, item.lead_user_id, item.lead_name) == (None, None,
                                                                       "Enterprise Adviser")


@pytest.mark.parametrize("htmx", [False, True])
def test_invalid_item_is_422_with_field_messages(app, client, lead, make_plan, htmx):
    plan = make_plan()
    client.login("lead")
    response = client.post(f"/plans/{plan.id}/items/new", htmx=htmx,
                           data={"benchmark": "", "aim": "", "cost": "lots"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose a benchmark or write the aim." in html
    assert "Enter an amount in pounds" in html
    assert 'aria-invalid="true"' in html
    assert _count(app, PlanItem) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_the_lead_ticks_off_a_milestone_in_one_click(app, client, tutor, make_item,
                                                     make_milestone, htmx):
    item = make_item(lead_user_id=tutor.id, lead_name="")
    milestone = make_milestone(item, title="Book the hall")
    client.login("tutor")
    response = client.post(f"/plans/milestones/{milestone.id}/toggle", data={"done": "1"},
                           htmx=htmx)
    if htmx:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert html.lstrip().startswith(f'<li id="milestone-{milestone.id}"')
        assert "Mark not done" in html
    else:
        assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Milestone, milestone.id)
        assert row.done and row.done_at is not None and row.sequence == 1
        assert db.session.get(PlanFeedVersion, row.school_id).version >= 1
    client.post(f"/plans/milestones/{milestone.id}/toggle", data={"done": "0"}, htmx=htmx)
    with app.app_context():
        assert not db.session.get(Milestone, milestone.id).done


def test_others_cannot_tick_off_a_milestone(app, client, tutor, make_user, make_milestone):
    milestone = make_milestone()
    client.login("tutor")
    assert client.post(f"/plans/milestones/{milestone.id}/toggle",
                       data={"done": "1"}).status_code == 403
    assert client.post(f"/plans/milestones/{milestone.id}/toggle", data={"done": "1"},
                       csrf=False).status_code in (400, 403)
    with app.app_context():
        assert not db.session.get(Milestone, milestone.id).done


def test_toggle_needs_csrf(app, client, lead, make_milestone):
    milestone = make_milestone()
    client.login("lead")
    assert client.post(f"/plans/milestones/{milestone.id}/toggle", data={"done": "1"},
                       csrf=False).status_code == 400
    with app.app_context():
        assert not db.session.get(Milestone, milestone.id).done


@pytest.mark.parametrize("htmx", [False, True])
def test_add_and_edit_milestones_inline(app, client, lead, make_item, htmx):
    item = make_item()
    client.login("lead")
    assert client.get(f"/plans/items/{item.id}/milestones/new", htmx=htmx).status_code == 200
    response = client.post(f"/plans/items/{item.id}/milestones/new", htmx=htmx, data={
        "title": "Careers fair", "date": "2026-06-19", "start_time": "09:00",
        "end_time": "15:00"})
    if htmx:
        assert response.status_code == 200
        assert response.headers["HX-Retarget"] == f"#item-{item.id}"
    else:
        assert response.status_code == 303
    with app.app_context():
        milestone = db.session.scalar(select(Milestone))
        assert milestone.timed and milestone.sequence == 0
    response = client.post(f"/plans/milestones/{milestone.id}/edit", htmx=htmx, data={
        "title": "Careers fair (hall)", "date": "2026-06-19", "start_time": "", "end_time": ""})
    assert response.status_code == (200 if htmx else 303)
    with app.app_context():
        milestone = db.session.get(Milestone, milestone.id)
        assert not milestone.timed and milestone.sequence == 1


@pytest.mark.parametrize("data, message", [
    ({"title": "", "date": "2026-06-19"}, "Say what the milestone is."),
    ({"title": "x", "date": ""}, "Enter the milestone&#39;s date."),
    ({"title": "x", "date": "2026-06-19", "start_time": "09:00"}, "Give both a start and an end"),
    ({"title": "x", "date": "2026-06-19", "start_time": "10:00", "end_time": "09:00"},
     "The end time must be after the start time."),
])
def test_invalid_milestone_is_422(app, client, lead, make_item, data, message):
    item = make_item()
    client.login("lead")
    response = client.post(f"/plans/items/{item.id}/milestones/new", data=data, htmx=True)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app, Milestone) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_status_update_by_the_lead(app, client, tutor, make_item, htmx):
    item = make_item(lead_user_id=tutor.id, lead_name="")
    client.login("tutor")
    assert client.get(f"/plans/items/{item.id}/status", htmx=htmx).status_code == 200
    response = client.post(f"/plans/items/{item.id}/status", htmx=htmx, data={
        "rag": "amber", "status_note": "Two employers booked", "status_date": "2026-03-03"})
    assert response.status_code == (200 if htmx else 303)
    with app.app_context():
        row = db.session.get(PlanItem, item.id)
        assert (row.rag, row.status_note, row.status_date) == ("amber", "Two employers booked",
                                                               date(2026, 3, 3))
    bad = client.post(f"/plans/items/{item.id}/status", htmx=htmx,
                      data={"rag": "purple", "status_date": ""})
    assert bad.status_code == 422


@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_status_shows_its_error_at_the_rag_radios(client, tutor, make_item, htmx):
    """Each error is shown at its field: the RAG radios' fieldset shows and names its error."""
    item = make_item(lead_user_id=tutor.id, lead_name="")
    client.login("tutor")
    response = client.post(f"/plans/items/{item.id}/status", htmx=htmx,
                           data={"rag": "purple", "status_date": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    group, described = choice_group(html, "rag")
    assert group.legend.strip() == "RAG status"
    assert "Not a valid choice" in described
    assert {i.get("aria-invalid") for i in group.inputs} == {"true"}
    assert summary_targets(html) == {"rag": True, "status_date": True}
    assert 'id="status_date-error"' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_my_milestones_overdue_first(client, tutor, make_item, make_milestone, htmx):
    item = make_item(lead_user_id=tutor.id, lead_name="")
    today = today_london()
    make_milestone(item, title="Upcoming", date=today + timedelta(days=10))
    make_milestone(item, title="Overdue", date=today - timedelta(days=3))
    make_milestone(item, title="Done long ago", date=today - timedelta(days=30), done=True)
    make_milestone(make_item(), title="Someone else's")
    client.login("tutor")
    response = client.get("/plans/mine", htmx=htmx)
    html = response.get_data(as_text=True)
    assert html.index("Overdue") < html.index("Upcoming") < html.index("Done long ago")
    assert "Someone else" not in html


def test_print_view(client, tutor, make_item, make_milestone):
    item = make_item(success_criteria="Two employers per year group")
    make_milestone(item, title="Careers fair")
    client.login("tutor")
    html = client.get(f"/plans/{item.plan_id}/print").get_data(as_text=True)
    assert "Two employers per year group" in html and "Careers fair" in html
    assert "<table>" in html


def test_deleting_a_plan_removes_items_and_milestones(app, client, lead, make_milestone):
    milestone = make_milestone()
    with app.app_context():
        plan_id = db.session.get(Milestone, milestone.id).item.plan_id
    client.login("lead")
    assert client.get(f"/plans/{plan_id}/delete").status_code == 200
    assert client.post(f"/plans/{plan_id}/delete").status_code == 303
    assert (_count(app, ActionPlan), _count(app, PlanItem), _count(app, Milestone)) == (0, 0, 0)


def test_staff_without_plans_role_see_no_edit_for_disabled_lead(make_user):
    # A disabled staff account is never offered as a lead.
    from careers_app.plans import services
    user = make_user("gone", Role.STAFF, active=False)
    assert user.active is False
    assert services.can_create_plans(user) is False

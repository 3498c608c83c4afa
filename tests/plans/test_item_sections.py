"""An item's section heading and current provision: set by hand, kept by the import, shown
on the plan and its print view; a many-line aim is shown whole."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from careers_app.extensions import db
from careers_app.models.plans import PlanItem


@pytest.mark.parametrize("htmx", [False, True])
def test_section_and_current_provision_by_hand(app, client, lead, make_plan, htmx):
    plan = make_plan()
    client.login("lead")
    form = client.get(f"/plans/{plan.id}/items/new", htmx=htmx).get_data(as_text=True)
    assert 'name="section"' in form and 'name="current_provision"' in form
    response = client.post(f"/plans/{plan.id}/items/new", htmx=htmx, data={
        "benchmark": "", "section": "  Community   outreach ", "lead_user_id": "0",
        "aim": "To work with the community.\nTo build our reputation.",
        "current_provision": "Two partners so far.", "cost": ""})
    assert response.status_code == (204 if htmx else 303)
    with app.app_context():
        item = db.session.scalar(select(PlanItem))
        assert (item.section, item.current_provision) == ("Community outreach",
                                                          "Two partners so far.")
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Community outreach" in page and "Two partners so far." in page
    assert "To build our reputation." in page  # the aim's second line is not lost
    printed = client.get(f"/plans/{plan.id}/print").get_data(as_text=True)
    assert "Community outreach" in printed and "Current provision" in printed
    # The edit form sends both fields; sent blank, they are cleared.
    client.post(f"/plans/items/{item.id}/edit", data={
        "aim": "To work with the community.", "lead_user_id": "0", "section": "",
        "current_provision": "", "cost": ""})
    with app.app_context():
        item = db.session.get(PlanItem, item.id)
        assert (item.section, item.current_provision) == ("", "")


def test_section_is_at_most_200_characters(app, client, lead, make_plan):
    plan = make_plan()
    client.login("lead")
    response = client.post(f"/plans/{plan.id}/items/new", data={
        "aim": "x", "section": "s" * 201, "lead_user_id": "0", "cost": ""})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(PlanItem)) is None

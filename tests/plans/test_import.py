"""CSV import of an action plan: preview, all-or-nothing, errors by row."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from careers_app.domain.csv_files import decode
from careers_app.domain.plan_import import parse_plan_csv
from careers_app.extensions import db
from careers_app.models.plans import ActionPlan, Milestone, PlanItem

GOOD = (
    "Aim/Benchmark,Lead,Actions,Resources,Milestone date,Milestone,Success criteria,Cost\r\n"
    '"1. A stable careers programme",Ms Lead,"Revise the careers plan\nNamed governor",'
    'Time,"Sept 2019\nOct 2019","Plan published\nGovernor named",QA evidences a programme,250\r\n'
    '"To increase opportunities with the community",Enterprise Adviser,Find partners,Minibus,,'
    '"November 2022 - Careers Focus Day 1 (Years 7,8,9)\nOngoing",New charity links,\r\n'
    ",,,,3 March 2026,Careers fair,,\r\n"
)


def test_parse_seed_like_csv():
    result = parse_plan_csv(GOOD, {"ms lead": 7})
    assert result.errors == []
    first, second = result.items
    assert (first.benchmark, first.aim, first.lead_user_id, first.cost_pence) == (
        1, "A stable careers programme", 7, 25000)
    assert [(m.title, m.day, m.month_only) for m in first.milestones] == [
        ("Plan published", date(2019, 9, 1), True), ("Governor named", date(2019, 10, 1), True)]
    assert (second.benchmark, second.lead_user_id, second.lead_text) == (None, None,
                                                                         "Enterprise Adviser")
    assert [(m.title, m.day, m.month_only, m.row) for m in second.milestones] == [
        ("Careers Focus Day 1 (Years 7,8,9)", date(2022, 11, 1), True, 3),
        ("Careers fair", date(2026, 3, 3), False, 4)]


def test_errors_are_reported_by_row():
    text = ("Aim,Lead,Actions,Milestone date,Milestone,Cost\n"
            "BM5,A,B,31/02/2023,Visit,\n"
            "BM6,A,B,\"Sept 2019\nOct 2019\",\"a\nb\nc\",\n"
            "BM7,A,B,,,lots\n")
    result = parse_plan_csv(text)
    rows = [row for row, _ in result.errors]
    assert rows == [2, 3, 4]
    # "Summer 2023" is read as a term now; a date that cannot exist is still an error.
    assert "31/02/2023" in result.errors[0][1]
    assert "2 milestone dates but 3 milestones" in result.errors[1][1]
    assert "Cost" in result.errors[2][1]


def test_missing_aim_column():
    result = parse_plan_csv("Lead,Actions\nA,B\n")
    assert result.errors and result.errors[0][0] == 1 and not result.items


def test_windows_1252_and_bom():
    assert decode("Aim\n£5 café".encode("cp1252"))[0] == "Aim\n£5 café"
    assert decode("\ufeffAim\nx".encode("utf-8"))[0] == "Aim\nx"


def _upload(client, text: str, **extra):
    data = {"title": "Imported plan", "period": "2022-2024",
            "file": (io.BytesIO(text.encode("utf-8")), "plan.csv"), **extra}
    return client.post("/plans/import", data=data, content_type="multipart/form-data")


def test_import_preview_then_confirm(app, client, lead):
    client.login("lead")
    assert client.get("/plans/import").status_code == 200
    preview = _upload(client, GOOD)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "1 Sept 2019" not in html and "1 Sep 2019" in html
    assert "month only, taken as the first of the month" in html
    assert "Import this plan" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ActionPlan.id))) == 0  # nothing yet
    # The confirm has its own URL now (the preview is a POST that writes nothing).
    confirm = client.post("/plans/import/confirm", data={
        "title": "Imported plan", "period": "2022-2024", "csv_text": GOOD})
    assert confirm.status_code == 303
    with app.app_context():
        plan = db.session.scalar(select(ActionPlan))
        assert plan.title == "Imported plan" and plan.owner_id == lead.id
        assert db.session.scalar(select(func.count(PlanItem.id))) == 2
        assert db.session.scalar(select(func.count(Milestone.id))) == 4


@pytest.mark.parametrize("htmx", [False, True])
def test_import_with_errors_writes_nothing(app, client, lead, htmx):
    client.login("lead")
    bad = GOOD + "BM5,A,B,,,30 February 2023 - visit,,\r\n"
    response = client.post("/plans/import", htmx=htmx, data={
        "title": "Imported plan", "csv_text": bad, "confirm": "y"})
    assert response.status_code == 422
    assert "Row 5: Milestone:" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ActionPlan.id))) == 0
        assert db.session.scalar(select(func.count(PlanItem.id))) == 0


def test_import_needs_a_title_and_a_file(app, client, lead):
    client.login("lead")
    response = client.post("/plans/import", data={"title": "", "csv_text": GOOD, "confirm": "y"})
    assert response.status_code == 422
    response = client.post("/plans/import", data={"title": "x"})
    assert response.status_code == 422
    assert "Choose a CSV or Word file, or paste the table." in response.get_data(as_text=True)

"""One way to answer a write (issue 11, item 4): `templating.redirect_after_write` gives
htmx an HX-Redirect (or the updated fragment) and everyone else a 303, always with
`Vary: HX-Request`, since the same URL answers the two differently."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from careers_app.database import write_transaction
from careers_app.extensions import db
from careers_app.models.plans import ActionPlan

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def plan_id(app, school):
    with app.app_context(), write_transaction():
        db.session.add(ActionPlan(school_id=school.id, title="Plan", period="2026-2028"))
    with app.app_context():
        return db.session.scalar(select(ActionPlan.id))


def _writes(plan_id, pupil, encounter):
    """(url, form) for writes in every feature; each answers with a redirect when valid."""
    return [
        ("/plans/new", {"title": "New plan", "period": "2026", "owner_id": "0"}),
        (f"/plans/{plan_id}/edit", {"title": "Renamed", "period": "2026", "owner_id": "0"}),
        ("/audit/settings", {"careers_leader": "Ms Lead", "achieved": "80",
                             "partial_above": "40"}),
        ("/audit/new", {"title": "Autumn audit"}),
        ("/reports/settings", {"bm6_pre16": "2", "bm6_post16": "1"}),
        (f"/pupils/{pupil.id}/guidance/new", {"date": date.today().isoformat(),
                                              "adviser_name": "J Adviser"}),
        (f"/encounters/{encounter.id}/delete", {}),
        ("/admin/retention", {}),
        (f"/plans/{plan_id}/delete", {}),
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_write_answers_the_same_way(app, client, lead, plan_id, make_pupil,
                                          make_encounter, htmx):
    pupil = make_pupil(year=10)
    encounter = make_encounter([pupil], created_by=lead)
    client.login("lead")
    for url, form in _writes(plan_id, pupil, encounter):
        response = client.post(url, data=form, htmx=htmx)
        assert "HX-Request" in response.headers.get("Vary", ""), url
        if htmx:
            assert response.status_code == 204 and response.headers["HX-Redirect"], url
        else:
            assert response.status_code == 303 and response.headers["Location"], url


def test_an_inline_edit_gets_its_fragment_back_with_vary(app, client, lead, plan_id):
    client.login("lead")
    client.post(f"/plans/{plan_id}/items/new", data={"aim": "More employer talks"})
    with app.app_context():
        from careers_app.models.plans import PlanItem
        item_id = db.session.scalar(select(PlanItem.id))
    response = client.post(f"/plans/items/{item_id}/status",
                           data={"rag": "green", "status_note": "On track"}, htmx=True)
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert "HX-Request" in response.headers["Vary"]
    assert f'id="item-{item_id}"' in response.get_data(as_text=True)


def test_logout_and_undo_answer_through_it_too(app, client, tutor, make_pupil):
    pupil = make_pupil(year=10, tutor_group="10A")
    client.login("tutor")
    client.get("/encounters/new")
    logged = client.post("/encounters/new", data={
        "kind": "employer_talk", "title": "Talk", "date": date.today().isoformat(),
        "group": "tg:10A", "pupil_ids": [str(pupil.id)]})
    encounter_id = int(re.search(r"/encounters/(\d+)/logged", logged.headers["Location"])[1])
    undone = client.post(f"/encounters/{encounter_id}/undo")
    assert undone.status_code == 303 and "HX-Request" in undone.headers["Vary"]
    out = client.post("/logout")
    assert out.status_code == 303 and "HX-Request" in out.headers["Vary"]


def test_no_view_answers_a_write_by_hand():
    """No private `_done` copy and no raw 303 outside the one helper."""
    offenders = []
    for path in (ROOT / "careers_app").rglob("*.py"):
        source = path.read_text()
        if path.name == "templating.py":
            continue
        if re.search(r"def _done\b|_done = ", source) or re.search(r"redirect\([^\n]*,\s*303\)",
                                                                   source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []

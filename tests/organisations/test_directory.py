"""The shared organisation directory: the type-ahead across member schools (never beyond),
one shared record with each school's notes private, near-duplicates offered, not merged."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from careers_app.database import write_transaction
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Organisation
from careers_app.models.shared import DirectoryOrganisation

from tests.helpers import Client
from tests.shared_events.partnership import build


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    return build(app, make_school, make_user, make_pupil, with_event=False)


def _client(app, username):
    app.test_client_class = Client
    client = app.test_client()
    client.login(username)
    return client


def _add(app, school_id, name, notes="", encounters=0):
    with app.app_context(), write_transaction():
        org = Organisation(school_id=school_id, name=name, kind="employer", private_notes=notes)
        db.session.add(org)
        db.session.flush()
        for n in range(encounters):
            db.session.add(Encounter(school_id=school_id, title=f"Talk {n}", kind="employer_talk",
                                     date=db.func.current_date(), academic_year=2026,
                                     organisation_id=org.id))
        db.session.flush()
        return org.id, org.directory_id


def _options(client, text):
    return client.get("/encounters/organisations", query_string={"organisation": text},
                      htmx=True).get_data(as_text=True)


def test_the_type_ahead_offers_member_schools_organisations_but_not_outsiders(app, world):
    _add(app, world.schools["A"], "Kent Fire and Rescue")
    _add(app, world.schools["D"], "Kent Outsider Bakery")
    for member in ("staffB", "staffC"):
        options = _options(_client(app, member), "kent")
        assert "Kent Fire and Rescue" in options and "Kent Outsider Bakery" not in options
    assert "Kent Fire and Rescue" not in _options(_client(app, "staffD"), "kent")


def test_one_shared_record_when_another_school_uses_the_name(app, world):
    _, first = _add(app, world.schools["A"], "Kent Fire and Rescue")
    _, second = _add(app, world.schools["B"], "kent fire and  rescue")
    _, outsider = _add(app, world.schools["D"], "Kent Fire and Rescue")
    assert first == second != outsider
    # Through the quick log too: C logs an encounter with the name A knows.
    client = _client(app, "staffC")
    response = client.post("/encounters/new", data={
        "title": "Fire safety talk", "kind": "employer_talk",
        "date": today_london().isoformat(), "organisation": "Kent Fire and Rescue",
        "meaningful": "y", "pupil_ids": [str(world.pupils["C"])], "submission_key": "k1"})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with app.app_context():
        assert db.session.scalar(select(Organisation.directory_id).where(
            Organisation.school_id == world.schools["C"])) == first
    page = client.get("/organisations").get_data(as_text=True)
    assert page.count("Kent Fire and Rescue") == 1 and "School A: 0" in page


def test_each_schools_notes_stay_its_own(app, world):
    _, directory_id = _add(app, world.schools["A"], "Dover Port", notes="A's secret contact")
    _add(app, world.schools["B"], "Dover Port", notes="B's own note")
    body = _client(app, "staffB").get(f"/organisations/{directory_id}").get_data(as_text=True)
    assert "B&#39;s own note" in body and "secret contact" not in body
    client = _client(app, "staffA")
    response = client.post(f"/organisations/{directory_id}/notes", data={"notes": "New A note"})
    assert response.status_code == 303
    assert "New A note" not in _client(app, "staffB").get(
        f"/organisations/{directory_id}").get_data(as_text=True)
    # A school with no row of its own has no notes to edit, and an outsider sees nothing.
    assert _client(app, "staffC").get(f"/organisations/{directory_id}/notes").status_code == 404
    assert _client(app, "staffD").get(f"/organisations/{directory_id}").status_code == 404


def test_near_duplicates_are_offered_never_merged_silently(app, world):
    _, keep = _add(app, world.schools["A"], "NHS Kent", encounters=2)
    b_row, drop = _add(app, world.schools["B"], "N.H.S. Kent", encounters=3)
    assert keep != drop
    lead_b = _client(app, "leadB")
    page = lead_b.get("/organisations/merge").get_data(as_text=True)
    assert "NHS Kent" in page and "N.H.S. Kent" in page
    assert _client(app, "staffB").get("/organisations/merge").status_code == 403
    assert _client(app, "leadD").get(f"/organisations/merge/{keep}/{drop}").status_code == 404
    # Confirming is a separate POST; GET and HEAD change nothing.
    lead_b.get(f"/organisations/merge/{keep}/{drop}")
    lead_b.head(f"/organisations/merge/{keep}/{drop}")
    with app.app_context():
        assert db.session.get(Organisation, b_row).directory_id == drop
    assert lead_b.post(f"/organisations/merge/{keep}/{drop}").status_code == 303
    with app.app_context():
        assert db.session.get(Organisation, b_row).directory_id == keep
        assert db.session.get(DirectoryOrganisation, drop) is None
        assert db.session.scalar(select(func.count()).select_from(Encounter).where(
            Encounter.organisation_id == b_row)) == 3


def test_merging_own_duplicates_repoints_the_schools_encounters(app, world):
    keep_row, keep = _add(app, world.schools["A"], "NHS Kent", encounters=1)
    drop_row, drop = _add(app, world.schools["A"], "N.H.S. Kent", notes="Ring Sam",
                          encounters=2)
    other_row, _ = _add(app, world.schools["B"], "N.H.S. Kent", encounters=1)
    assert _client(app, "leadA").post(f"/organisations/merge/{keep}/{drop}").status_code == 303
    with app.app_context():
        assert db.session.get(Organisation, drop_row) is None
        assert "Ring Sam" in db.session.get(Organisation, keep_row).private_notes
        assert db.session.scalar(select(func.count()).select_from(Encounter).where(
            Encounter.organisation_id == keep_row)) == 3
        # School B's row is untouched: its own careers leader decides.
        assert db.session.get(Organisation, other_row).directory_id == drop
        assert db.session.get(DirectoryOrganisation, drop) is not None


def test_the_shared_details_are_edited_by_careers_leaders(app, world):
    _, directory_id = _add(app, world.schools["A"], "Canterbury College")
    _add(app, world.schools["B"], "Canterbury College")
    data = {"name": "Canterbury College", "kind": "fe_college", "sector": "Education",
            "website": "https://example.org", "contact_name": "Sam Smith",
            "contact_email": "sam@example.org", "contact_phone": "01227 000000"}
    assert _client(app, "staffA").post(f"/organisations/{directory_id}/edit",
                                       data=data).status_code == 403
    assert _client(app, "leadA").post(f"/organisations/{directory_id}/edit",
                                      data={**data, "website": "javascript:alert(1)"}).status_code == 422
    assert _client(app, "leadA").post(f"/organisations/{directory_id}/edit",
                                      data=data).status_code == 303
    body = _client(app, "staffB").get(f"/organisations/{directory_id}").get_data(as_text=True)
    assert "Sam Smith" in body and "Education" in body


def test_the_list_shows_own_counts_and_other_schools_as_numbers(app, world, count_statements):
    for n in range(5):
        _add(app, world.schools["A"], f"Employer {n}", encounters=1)
        _add(app, world.schools["B"], f"Employer {n}", encounters=2)
    client = _client(app, "staffA")
    with count_statements() as counted:
        body = client.get("/organisations").get_data(as_text=True)
    assert "School B: 2" in body
    assert len(counted) < 25

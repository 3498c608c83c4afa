"""The import's new steps through the client: values, dates on the confirmation, the 10%
second confirmation, the history and undo; full pages, htmx fragments, refused roles."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from careers_app.domain.mis_plan import suggest_leaving_date
from careers_app.domain.mis_values import parse_mis_date
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import AuditLog, Pupil, Role
from careers_app.models.roster import ImportBatch, ImportValueMapping

HEAD = "UPN,Surname,Forename,Year,Registration Form,SEN,PP"
ROWS = ["J886432110001,Able,Ann,10,10A,SEN Support - K,Y",
        "Y886432110002,Baker,Ben,10,10B,None recorded,N",
        "M886432110003,Cole,Cat,11,11A,N,PP Eligible"]


def _csv(rows=ROWS, head=HEAD) -> bytes:
    return ("\n".join([head, *rows]) + "\n").encode()


def _upload(client, data: bytes):
    response = client.post("/pupils/import", data={"file": (io.BytesIO(data), "export.csv")},
                           content_type="multipart/form-data")
    token = response.headers["Location"].split("/pupils/import/")[1].split("/")[0]
    return response, token


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_unknown_values_get_a_matching_step_remembered_per_school(app, client, lead,
                                                                  make_school, make_user):
    client.login("lead")
    response, token = _upload(client, _csv())
    assert response.headers["Location"].endswith(f"/pupils/import/{token}/values")
    assert client.get(f"/pupils/import/{token}").headers["Location"].endswith("/values")
    page = client.get(f"/pupils/import/{token}/values")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "SEN status “None recorded” means" in html and "Pupil Premium “PP Eligible” means" in html
    fragment = client.get(f"/pupils/import/{token}/values", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    refused = client.post(f"/pupils/import/{token}/values", data={"val_0": "K"}, htmx=True)
    assert refused.status_code == 422 and "Say what Pupil Premium" in refused.get_data(as_text=True)
    assert _count(app, ImportValueMapping) == 0
    ok = client.post(f"/pupils/import/{token}/values", data={"val_0": "N", "val_1": "Y"})
    assert ok.status_code == 303 and ok.headers["Location"].endswith(f"/pupils/import/{token}")
    assert "<dt>New pupils</dt><dd>3</dd>" in client.get(ok.headers["Location"]).get_data(
        as_text=True)
    # Next time, the same values need no question; another school still gets asked.
    again, _token = _upload(client, _csv())
    assert again.headers["Location"].endswith(_token)
    other = make_school()
    make_user("otherlead", role=Role.ADMIN, school_id=other.id)
    client.post("/logout")
    client.login("otherlead")
    assert _upload(client, _csv())[0].headers["Location"].endswith("/values")


def _import_roll(client, count=3):
    _r, token = _upload(client, _csv(ROWS[:count], head="UPN,Surname,Forename,Year"))
    assert client.post(f"/pupils/import/{token}/confirm").status_code == 303
    return token


def test_the_confirmation_asks_for_the_leavers_last_day_and_a_second_yes(app, client, lead):
    client.login("lead")
    _import_roll(client)
    _r, token = _upload(client, _csv(ROWS[:1], head="UPN,Surname,Forename,Year"))
    html = client.get(f"/pupils/import/{token}").get_data(as_text=True)
    suggested = suggest_leaving_date(today_london())
    assert "2 pupils will become leavers: 67% of the roll of 3" in html
    assert f'name="leaving_date" type="date" value="{suggested.isoformat()}"' in html
    assert "That is more than 10% of the roll" in html and 'name="confirm_large"' in html
    data = {"mark_leavers": "y", "leaving_date": suggested.isoformat()}
    refused = client.post(f"/pupils/import/{token}/confirm", data=data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "2 pupils (67% of the roll) would become leavers" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Pupil).where(
            Pupil.left_on.is_not(None))) == 0
    fragment = client.post(f"/pupils/import/{token}/confirm", data=data, htmx=True)
    assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    done = client.post(f"/pupils/import/{token}/confirm", data={**data, "confirm_large": "y"})
    assert done.status_code == 303
    with app.app_context():
        left = db.session.scalars(select(Pupil.left_on).where(Pupil.left_on.is_not(None))).all()
    assert left == [suggested, suggested]


def test_a_first_import_asks_from_when_pupils_were_on_roll(app, client, lead):
    client.login("lead")
    _r, token = _upload(client, _csv(ROWS, head="UPN,Surname,Forename,Year"))
    html = client.get(f"/pupils/import/{token}").get_data(as_text=True)
    assert "When were these pupils on roll from?" in html
    tomorrow = (today_london() + timedelta(days=1)).isoformat()
    bad = client.post(f"/pupils/import/{token}/confirm", data={"on_roll_from": tomorrow})
    assert bad.status_code == 422 and "cannot be after today" in bad.get_data(as_text=True)
    assert _count(app, Pupil) == 0
    client.post(f"/pupils/import/{token}/confirm", data={"on_roll_from": "2024-09-02"})
    with app.app_context():
        assert set(db.session.scalars(select(Pupil.joined_on))) == {date(2024, 9, 2)}


def test_history_and_undo_through_the_client(app, client, lead):
    client.login("lead")
    token = _import_roll(client)
    done = client.get(f"/pupils/import/{token}/done").get_data(as_text=True)
    assert "Undo this import" in done
    page = client.get("/pupils/import/history")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    fragment = client.get("/pupils/import/history", htmx=True).get_data(as_text=True)
    assert 'id="import-history"' in fragment and "<html" not in fragment
    assert f"/pupils/import/{token}/undo" in fragment
    confirm = client.get(f"/pupils/import/{token}/undo")
    assert confirm.status_code == 200 and "removes the 3 pupils it added" in confirm.get_data(
        as_text=True)
    assert 'id="undo"' in client.get(f"/pupils/import/{token}/undo", htmx=True).get_data(
        as_text=True)
    assert client.post(f"/pupils/import/{token}/undo", csrf=False).status_code == 400
    assert _count(app, Pupil) == 3
    undone = client.post(f"/pupils/import/{token}/undo", htmx=True)
    assert undone.status_code == 204 and undone.headers["HX-Redirect"].endswith("/history")
    assert _count(app, Pupil) == 0
    again = client.post(f"/pupils/import/{token}/undo")
    assert again.status_code == 422 and "already been undone" in again.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action)).all()
    assert actions.count("undo_import_pupils") == 1
    assert "Undone" in client.get("/pupils/import/history").get_data(as_text=True)


@pytest.mark.parametrize("who, status", [("tutor", 403), ("pupil", 404)])
def test_non_admins_cannot_see_history_match_values_or_undo(app, client, lead, tutor,
                                                            pupil_user, who, status):
    client.login("lead")
    token = _import_roll(client)
    _r, pending = _upload(client, _csv())
    client.post("/logout")
    client.login(who)
    for url in ("/pupils/import/history", f"/pupils/import/{token}/undo",
                f"/pupils/import/{pending}/values"):
        assert client.get(url).status_code == status, url
        assert client.get(url, htmx=True).status_code == status, url
    assert client.post(f"/pupils/import/{token}/undo").status_code == status
    assert client.post(f"/pupils/import/{pending}/values", data={"val_0": "N"}).status_code == status
    assert _count(app, ImportValueMapping) == 0
    with app.app_context():
        assert db.session.scalar(select(ImportBatch.undone_at).where(
            ImportBatch.token == token)) is None


# Date parsing, as a property ----------------------------------------------------------------

DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(day=DATES, separator=st.sampled_from("/-."), pad=st.booleans(),
       clock=st.sampled_from(["", " 00:00", " 00:00:00", "T00:00:00"]))
def test_dd_mm_yyyy_and_iso_dates_read_back_the_same_day(day, separator, pad, clock):
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
    assert parse_mis_date(f"{d}{separator}{m}{separator}{day.year}{clock}") == (day, None)
    assert parse_mis_date(f" {day.isoformat()}{clock} ") == (day, None)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_any_text_is_a_date_or_a_reason_never_an_exception(text):
    day, problem = parse_mis_date(text)
    assert (day is None) != (problem is None) or (not text.strip() and day is None
                                                  and problem is None)
    if day is not None:
        assert date(2000, 1, 1) <= day <= date(2100, 12, 31)


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)))
def test_dates_outside_the_range_are_refused(day):
    value, problem = parse_mis_date(day.strftime("%d/%m/%Y"))
    assert value is None and "from 2000 onwards" in problem

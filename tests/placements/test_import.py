"""Importing the school's placement spreadsheet: preview, row errors, all or nothing."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from careers_app.extensions import db
from careers_app.models import Organisation
from careers_app.models.placement import Placement


@pytest.fixture
def roll(make_pupil):
    return {"zoe": make_pupil(year=10, tutor_group="10A", legal_forename="Zoë", surname="Baker"),
            "sam": make_pupil(year=10, tutor_group="10A", legal_forename="Sam", surname="Khan")}


def upload(client, text: str | bytes, filename: str = "wex.csv", **fields):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post("/placements/import", data={
        "file": (io.BytesIO(data), filename), **fields}, content_type="multipart/form-data")


def hidden(body: str, name: str) -> str:
    import html
    start = body.index(f'name="{name}"')
    tag = body[body.rindex("<", 0, start):body.index(">", start)]
    return html.unescape(tag.split('value="')[1].split('"')[0]) if 'value="' in tag else ""


def placements(app) -> list[tuple]:
    with app.app_context():
        return [(p.pupil_id, p.organisation.name if p.organisation else None, p.start_on,
                 p.end_on, p.status, p.contact_email) for p in db.session.scalars(
            select(Placement).order_by(Placement.pupil_id))]


def test_preview_then_import_every_row(app, client, lead, roll):
    client.login("lead")
    sheet = (f"UPN,Name,Employer,Dates,Contact\n"
             f"{roll['zoe'].upn},,Acme Ltd,6-10 July 2026,\"Ann Lee, ann@acme.co.uk\"\n"
             f",Sam Khan,Harbour Bank,6-10 July 2026,\n")
    preview = upload(client, sheet)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Preview: 2 new placements" in body and "Zoë Baker" in body
    assert placements(app) == []  # nothing written by the preview
    confirm = client.post("/placements/import", data={
        "csv_text": hidden(body, "csv_text"), "week": "", "confirm": "yes"})
    assert confirm.status_code == 303
    assert placements(app) == [
        (roll["zoe"].id, "Acme Ltd", date(2026, 7, 6), date(2026, 7, 10), "arranged",
         "ann@acme.co.uk"),
        (roll["sam"].id, "Harbour Bank", date(2026, 7, 6), date(2026, 7, 10), "arranged", "")]


def test_an_excel_file(app, client, lead, roll):
    from datetime import datetime

    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["Forename", "Surname", "Company", "Start date", "End date"])
    book.active.append(["Sam", "Khan", "Acme Ltd", datetime(2026, 7, 6), datetime(2026, 7, 8)])
    data = io.BytesIO()
    book.save(data)
    client.login("lead")
    preview = upload(client, data.getvalue(), "wex.xlsx")
    assert preview.status_code == 200
    assert "6 Jul 2026 to 8 Jul 2026" in preview.get_data(as_text=True)


def test_one_bad_row_and_nothing_is_imported(app, client, lead, roll):
    client.login("lead")
    sheet = (f"UPN,Employer,Dates\n{roll['zoe'].upn},Acme Ltd,6-10 July 2026\n"
             f"A999999999999,Harbour Bank,6-10 July 2026\n{roll['sam'].upn},Bank,July\n")
    preview = upload(client, sheet)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "Line 3: No pupil on roll has the UPN A999999999999" in body
    assert "Line 4:" in body and "is not a day" in body
    assert 'name="confirm"' not in body  # no button to import it
    # Posting the text as if confirmed is checked again, and refused whole.
    forced = client.post("/placements/import", data={"csv_text": sheet, "confirm": "yes",
                                                     "week": ""})
    assert forced.status_code == 422
    assert placements(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_into_a_planned_week_updates_its_placements(app, client, lead, roll, make_week,
                                                   make_placement):
    week = make_week()
    make_placement(roll["zoe"], week=week, start=week.start_on, end=week.end_on)
    client.login("lead")
    sheet = f"UPN,Employer,Contact\n{roll['zoe'].upn},Acme Ltd,ann@acme.co.uk\n"
    preview = upload(client, sheet, week=str(week.id))
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Updates their placement in the week" in body
    confirm = client.post("/placements/import", data={
        "csv_text": hidden(body, "csv_text"), "week": str(week.id), "confirm": "yes"})
    assert confirm.status_code == 303
    assert confirm.headers["Location"] == f"/placements/weeks/{week.id}"
    rows = placements(app)
    assert rows == [(roll["zoe"].id, "Acme Ltd", week.start_on, week.end_on, "arranged",
                     "ann@acme.co.uk")]


def test_confirm_checks_the_roll_again(app, client, lead, roll):
    client.login("lead")
    sheet = f"UPN,Employer,Dates\n{roll['zoe'].upn},Acme Ltd,6-10 July 2026\n"
    body = upload(client, sheet).get_data(as_text=True)
    with app.app_context():  # meanwhile someone records the same placement
        db.session.add(Placement(school_id=roll["zoe"].school_id, pupil_id=roll["zoe"].id,
                         start_on=date(2026, 7, 6), end_on=date(2026, 7, 10), school_days=5,
                         status="seeking", status_since=date(2026, 7, 1)))
        db.session.commit()
    confirm = client.post("/placements/import", data={
        "csv_text": hidden(body, "csv_text"), "week": "", "confirm": "yes"})
    assert confirm.status_code == 422
    assert "already has a placement" in confirm.get_data(as_text=True)
    assert len(placements(app)) == 1


@pytest.mark.parametrize("data, filename, message", [
    (b"", "wex.csv", "The file is empty."),
    (b"Name,Dates\nZo,6 July 2026\n", "wex.csv", "needs an “Employer” column"),
    (b"\x00\x01binary", "wex.csv", "not a CSV or Excel file"),
    (b"PK\x03\x04broken", "wex.xlsx", "cannot be read"),
])
def test_files_that_cannot_be_imported(app, client, lead, roll, data, filename, message):
    client.login("lead")
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_no_file_at_all(app, client, lead, roll):
    client.login("lead")
    response = client.post("/placements/import", data={"week": ""})
    assert response.status_code == 422
    assert "Choose a CSV or Excel file." in response.get_data(as_text=True)


def test_a_week_that_is_not_the_schools(app, client, lead, roll):
    client.login("lead")
    response = upload(client, "UPN,Employer,Dates\n", week="999")
    assert response.status_code == 422
    assert "no longer exists" in response.get_data(as_text=True)

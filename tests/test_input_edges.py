"""Bad input at the edges: a 400 or 422 with a message, never a 500, and nothing written.

Each case here gave a 500 once (some only on PostgreSQL): Unicode digits that pass
`str.isdigit()` but not `int()`, NUL bytes, a leaving date of 9999-12-31, a UTF-16 upload with
an odd number of bytes, NaN as a cost, a pupil whose names fill their columns, a UPN written
in Arabic-Indic digits.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from careers_app.domain.upn import make_upn
from careers_app.extensions import db
from careers_app.models import AuditLog, Encounter, Pupil, Role, User
from careers_app.models.plans import ActionPlan, PlanItem
from careers_app.models.roster import ImportBatch

from tests.helpers import PASSWORD

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _message(response) -> str:
    return response.get_data(as_text=True)


# Unicode digits ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["²", "٣", "１", "-1", "0", "99999999999999999999"])
def test_pupil_ids_that_are_not_ids_are_a_400(app, client, tutor, make_pupil, bad):
    pupil = make_pupil(year=10, tutor_group="10A")
    client.login("tutor")
    response = client.post("/encounters/new", data={
        "kind": "employer_talk", "title": "NHS talk", "date": date.today().isoformat(),
        "group": "tg:10A", "meaningful": "y", "pupil_ids": [str(pupil.id), bad]})
    assert response.status_code == 400
    assert "not a valid" in _message(response)
    assert count(app, Encounter) == 0


@pytest.mark.parametrize("url", ["/encounters/new?pupil=²", "/encounters/new?pupil=٣"])
def test_report_links_with_unicode_digits_are_a_400(client, tutor, url):
    client.login("tutor")
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("group", ["yg:²", "yg:٩", "yg:１０"])
def test_group_keys_with_unicode_digits_are_no_group(app, client, lead, make_pupil, group):
    make_pupil(year=10, tutor_group="10A")
    client.login("lead")
    checklist = client.get(f"/encounters/pupil-checklist?group={group}", htmx=True)
    assert checklist.status_code == 200
    assert "Choose a tutor group or year group" in _message(checklist)
    logins = client.post("/pupils/logins", data={"group": group})
    assert logins.status_code == 422 and "Choose a tutor group or year group." in _message(logins)
    assert count(app, User) == 1


def test_a_tutor_group_with_a_superscript_digit_does_not_break_the_group_list(client, tutor,
                                                                              make_pupil):
    make_pupil(year=10, tutor_group="10²")
    client.login("tutor")
    page = client.get("/encounters/new")
    assert page.status_code == 200 and "Tutor group 10²" in _message(page)


@pytest.mark.parametrize("spelling", ["arabic", "huge", "fullwidth"])
def test_ids_in_the_path_are_ascii_digits_in_range(client, tutor, make_pupil, spelling):
    pupil = make_pupil()
    client.login("tutor")
    assert client.get(f"/pupils/{pupil.id}").status_code == 200
    path = {"arabic": str(pupil.id).translate(ARABIC_INDIC),
            "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in str(pupil.id)),
            "huge": "9" * 30}[spelling]
    assert client.get(f"/pupils/{path}").status_code == 404


def _edit(pupil, **overrides):
    data = dict(legal_forename=pupil.legal_forename, preferred_forename="",
                surname=pupil.surname, upn=pupil.upn, year_group="10", tutor_group="10A",
                send_status="N", left_on="")
    data.update(overrides)
    return data


def test_a_upn_in_arabic_indic_digits_is_refused_and_the_export_still_works(app, client, lead,
                                                                             make_pupil):
    pupil = make_pupil(year=10)
    client.login("lead")
    foreign = make_upn(886, 4321, 24, 77).translate(ARABIC_INDIC)
    response = client.post(f"/pupils/{pupil.id}/edit", data=_edit(pupil, upn=foreign))
    assert response.status_code == 422
    assert "11 digits" in _message(response)
    with app.app_context():
        assert db.session.get(Pupil, pupil.id).upn == pupil.upn
    export = client.get(f"/pupils/{pupil.id}/export")
    assert export.status_code == 200 and pupil.upn in export.headers["Content-Disposition"]


def test_an_import_row_with_a_non_ascii_upn_is_a_row_error(app, client, lead):
    client.login("lead")
    upn = make_upn(886, 4321, 24, 78).translate(ARABIC_INDIC)
    data = f"UPN,Surname,Forename,Year\n{upn},Able,Ana,10\n".encode()
    response = client.post("/pupils/import", data={"file": (io.BytesIO(data), "x.csv")},
                           content_type="multipart/form-data")
    preview = client.get(response.headers["Location"])
    assert "11 digits" in _message(preview)
    assert count(app, Pupil) == 0


# NUL bytes -----------------------------------------------------------------------------------

def test_a_nul_in_the_login_form_is_a_400(app, client, tutor):
    client.get("/login")
    response = client.post("/login", data={"username": "tu\x00tor", "password": PASSWORD})
    assert response.status_code == 400 and "NUL" in _message(response)
    response = client.post("/login", data={"username": "tutor", "password": "pass\x00word"})
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/pupils/?q=a%00b", "/encounters/?q=%00",
                                 "/encounters/organisations?organisation=%00",
                                 "/pupils/import/abc%00def", "/destinations?leaving_year=%00"])
def test_a_nul_in_a_search_or_path_is_a_400(client, lead, url):
    client.login("lead")
    for htmx in (False, True):
        assert client.get(url, htmx=htmx).status_code == 400, url


def test_a_nul_in_a_title_is_a_400_and_nothing_is_written(app, client, tutor, make_pupil):
    pupil = make_pupil(year=10, tutor_group="10A")
    client.login("tutor")
    response = client.post("/encounters/new", data={
        "kind": "employer_talk", "title": "NHS\x00talk", "date": date.today().isoformat(),
        "group": "tg:10A", "meaningful": "y", "pupil_ids": [str(pupil.id)]})
    assert response.status_code == 400
    assert count(app, Encounter) == 0


def test_other_control_characters_in_text_are_a_422_with_a_message(app, client, lead):
    client.login("lead")
    response = client.post("/plans/new", data={"title": "Plan\x1bone", "period": ""})
    assert response.status_code == 422
    assert "control character" in _message(response)
    assert count(app, ActionPlan) == 0


def test_text_is_stored_nfc_normalised(app, client, lead):
    client.login("lead")
    decomposed = "Cafe\u0301 careers"
    response = client.post("/plans/new", data={"title": decomposed, "period": ""})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ActionPlan.title)) == "Café careers"


# Dates ---------------------------------------------------------------------------------------

def test_a_leaving_date_of_9999_is_refused_and_destinations_still_work(app, client, lead,
                                                                     make_pupil):
    pupil = make_pupil(year=10)
    client.login("lead")
    response = client.post(f"/pupils/{pupil.id}/edit", data=_edit(pupil, left_on="9999-12-31"))
    assert response.status_code == 422 and "no later than 2100" in _message(response)
    with app.app_context():
        assert db.session.get(Pupil, pupil.id).left_on is None
    assert client.get("/destinations").status_code == 200


def test_destinations_survive_a_stored_far_future_leaving_date(app, client, tutor, make_pupil):
    make_pupil(year=12, left_on=date(9999, 12, 31))  # written before dates were checked
    make_pupil(year=12, left_on=date(2025, 7, 18))
    client.login("tutor")
    response = client.get("/destinations")
    assert response.status_code == 200 and "2024/25" in _message(response)


def test_an_event_in_year_9999_is_refused(app, client, lead):
    client.login("lead")
    response = client.post("/plans/events/new", data={
        "title": "Fair", "kind": "careers_fair", "date": "9999-12-31", "start_time": "09:00",
        "end_time": "10:00"})
    assert response.status_code == 422 and "no later than 2100" in _message(response)
    assert count(app, Encounter) == 0


def test_a_milestone_before_2000_is_refused(app, client, lead):
    client.login("lead")
    client.post("/plans/new", data={"title": "P", "period": ""})
    with app.app_context():
        plan = db.session.scalar(select(ActionPlan))
        item = PlanItem(school_id=plan.school_id, plan_id=plan.id, benchmark=5)
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    response = client.post(f"/plans/items/{item_id}/milestones/new",
                           data={"title": "Milestone", "date": "1999-12-31"})
    assert response.status_code == 422 and "Enter a date from 2000 onwards." in _message(response)


def test_filter_dates_out_of_range_are_a_400(client, tutor):
    client.login("tutor")
    assert client.get("/encounters/?date_from=0001-01-01").status_code == 400
    assert client.get("/encounters/?date_to=9999-12-31").status_code == 400
    assert client.get("/encounters/?date_from=2025-09-01").status_code == 200


# Uploads and money -----------------------------------------------------------------------------

ODD_UTF16 = b"\xff\xfeU\x00P\x00N\x00,\x00S\x00Y"  # a byte-order mark, then 11 bytes


def test_a_utf16_roster_with_an_odd_byte_count_is_a_422(app, client, lead):
    client.login("lead")
    response = client.post("/pupils/import", data={"file": (io.BytesIO(ODD_UTF16), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "cannot be read" in _message(response)
    assert count(app, ImportBatch) == 0


def test_a_utf16_plan_with_an_odd_byte_count_is_a_422(app, client, lead):
    client.login("lead")
    response = client.post("/plans/import", data={
        "title": "Imported", "file": (io.BytesIO(ODD_UTF16), "plan.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "cannot be read" in _message(response)
    assert count(app, ActionPlan) == 0


def test_a_nul_inside_a_roster_file_is_a_422(app, client, lead):
    client.login("lead")
    data = b"UPN,Surname,Forename,Year\n" + b"A,B,C,10\n" * 600 + b"X\x00Y,B,C,10\n"
    response = client.post("/pupils/import", data={"file": (io.BytesIO(data), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "not a CSV file" in _message(response)
    assert count(app, ImportBatch) == 0


@pytest.mark.parametrize("cost", ["NaN", "sNaN", "-NaN", "Infinity", "1e3", "٣٠", "-5",
                                  "10000000"])
def test_a_cost_that_is_not_an_amount_is_a_422(app, client, lead, cost):
    client.login("lead")
    client.post("/plans/new", data={"title": "P", "period": ""})
    with app.app_context():
        plan_id = db.session.scalar(select(ActionPlan.id))
    response = client.post(f"/plans/{plan_id}/items/new", data={
        "benchmark": "5", "aim": "Employers", "lead_user_id": "0", "cost": cost})
    assert response.status_code == 422
    assert "Enter an amount in pounds" in _message(response)
    assert count(app, PlanItem) == 0


@pytest.mark.parametrize("cost", ["NaN", "sNaN"])
def test_a_nan_cost_in_a_plan_csv_is_a_row_error(app, client, lead, cost):
    client.login("lead")
    data = f"Aim/Benchmark,Lead,Actions,Cost\n5. Employers,Ms Lead,Talks,{cost}\n".encode()
    response = client.post("/plans/import", data={
        "title": "Imported", "file": (io.BytesIO(data), "plan.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "Enter an amount in pounds" in _message(response)
    assert count(app, ActionPlan) == 0


# Long names ----------------------------------------------------------------------------------

def test_pupils_whose_names_fill_their_columns_get_logins(app, client, lead, make_pupil):
    long_one = make_pupil(year=10, tutor_group="10L", legal_forename="A" * 100,
                          surname="B" * 100)
    other = make_pupil(year=10, tutor_group="10L", legal_forename="Cat", surname="Cole")
    client.login("lead")
    sheet = client.post("/pupils/logins", data={"group": "tg:10L"})
    assert sheet.status_code == 200 and "Print this page now" in _message(sheet)
    with app.app_context():
        users = {u.pupil_id: u for u in db.session.scalars(
            select(User).where(User.role == Role.PUPIL))}
    assert set(users) == {long_one.id, other.id}
    assert users[long_one.id].display_name == "A" * 100 + " " + "B" * 100


# The guard answers for every route -----------------------------------------------------------

def test_nothing_is_audited_for_a_refused_nul_request(app, client, lead):
    client.login("lead")
    before = count(app, AuditLog)
    assert client.post("/plans/new", data={"title": "\x00"}).status_code == 400
    assert count(app, AuditLog) == before


def test_an_organisation_with_a_non_ascii_capital_is_found_not_duplicated(app, client, tutor,
                                                                          make_pupil,
                                                                          make_organisation):
    # Found by the fuzzer: SQLite's lower() leaves "Â" alone, so the lookup missed the
    # existing row and the insert broke the unique name (a 500).
    existing = make_organisation("Âge Concern")
    pupil = make_pupil(year=10, tutor_group="10A")
    client.login("tutor")
    response = client.post("/encounters/new", data={
        "kind": "employer_talk", "title": "Talk", "date": date.today().isoformat(),
        "organisation": "Âge  Concern", "group": "tg:10A", "meaningful": "y",
        "pupil_ids": [str(pupil.id)]})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Encounter.organisation_id)) == existing.id

"""/pupils/import: upload, column mapping, preview, all-or-nothing commit, leavers."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from careers_app.domain.academic import academic_year_of, cohort_for
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Pupil, Role
from careers_app.models.roster import ImportBatch, ImportMapping

from tests.roster.mis_files import FIXTURE_PUPILS, MIS_FILES, fixture_bytes


def _pupils(app) -> dict[str, Pupil]:
    with app.app_context():
        pupils = {p.upn: p for p in db.session.scalars(select(Pupil))}
        db.session.expunge_all()
        return pupils


LEFT_ON = date(2025, 7, 18)


def _confirm(client, token, mark_leavers=False, leaving_date=LEFT_ON, confirm_large=True,
             **kwargs):
    data = {}
    if mark_leavers:
        data = {"mark_leavers": "y", "leaving_date": leaving_date.isoformat()}
        if confirm_large:
            data["confirm_large"] = "y"
    return client.post(f"/pupils/import/{token}/confirm", data=data, **kwargs)


@pytest.mark.parametrize("name", MIS_FILES)
def test_each_mis_file_previews_then_imports(app, client, lead, upload, name):
    client.login("lead")
    response, token = upload(name)
    assert response.status_code == 303 and token
    assert response.headers["Location"].endswith(f"/pupils/import/{token}")
    preview = client.get(f"/pupils/import/{token}")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<dt>New pupils</dt><dd>5</dd>" in html
    assert "Nothing has been saved yet" in html
    assert _pupils(app) == {}  # the preview wrote nothing

    done = _confirm(client, token)
    assert done.status_code == 303 and done.headers["Location"].endswith("/done")
    pupils = _pupils(app)
    assert set(pupils) == set(FIXTURE_PUPILS)
    year = academic_year_of(today_london())
    for upn, expected in FIXTURE_PUPILS.items():
        pupil = pupils[upn]
        assert pupil.surname == expected["surname"]
        assert pupil.legal_forename == expected["legal_forename"]
        assert pupil.cohort == cohort_for(expected["year"], year)
        assert (pupil.send_status, pupil.disadvantaged, pupil.looked_after) == (
            expected["send_status"], expected["disadvantaged"], expected["looked_after"])
    result = client.get(f"/pupils/import/{token}/done").get_data(as_text=True)
    assert "<dt>New pupils</dt><dd>5</dd>" in result


def test_reimporting_the_same_file_changes_nothing(app, client, lead, upload):
    client.login("lead")
    _confirm(client, upload("sims_utf8.csv")[1])
    before = {u: (p.id, p.surname, p.cohort, p.tutor_group, p.left_on)
              for u, p in _pupils(app).items()}
    _r, token = upload("arbor_utf8_bom.csv")  # the same pupils from another MIS
    html = client.get(f"/pupils/import/{token}").get_data(as_text=True)
    assert "<dt>New pupils</dt><dd>0</dd>" in html
    assert "<dt>Updated (matched by UPN)</dt><dd>0</dd>" in html
    assert "<dt>Unchanged</dt><dd>5</dd>" in html
    _confirm(client, token)
    after = {u: (p.id, p.surname, p.cohort, p.tutor_group, p.left_on)
             for u, p in _pupils(app).items()}
    assert after == before


def test_a_double_confirm_applies_once(app, client, lead, upload, make_pupil):
    client.login("lead")
    make_pupil(upn="E886432110006", surname="Gone")
    _r, token = upload("sims_utf8.csv")
    first = _confirm(client, token, mark_leavers=True)
    second = _confirm(client, token, mark_leavers=True)
    assert first.status_code == second.status_code == 303
    assert "already been imported" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert len(_pupils(app)) == 6
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert batch.result == {"new": 5, "updated": 0, "unchanged": 0, "leavers": 1}
        assert batch.rows == []  # the cells are dropped once applied
        from careers_app.models import AuditLog
        entries = db.session.scalars(select(AuditLog).filter_by(action="import_pupils")).all()
        assert [e.detail for e in entries] == [
            "5 new, 0 updated, 0 unchanged, 1 marked as leavers (last day on roll 2025-07-18)"]
        assert entries[0].username == "lead"


def test_updates_are_matched_by_upn(app, client, lead, upload, make_pupil):
    client.login("lead")
    make_pupil(upn="J886432110001", surname="O’Brien", legal_forename="Zoë", year=9,
               tutor_group="9Z")
    _r, token = upload("sims_utf8.csv")
    html = client.get(f"/pupils/import/{token}").get_data(as_text=True)
    assert "<dt>Updated (matched by UPN)</dt><dd>1</dd>" in html
    assert "<dt>New pupils</dt><dd>4</dd>" in html
    assert "year group" in html and "tutor group" in html
    _confirm(client, token)
    pupil = _pupils(app)["J886432110001"]
    assert pupil.tutor_group == "10A"
    assert pupil.cohort == cohort_for(10, academic_year_of(today_london()))


def test_missing_pupils_become_leavers_only_after_confirmation(app, client, lead, upload,
                                                                make_pupil):
    client.login("lead")
    gone = make_pupil(upn="E886432110006", surname="Gone")
    _r, token = upload("sims_utf8.csv")
    html = client.get(f"/pupils/import/{token}").get_data(as_text=True)
    assert "<dt>Missing from the file (probable leavers)</dt><dd>1</dd>" in html
    assert "Gone" in html and 'name="mark_leavers"' in html
    _confirm(client, token)  # box not ticked
    assert _pupils(app)["E886432110006"].left_on is None

    _r, token = upload("sims_utf8.csv")
    _confirm(client, token, mark_leavers=True)
    assert _pupils(app)["E886432110006"].left_on == LEFT_ON
    assert gone.id == _pupils(app)["E886432110006"].id


def test_a_file_with_errors_commits_nothing(app, client, lead, upload, make_pupil):
    client.login("lead")
    make_pupil(upn="J886432110001", surname="Before", tutor_group="9Z")
    response, token = upload("broken.csv")
    # "X" and "Maybe" are values to match, not errors: that step comes first.
    assert response.status_code == 303 and response.headers["Location"].endswith("/values")
    values = client.post(f"/pupils/import/{token}/values", data={"val_0": "N", "val_1": "N"})
    assert values.status_code == 303
    preview = client.get(f"/pupils/import/{token}")
    html = preview.get_data(as_text=True)
    assert "<dt>Rows with errors</dt><dd>8</dd>" in html
    assert "8 errors: fix the file" in html
    assert "/confirm" not in html  # no import button while there are errors
    for line, reason in [(3, "The UPN is missing."), (4, "check letter is wrong"),
                         (5, "13 characters"), (6, "also on line 2"), (7, "Year 6 is outside"),
                         (8, "Year 14 is outside"), (9, "The surname is empty."),
                         (10, "The forename is empty.")]:
        assert f'<td class="num">{line}</td>' in html and reason in html, (line, reason)
    refused = _confirm(client, token, mark_leavers=True)
    assert refused.status_code == 422
    assert "fix the file" in refused.get_data(as_text=True)
    pupils = _pupils(app)
    assert list(pupils) == ["J886432110001"] and pupils["J886432110001"].surname == "Before"


@pytest.mark.parametrize("name, message", [
    ("headings_only.csv", "no pupils"), ("not_csv.csv", "not a CSV"),
])
def test_unreadable_files_are_refused_with_a_message(app, client, lead, upload, name, message):
    client.login("lead")
    response, token = upload(name)
    assert response.status_code == 422 and token is None
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_no_file_is_a_422(client, lead):
    client.login("lead")
    response = client.post("/pupils/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose the CSV file." in response.get_data(as_text=True)


def test_unrecognised_columns_go_to_the_mapping_screen_and_are_remembered(app, client, lead,
                                                                           upload):
    client.login("lead")
    response, token = upload("unknown_columns.csv")
    assert response.headers["Location"].endswith(f"/pupils/import/{token}/columns")
    page = client.get(f"/pupils/import/{token}/columns")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<label for="col_0">Column 1: “Pupil Ref”</label>' in html
    assert "For example: J886432110001" in html

    # Two columns marked as the same field: refused, nothing remembered.
    bad = client.post(f"/pupils/import/{token}/columns",
                      data={"col_0": "upn", "col_1": "upn", "col_2": "legal_forename",
                            "col_3": "year"})
    assert bad.status_code == 422
    assert "Two columns are marked as UPN" in bad.get_data(as_text=True)

    good = client.post(f"/pupils/import/{token}/columns",
                       data={"col_0": "upn", "col_1": "surname", "col_2": "legal_forename",
                             "col_3": "year", "col_4": "tutor_group", "col_5": ""})
    assert good.status_code == 303 and good.headers["Location"].endswith(f"/pupils/import/{token}")
    assert "<dt>New pupils</dt><dd>5</dd>" in client.get(good.headers["Location"]).get_data(
        as_text=True)
    with app.app_context():
        remembered = dict(db.session.execute(select(ImportMapping.header, ImportMapping.field)).all())
    assert remembered["pupil ref"] == "upn" and remembered["curriculum yr"] == "year"
    assert remembered["house"] == ""

    # Next time the same file needs no mapping.
    response, token = upload("unknown_columns.csv")
    assert response.headers["Location"].endswith(f"/pupils/import/{token}")


def test_mapping_form_htmx_fragment_and_redirect(client, lead, upload):
    client.login("lead")
    _r, token = upload("unknown_columns.csv")
    fragment = client.get(f"/pupils/import/{token}/columns", htmx=True)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith("<form")
    assert "<html" not in html
    invalid = client.post(f"/pupils/import/{token}/columns", data={"col_0": "upn"}, htmx=True)
    assert invalid.status_code == 422 and invalid.get_data(as_text=True).lstrip().startswith("<form")
    ok = client.post(f"/pupils/import/{token}/columns",
                     data={"col_0": "upn", "col_1": "surname", "col_2": "legal_forename",
                           "col_3": "year"}, htmx=True)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith(f"/pupils/import/{token}")


def test_import_pages_as_htmx_fragments(client, lead, upload):
    client.login("lead")
    page = client.get("/pupils/import", htmx=True)
    assert page.status_code == 200 and "<html" not in page.get_data(as_text=True)
    assert 'type="file"' in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]
    _r, token = upload("sims_utf8.csv")
    preview = client.get(f"/pupils/import/{token}", htmx=True).get_data(as_text=True)
    assert preview.lstrip().startswith('<div id="preview">') and "<html" not in preview
    confirmed = _confirm(client, token, htmx=True)
    assert confirmed.status_code == 204 and confirmed.headers["HX-Redirect"].endswith("/done")
    done = client.get(f"/pupils/import/{token}/done", htmx=True).get_data(as_text=True)
    assert 'id="import-result"' in done and "<html" not in done


def test_full_upload_page_has_a_labelled_file_input(client, lead):
    client.login("lead")
    html = client.get("/pupils/import").get_data(as_text=True)
    assert '<label for="file">MIS export (CSV file)</label>' in html
    assert "<html" in html


def test_applied_batch_pages_redirect_to_the_result(client, lead, upload):
    client.login("lead")
    _r, token = upload("sims_utf8.csv")
    _confirm(client, token)
    assert client.get(f"/pupils/import/{token}").headers["Location"].endswith("/done")
    assert client.get(f"/pupils/import/{token}/columns").headers["Location"].endswith("/done")


def test_done_page_before_confirming_goes_back_to_the_preview(client, lead, upload):
    client.login("lead")
    _r, token = upload("sims_utf8.csv")
    response = client.get(f"/pupils/import/{token}/done")
    assert response.status_code == 303 and response.headers["Location"].endswith(token)


# Permissions -------------------------------------------------------------------------------

@pytest.mark.parametrize("who, status", [("tutor", 403), ("pupil", 404)])
def test_only_admins_can_import(app, client, tutor, pupil_user, who, status):
    client.login(who)
    assert client.get("/pupils/import").status_code == status
    assert client.get("/pupils/import", htmx=True).status_code == status
    response = client.post("/pupils/import",
                           data={"file": (io.BytesIO(fixture_bytes("sims_utf8.csv")), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == status
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_another_schools_upload_is_not_found(app, client, lead, upload, make_school, make_user):
    client.login("lead")
    _r, token = upload("sims_utf8.csv")
    other = make_school()
    make_user("otherlead", role=Role.ADMIN, school_id=other.id)
    client.post("/logout")
    client.login("otherlead")
    assert client.get(f"/pupils/import/{token}").status_code == 404
    assert _confirm(client, token).status_code == 404
    assert _pupils(app) == {}


def test_confirm_without_csrf_writes_nothing(app, client, lead, upload):
    client.login("lead")
    _r, token = upload("sims_utf8.csv")
    response = client.post(f"/pupils/import/{token}/confirm", csrf=False)
    assert response.status_code == 400
    assert _pupils(app) == {}


def test_anonymous_is_sent_to_login(client):
    response = client.get("/pupils/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_old_uploads_are_deleted_on_the_next_upload(app, client, lead, upload):
    client.login("lead")
    _r, old_token = upload("sims_utf8.csv")
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        batch.created_at = batch.created_at.replace(year=2020)
        db.session.commit()
    upload("sims_utf8.csv")
    with app.app_context():
        tokens = db.session.scalars(select(ImportBatch.token)).all()
    assert old_token not in tokens and len(tokens) == 1


def test_a_returning_leaver_is_back_on_roll(app, client, lead, upload, make_pupil):
    client.login("lead")
    make_pupil(upn="J886432110001", surname="O’Brien", legal_forename="Zoë", year=10,
               tutor_group="10A", send_status="K", disadvantaged=True,
               left_on=date(2020, 7, 20))
    _r, token = upload("sims_utf8.csv")
    assert "back on roll" in client.get(f"/pupils/import/{token}").get_data(as_text=True)
    _confirm(client, token)
    assert _pupils(app)["J886432110001"].left_on is None

"""The MIS import's pages and special-category data: the preview (each pupil's SEND and flag
changes, by name) and the column page (sample cells of every column) are audited views of
special data; the value, done, history and undo pages show counts and MIS values, never a
pupil's; every one is for careers leaders only, and refused to tutors, pupils and other
schools without leaving a view entry."""
from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import select

from careers_app.extensions import db
from careers_app.models import AuditLog, Pupil, Role
from careers_app.models.roster import ImportBatch
from tests.privacy.test_privacy_imports import ANN, DAN, FIRST, NOVEMBER, _csv, _import
from tests.roster.mis_files import TOKEN_RE

SECOND = [f"{ANN},Abel,Ann,Year 10,10C,K,N", f"{DAN},Dee,Dan,Year 7,7A,E,Y"]


def _views(app) -> list[AuditLog]:
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "view_sensitive").order_by(AuditLog.id)).all()
        db.session.expunge_all()
    return entries


def _upload(client, data: bytes) -> str:
    response = client.post("/pupils/import", data={"file": (BytesIO(data), "export.csv")},
                           content_type="multipart/form-data")
    match = TOKEN_RE.search(response.headers.get("Location", ""))
    assert match, response.status_code
    return match.group(1)


@pytest.fixture
def pages(app, client, school, lead):
    """Tokens of each kind of import page: a pending preview, a file whose columns need
    matching, one with unknown values, and an applied (undoable) import."""
    with app.app_context():
        _import(school, FIRST, NOVEMBER)
        applied = db.session.scalar(select(ImportBatch.token))
    client.login("lead")
    tokens = {"preview": _upload(client, _csv(SECOND)),
              "columns": _upload(client, _csv(SECOND).replace(b"Legal Surname", b"Mystery")),
              "values": _upload(client, _csv([SECOND[0].replace(",K,", ",Perhaps,")])),
              "applied": applied}
    client.post("/logout")
    return tokens


AUDITED = [("preview", "/pupils/import/{preview}", True),
           ("preview fragment", "/pupils/import/{preview}", True),
           ("columns", "/pupils/import/{columns}/columns", True),
           ("values", "/pupils/import/{values}/values", False),
           ("done", "/pupils/import/{applied}/done", False),
           ("history", "/pupils/import/history", False),
           ("undo", "/pupils/import/{applied}/undo", False)]


@pytest.mark.parametrize("what,url,special", AUDITED, ids=[a[0] for a in AUDITED])
def test_import_pages_audit_what_shows_special_data(app, client, pages, what, url, special):
    client.login("lead")
    before = len(_views(app))
    response = client.get(url.format(**pages), htmx=what.endswith("fragment"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    entries = _views(app)
    assert len(entries) == before + (1 if special else 0), what
    if special:
        assert entries[-1].detail.startswith("roster.import_")
    else:  # nothing about a pupil on the page: no name, no UPN
        assert not any(word in text for word in ("Abel", "Able", "Dee", ANN, DAN)), what


def test_the_preview_shows_the_flag_changes_it_audits(client, pages):
    client.login("lead")
    text = client.get(f"/pupils/import/{pages['preview']}").get_data(as_text=True)
    assert "Abel" in text and ANN in text and "SEN" in text


REFUSED = [url for _what, url, _special in AUDITED] + [
    "/pupils/import", "/pupils/{pupil_id}/export"]


@pytest.mark.parametrize("who,status", [("tutor", 403), ("pupil", 404), ("other", 404)])
@pytest.mark.parametrize("url", REFUSED)
def test_import_pages_are_refused_without_a_trace_of_pupils(app, client, pages, make_school,
                                                            make_user, tutor, pupil_user, who,
                                                            status, url):
    other = make_school(name="Other Academy", slug="other")
    make_user("other", Role.ADMIN, school_id=other.id)
    with app.app_context():
        pupil_id = db.session.scalar(select(Pupil.id).where(Pupil.upn == ANN))
    if who == "other" and "{" not in url:
        pytest.skip("a page of no upload: the other school's own")
    client.login(who)
    before = len(_views(app))
    response = client.get(url.format(pupil_id=pupil_id, **pages))
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert "Able" not in text and "Abel" not in text and ANN not in text
    assert len(_views(app)) == before


def test_a_special_data_view_is_not_recorded_when_it_redirects(app, client, pages):
    """The preview of a file whose values still need matching answers with a redirect: it
    showed nothing, so no view is recorded."""
    client.login("lead")
    before = len(_views(app))
    response = client.get(f"/pupils/import/{pages['values']}")
    assert response.status_code in (302, 303)
    assert len(_views(app)) == before


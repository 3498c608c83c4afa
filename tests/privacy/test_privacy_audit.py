"""The privacy promises the README makes (issue 10, part 4): views of special-category data
are audited; erasure leaves no name in the audit log; the log is append-only in the
database; the subject-access export is complete; feed tokens never reach a log."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DatabaseError

from careers_app.extensions import db
from careers_app.models import AuditLog, LoginAttempt, Role


def _sensitive_views(app) -> list[AuditLog]:
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "view_sensitive")
                                     .order_by(AuditLog.id)).all()
        db.session.expunge_all()
    return entries


@pytest.fixture
def looked_after(app, make_pupil):
    return make_pupil(year=10, legal_forename="Cara", surname="Carey", looked_after=True,
                      send_status="E", disadvantaged=True)


# (what, url template, htmx): every page, fragment and CSV that shows a pupil's flags or picks
# pupils by one. Each must add exactly one view_sensitive entry.
SPECIAL_VIEWS = [
    ("drill-down, looked-after filter", "/reports/benchmarks/bm5_year/10?looked_after=yes", False),
    ("drill-down fragment", "/reports/benchmarks/bm5_year/10?looked_after=yes", True),
    ("drill-down without a filter", "/reports/benchmarks/bm5_year/10", False),
    ("drill-down CSV", "/reports/benchmarks/bm5_year/10.csv?looked_after=yes", False),
    ("PAL page", "/reports/pal", False),
    ("PAL CSV", "/reports/pal.csv", False),
    ("PAL fragment, SEND filter", "/reports/pal?send=E", True),
    ("dashboard, disadvantaged filter", "/reports/benchmarks?disadvantaged=yes", False),
    ("benchmark CSV, SEND filter", "/reports/benchmarks.csv?send=any", False),
    ("pupil list", "/pupils/", False),
    ("pupil list fragment, filter", "/pupils/?looked_after=y", True),
    ("pupil record", "/pupils/{id}", False),
    ("pupil edit form", "/pupils/{id}/edit", False),
]


@pytest.mark.parametrize("what,url,htmx", SPECIAL_VIEWS, ids=[v[0] for v in SPECIAL_VIEWS])
def test_every_view_of_special_data_is_audited(app, client, lead, looked_after, what, url, htmx):
    client.login("lead")
    before = len(_sensitive_views(app))
    response = client.get(url.format(id=looked_after.id), htmx=htmx)
    assert response.status_code == 200, response.status_code
    entries = _sensitive_views(app)
    assert len(entries) == before + 1, what
    entry = entries[-1]
    assert entry.user_id == lead.id and entry.school_id == lead.school_id
    for name in ("looked_after", "send", "disadvantaged"):
        if f"{name}=" in url:
            assert f"{name}=" in entry.detail
    if "{id}" in url:
        assert entry.entity_id == str(looked_after.id)


def test_aggregate_pages_without_a_flag_are_not_special(app, client, lead, looked_after):
    client.login("lead")
    before = len(_sensitive_views(app))
    assert client.get("/reports/benchmarks").status_code == 200
    assert client.get("/reports/encounters.csv").status_code == 200
    assert len(_sensitive_views(app)) == before


def test_search_text_never_reaches_the_audit_log(app, client, lead, looked_after):
    client.login("lead")
    assert client.get("/pupils/?q=Carey&looked_after=y").status_code == 200
    entry = _sensitive_views(app)[-1]
    assert "Carey" not in entry.detail and "looked_after=y" in entry.detail


@pytest.fixture
def amy(app, make_pupil, make_user, make_encounter):
    """A pupil whose username is made from her name, with a trail of logins and writes."""
    pupil = make_pupil(year=10, legal_forename="Amy", surname="Baker", tutor_group="10A")
    make_user("abaker", Role.PUPIL, pupil_id=pupil.id, display_name="Amy Baker")
    encounter = make_encounter([pupil], title="Hospital visit")
    return pupil, encounter


def _audit_text(app) -> str:
    """Every column of every audit row, as the database holds them."""
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM audit_log")).all()
    return "\n".join(repr(tuple(row)) for row in rows)


def test_erasure_leaves_no_name_or_username_in_the_audit_log(app, client, lead, amy):
    pupil, encounter = amy
    client.get("/login")
    client.post("/login", data={"username": "abaker", "password": "wrong"})
    client.login("abaker")
    client.post(f"/me/reflections/{encounter.id}", data={f"e{encounter.id}-reflection": "Fun"})
    client.get("/pupils/")  # refused, and audited
    client.post("/logout")
    client.login("lead")
    # While the account exists the log reads with her username, found through its id.
    page = client.get("/admin/audit?username=abaker").get_data(as_text=True)
    assert "abaker" in page and "login_failed" in page and "refused" in page
    assert "abaker" not in _audit_text(app)  # the rows themselves hold only her user id
    assert client.post(f"/pupils/{pupil.id}/erase",
                       data={"confirm_upn": pupil.upn}).status_code == 303
    stored = _audit_text(app)
    for trace in ("abaker", "Amy", "Baker", pupil.upn):
        assert trace not in stored, trace
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == "abaker")) == 0
    assert "abaker" not in client.get("/admin/audit").get_data(as_text=True)


def test_a_login_to_no_account_keeps_the_typed_username(app, client, tutor):
    client.get("/login")
    client.post("/login", data={"username": "nobody-here", "password": "x" * 10})
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "login_failed"))
        assert entry.user_id is None and entry.username == "nobody-here"


def _raw(app, statement: str) -> None:
    with app.app_context():
        try:
            db.session.execute(text(statement))
            db.session.commit()
        finally:
            db.session.rollback()


@pytest.mark.parametrize("statement", ["DELETE FROM audit_log",
                                       "UPDATE audit_log SET detail = 'changed'"])
def test_the_database_refuses_to_change_or_delete_audit_entries(app, client, tutor, statement):
    client.login("tutor")
    with pytest.raises(DatabaseError):
        _raw(app, statement)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) >= 1


def test_postgresql_refuses_truncate_too(app, app_ctx, client, tutor):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    client.login("tutor")
    with pytest.raises(DatabaseError):
        _raw(app, "TRUNCATE audit_log")


def _old_entry(app, school_id, years: int) -> None:
    with app.app_context():
        db.session.execute(insert(AuditLog).values(
            school_id=school_id, action="create", entity="pupil", entity_id="1",
            detail=f"{years} years old",
            at=datetime.now(timezone.utc) - timedelta(days=365 * years)))
        db.session.commit()


def test_retention_is_the_one_way_entries_leave(app, client, lead, school):
    _old_entry(app, school.id, years=10)
    _old_entry(app, school.id, years=1)
    client.login("lead")
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "1 audit-log entry" in page
    assert client.post("/admin/retention").status_code == 303
    with app.app_context():
        left = db.session.scalars(select(AuditLog.detail).where(
            AuditLog.detail.like("% years old"))).all()
        assert left == ["1 years old"]  # the ten-year-old entry went, last year's stayed
        assert db.session.scalar(select(AuditLog.detail).where(
            AuditLog.action == "retention")).startswith("deleted 1 audit entries")


def test_a_declared_cutoff_still_protects_newer_entries(app, school):
    from careers_app.database import audit_pruning

    _old_entry(app, school.id, years=1)
    with app.app_context():
        with pytest.raises(DatabaseError):
            with db.engine.begin() as conn, audit_pruning(
                    conn, datetime.now(timezone.utc) - timedelta(days=365 * 6)):
                conn.execute(text("DELETE FROM audit_log"))


def test_subject_access_export_includes_login_attempts(app, client, lead, amy):
    pupil, _encounter = amy
    client.get("/login")
    client.post("/login", data={"username": "abaker", "password": "wrong"})
    client.login("ABaker")
    client.post("/logout")
    client.login("lead")
    data = json.loads(client.get(f"/pupils/{pupil.id}/export").get_data(as_text=True))
    attempts = data["login_attempts"]
    assert [a["succeeded"] for a in attempts] == [False, True]
    assert all(a["from"] == "127.0.0.1" and a["at"] for a in attempts)
    # The audit trail of her account comes too, with her username while it exists.
    assert {"login_failed", "login"} <= {e["action"] for e in data["audit_log"]}
    assert any(e["by"] == "abaker" for e in data["audit_log"])


TOKEN = "Zx9_-aB3" * 5 + "q1w"
SPELLINGS = [f"/calendar/{TOKEN}.ics", f"/calendar//{TOKEN}.ics", f"//calendar/{TOKEN}.ics",
             f"/calendar/{TOKEN}.ICS", f"/Calendar/{TOKEN}.Ics", f"/calendar/{TOKEN}%2Eics",
             f"/calendar%2F{TOKEN}.ics", f"/calendar/./{TOKEN}.ics", f"/calendar/{TOKEN}",
             f"/calendar/{TOKEN}.ics/", f"webcal://school.example/calendar/{TOKEN}.ics"]


@pytest.mark.parametrize("path", SPELLINGS)
def test_feed_tokens_are_masked_in_every_spelling(path, caplog):
    from careers_app.logfilter import TokenRedactingFilter, redact

    assert TOKEN not in redact(path) and "[token]" in redact(path)
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '"%s" %s', (f"GET {path}?x=1 HTTP/1.1", "404"), None)
    TokenRedactingFilter().filter(record)
    assert TOKEN not in record.getMessage()


def test_staff_calendar_pages_keep_their_paths():
    from careers_app.logfilter import redact

    for path in ("/calendar", "/calendar/12/revoke", "/calendar/12/regenerate"):
        assert redact(f"POST {path} HTTP/1.1") == f"POST {path} HTTP/1.1"


def test_a_feed_path_in_the_audit_log_is_masked(app, school):
    from careers_app import audit_trail as audit

    with app.test_request_context(f"/calendar//{TOKEN}.ICS"):
        entry = audit._entry("refused", detail=f"404 GET /calendar//{TOKEN}.ICS")
    assert TOKEN not in entry.path and TOKEN not in entry.detail

"""GET, HEAD and OPTIONS never change anything, whoever sends them (issue 10, part 1).

Werkzeug answers HEAD with the GET view and CSRF protection skips all three methods, so a
write reachable from any of them could be set off by any page the user happens to visit.
Two things make that impossible: every form and its write are two views (`@bp.get` shows,
`@bp.post` writes), and below them a database guard refuses every statement that writes
during a safe request, except the security bookkeeping (audit rows, a feed's "last used").
"""
from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text, update

from careers_app.calendar import services as calendar_services
from careers_app.database import write_transaction
from careers_app.extensions import db
from careers_app.models import AuditLog, User
from careers_app.models import CalendarToken
from careers_app.models.plans import ActionPlan

from tests.helpers import Client
from .test_role_matrix import ROLES, _url, world  # noqa: F401  (world is a fixture)

SAFE = ("GET", "HEAD", "OPTIONS")
# The only rows a safe request may add or touch, and why:
# - audit_log: a view of special-category data, a refused access, a subject-access export and
#   a group lead's view of schools' figures are themselves recorded (appended; no existing
#   entry may change);
# - calendar_token.last_used_at: a feed notes when its link was last used, so its owner can
#   tell a forgotten link from a live one. Every other column of that table stays compared.
BOOKKEEPING_ACTIONS = {"view_sensitive", "refused", "export", "group_view"}
IGNORED_COLUMNS = {("calendar_token", "last_used_at")}


def _snapshot(app) -> dict[str, list[str]]:
    """Every row of every table, every column, as text: compared byte for byte."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.c if (table.name, c.name) not in IGNORED_COLUMNS]
            rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
            tables[table.name] = [repr(tuple(row)) for row in rows]
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        db.session.remove()
    return {"tables": tables, "actions": actions}


def _assert_unchanged(before, after, role):
    for name, rows in before["tables"].items():
        now = after["tables"][name]
        if name == "audit_log":
            assert now[:len(rows)] == rows, f"{role}: an audit entry changed or went"
            added = set(after["actions"][len(rows):])
            assert added <= BOOKKEEPING_ACTIONS, (role, added - BOOKKEEPING_ACTIONS)
        else:
            assert now == rows, f"{role}: a safe request changed table {name}"


@pytest.fixture
def live_feed(app, world):  # noqa: F811
    """A real subscription link (the world's token row has no known raw token)."""
    with app.app_context():
        tutor = db.session.scalar(select(User).where(User.username == "tutor"))
        _row, token = calendar_services.create_token(tutor, "all", None)
    return token


def _urls(app, ids, feed_token):
    """Every URL in the url_map once (a form and its POST share one)."""
    seen = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            url = "/static/css/app.css"
        elif rule.endpoint == "calendar.feed":
            url = f"/calendar/{feed_token}.ics"
        else:
            url = _url(app, rule, ids)
        seen.setdefault(url, rule)
    return seen


def _client(app, role):
    app.test_client_class = Client
    client = app.test_client()
    if role != "anonymous":
        client.login(role)  # logging in writes (the login, the throttle): done before we look
    return client


@pytest.mark.parametrize("role", ROLES)
def test_no_safe_request_changes_the_database(app, world, live_feed, role):  # noqa: F811
    client = _client(app, role)
    urls = _urls(app, world, live_feed)
    before = _snapshot(app)
    sent = 0
    for url in urls:
        for method, htmx in (("GET", False), ("GET", True), ("HEAD", False), ("OPTIONS", False)):
            response = client.open(url, method=method, htmx=htmx)
            # A 500 here would be the guard refusing a write a view attempted.
            assert response.status_code < 500, (role, method, url, response.status_code)
            sent += 1
    assert sent > 250
    _assert_unchanged(before, _snapshot(app), role)


@pytest.mark.parametrize("role", ROLES)
def test_options_answers_as_head_does(app, world, live_feed, role):  # noqa: F811
    """A role refused a page (or a record it may not see) is refused its OPTIONS too."""
    client = _client(app, role)
    wrong = []
    for url, rule in _urls(app, world, live_feed).items():
        head = client.head(url).status_code
        options = client.open(url, method="OPTIONS")
        has_get = any("GET" in r.methods for r in app.url_map.iter_rules() if r.rule == rule.rule)
        if (options.status_code != head) if has_get else (options.status_code == 200):
            wrong.append((url, f"OPTIONS {options.status_code}, HEAD {head}"))
        elif options.status_code == 200 and "GET" not in options.headers["Allow"]:
            wrong.append((url, "no Allow"))
    assert wrong == []


def test_head_on_a_delete_confirmation_deletes_nothing(app, client, lead, school):
    """The report's own example: HEAD /plans/<id>/delete used to delete the plan."""
    with app.app_context(), write_transaction():
        plan = ActionPlan(school_id=school.id, title="Careers plan", period="2026-2028")
        db.session.add(plan)
    with app.app_context():
        plan_id = db.session.scalar(select(ActionPlan.id))
    client.login("lead")
    assert client.head(f"/plans/{plan_id}/delete").status_code == 200
    assert client.open(f"/plans/{plan_id}/delete", method="OPTIONS").status_code == 200
    with app.app_context():
        assert db.session.get(ActionPlan, plan_id) is not None
    # The POST (with its CSRF token) is what deletes.
    assert client.post(f"/plans/{plan_id}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(ActionPlan, plan_id) is None


@pytest.mark.parametrize("method", SAFE)
def test_the_guard_refuses_any_write_in_a_safe_request(app, app_ctx, school, method):
    """Whatever path a write takes (ORM flush, bulk statement, raw SQL) it is refused."""
    from careers_app.database import UnsafeWrite

    with app.test_request_context("/plans/1/delete", method=method):
        with pytest.raises(UnsafeWrite):
            with write_transaction():
                db.session.add(ActionPlan(school_id=school.id, title="Sneaky", period=""))
        with pytest.raises(UnsafeWrite):
            db.session.execute(update(User).values(display_name="x"))
        db.session.rollback()
        with pytest.raises(UnsafeWrite):
            db.session.execute(text("DELETE FROM action_plan"))
        db.session.rollback()
        # The security bookkeeping is the one exception.
        with write_transaction():
            db.session.execute(insert(AuditLog).values(action="view_sensitive",
                                                       school_id=school.id))
    with app.test_request_context("/plans/new", method="POST"):
        with write_transaction():
            db.session.add(ActionPlan(school_id=school.id, title="Allowed", period=""))
    assert db.session.scalar(select(ActionPlan.title)) == "Allowed"


def test_a_feed_still_notes_its_last_use(app, client, lead):
    """The feed's "last used" is bookkeeping a GET (and HEAD) may write; nothing else is."""
    with app.app_context():
        _row, token = calendar_services.create_token(db.session.get(User, lead.id), "all", None)
    assert client.head(f"/calendar/{token}.ics").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(CalendarToken.last_used_at)) is not None


def test_write_statements_are_recognised():
    from careers_app.database import is_write_statement

    assert is_write_statement("INSERT INTO x VALUES (1)")
    assert is_write_statement("  update x set y = 1")
    assert is_write_statement("WITH gone AS (DELETE FROM x RETURNING id) SELECT * FROM gone")
    assert is_write_statement("TRUNCATE x")
    assert not is_write_statement("SELECT 1")
    assert not is_write_statement("WITH y AS (SELECT 1) SELECT * FROM y")
    assert not is_write_statement("BEGIN IMMEDIATE")


def test_options_is_refused_like_the_page(app, client, world):  # noqa: F811
    """Not 200 with Allow to a role that cannot use the page, or for a record not there."""
    client.login("pupil")
    for url in ("/pupils/", f"/plans/{world['plan_id']}/edit", "/admin/audit"):
        response = client.open(url, method="OPTIONS")
        assert response.status_code == 404, url
        assert "Allow" not in response.headers
    client.post("/logout")
    client.login("staff")
    assert client.open("/admin/audit", method="OPTIONS").status_code == 403
    assert client.open(f"/plans/{world['plan_id']}/delete", method="OPTIONS").status_code == 403
    client.post("/logout")
    client.login("admin")
    assert client.open("/plans/999999/edit", method="OPTIONS").status_code == 404
    allowed = client.open(f"/plans/{world['plan_id']}/delete", method="OPTIONS")
    assert allowed.status_code == 200
    assert {"GET", "HEAD", "POST"} <= set(allowed.headers["Allow"].split(", "))
    assert client.open("/plans/events", method="OPTIONS").status_code == 200
    anonymous = app.test_client()
    assert anonymous.open("/pupils/", method="OPTIONS").status_code == 302


def test_no_view_accepts_get_and_post_together(app):
    """The structural half: a view that writes is never the view a GET reaches."""
    mixed = [rule.endpoint for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
             and rule.endpoint not in {"auth.login", "auth.change_password"}]
    assert mixed == []

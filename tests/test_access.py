"""Deny by default: every route except the public ones refuses an anonymous request."""
import re

import pytest

PUBLIC = {"auth.login", "main.healthz", "static"}


def concrete(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1", rule.rule)


def test_every_non_public_route_refuses_anonymous(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or getattr(app.view_functions[rule.endpoint], "is_public", False):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(concrete(rule), method=method)
            assert response.status_code in (302, 400, 401), (rule.rule, method, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login")
            checked += 1
    assert checked >= 10


def test_public_endpoints_are_only_the_expected_ones(app):
    public = {endpoint for endpoint, view in app.view_functions.items()
              if getattr(view, "is_public", False)}
    assert public <= {"auth.login", "main.healthz", "calendar.feed",
                      "placements.feedback_form", "placements.submit_feedback"}


@pytest.mark.parametrize("method", ["post"])
def test_every_write_needs_a_csrf_token(app, client, tutor, method):
    client.login("tutor")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        response = client.open(concrete(rule), method="POST", csrf=False)
        assert response.status_code == 400, rule.rule
        checked += 1
    assert checked >= 5


def _state(app):
    """Row counts of every table, ignoring the audit trail and login bookkeeping."""
    from sqlalchemy import func, select

    from careers_app.extensions import db
    ignored = {"audit_log", "login_attempt"}
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables if table.name not in ignored}


def test_no_get_changes_state(app, client, lead, make_pupil, make_encounter):
    pupil = make_pupil(year=10, tutor_group="10A")
    encounter = make_encounter([pupil])
    client.login("lead")
    before = _state(app)
    ids = {"pupil_id": pupil.id, "encounter_id": encounter.id}
    visited = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "calendar.feed"):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)
        for htmx in (False, True):
            assert client.get(url, htmx=htmx).status_code < 500, url
            visited += 1
    assert visited > 40
    assert _state(app) == before


def test_session_is_renewed_at_login(app, client, tutor):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("careers_session").value
    client.post("/login", data={"username": "tutor", "password": "correct horse battery"})
    after = client.get_cookie("careers_session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session


def test_htmx_is_configured_once_and_safely(client):
    html = client.get("/login").get_data(as_text=True)
    import json
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html).group(1))
    assert config["selfRequestsOnly"] is True
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0
    assert config["includeIndicatorStyles"] is False
    assert {"code": "422", "swap": True} in config["responseHandling"]
    assert html.count('name="htmx-config"') == 1
    assert '<script src="/static/vendor/htmx.min.js"' in html
    assert "<script>" not in html  # no inline scripts anywhere

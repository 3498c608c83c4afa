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
    assert public <= {"auth.login", "main.healthz", "calendar.feed"}


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

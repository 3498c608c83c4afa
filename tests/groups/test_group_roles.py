"""The group-lead role × every endpoint, and the refused side of every new route.

A group lead has a home school but no page of it: every school page (pupils, records, /me,
drill-downs and exports with names) answers 404, whatever school the id belongs to. The
group pages answer only leads of a group, and only for the schools of groups they lead.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from careers_app.database import write_transaction
from careers_app.extensions import db
from careers_app.models.group import GroupLead

from tests.helpers import Client
from tests.test_role_matrix import GET_TABLE, _outcome, _url, world  # noqa: F401  (a fixture)
from tests.test_safe_methods import _assert_unchanged, _snapshot, _urls, live_feed  # noqa: F401

L, H = "login", "home"
# What a group lead whose home school is the world's school gets on every page.
LEAD_OPEN = {
    "main.index": H,  # to /trust
    "main.healthz": 200,
    "auth.login": H,
    "auth.change_password": 200,
    "groups.dashboard": 200,
    "groups.figures_csv": 200,
    "groups.print_view": 200,
    "groups.school": 200,
    "groups.plans": 200,
    "groups.new_plan": 200,
    # A group lead plans the group's shared events (their pages show schools' counts only;
    # tests/shared_events covers what a lead may see of an event).
    "shared_events.index": 200,
    "shared_events.new": 200,
}


@pytest.fixture
def lead_world(app, world, trust):  # noqa: F811
    """The role-matrix world (its school is the trust's first school) and the trust."""
    return dict(world, school_id=trust.second.id, group_id=trust.group_id)


def _client(app, username):
    app.test_client_class = Client
    client = app.test_client()
    client.login(username)
    return client


def test_a_group_lead_reaches_no_school_page(app, lead_world):
    client = _client(app, "trustlead")
    wrong = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "calendar.feed"):
            continue
        expected = LEAD_OPEN.get(rule.endpoint, 404)
        got = _outcome(client.get(_url(app, rule, lead_world)))
        if got != expected:
            wrong.append((rule.endpoint, f"expected {expected}, got {got}"))
    assert wrong == [], "\n".join(map(str, wrong))


def test_no_write_of_a_school_is_open_to_a_group_lead(app, lead_world):
    client = _client(app, "trustlead")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith("groups.") or \
                rule.endpoint == "shared_events.create" or \
                rule.endpoint in ("auth.login", "auth.logout", "auth.change_password",
                                  "placements.submit_feedback"):
            continue
        response = client.post(_url(app, rule, lead_world), data={"title": "x"})
        assert response.status_code == 404, (rule.endpoint, response.status_code)
        checked += 1
    assert checked > 40


GROUP_PAGES = ("/trust", "/trust/figures.csv", "/trust/print", "/trust/plans")


@pytest.mark.parametrize("username", ["staffa", "admina", "adminb", "adminout", "staffout",
                                      "pupila"])
def test_the_trust_pages_refuse_everyone_but_its_leads(app, trust, username):
    client = _client(app, username)
    for url in (*GROUP_PAGES, f"/trust/schools/{trust.school.id}",
                f"/trust/{trust.group_id}/plans/new"):
        assert client.get(url).status_code == 404, (username, url)
    assert client.post(f"/trust/{trust.group_id}/plans/new",
                       data={"title": "x"}).status_code == 404


def test_a_lead_of_another_group_sees_none_of_this_one(app, trust):
    client = _client(app, "otherlead")
    page = client.get("/trust").get_data(as_text=True)
    assert "Other Partnership" in page and "Outside School" in page
    assert "Test Academy" not in page and "Second Academy" not in page
    for school in (trust.school, trust.second):
        assert client.get(f"/trust/schools/{school.id}").status_code == 404
    assert client.get(f"/trust?group={trust.group_id}").status_code == 400
    assert client.get(f"/trust/figures.csv?group={trust.group_id}").status_code == 400
    assert client.get(f"/trust/{trust.group_id}/plans/new").status_code == 404


def test_a_careers_leader_who_leads_a_group_keeps_only_their_own_school(app, trust):
    with app.app_context(), write_transaction():
        db.session.add(GroupLead(group_id=trust.group_id, user_id=trust.admin_a.id))
    client = _client(app, "admina")
    assert client.get("/").status_code == 200  # still their school's dashboard
    assert 'href="/trust"' in client.get("/").get_data(as_text=True)  # and the Trust link
    assert client.get("/trust").status_code == 200
    second_pupil = trust.pupils["second"][0]
    assert client.get(f"/pupils/{second_pupil.id}").status_code == 404
    assert "Secretname" not in client.get(f"/trust/schools/{trust.second.id}").get_data(
        as_text=True)
    own = trust.pupils["test"][0]
    assert client.get(f"/pupils/{own.id}").status_code == 200  # staff at their own school


def test_every_pupil_page_refuses_the_lead_for_every_school(app, trust):
    client = _client(app, "trustlead")
    for pupils in trust.pupils.values():
        for pupil in pupils:
            for url in (f"/pupils/{pupil.id}", f"/pupils/{pupil.id}/export",
                        f"/pupils/{pupil.id}/edit"):
                response = client.get(url)
                assert response.status_code == 404, url
                assert "Secretname" not in response.get_data(as_text=True)
    for url in ("/pupils/", "/me", "/reports/benchmarks", "/reports/benchmarks/bm5_year/7",
                "/reports/benchmarks/bm5_year/7.csv", "/reports/pal.csv",
                "/reports/encounters.csv", "/encounters/", "/placements", "/calendar",
                "/plans"):
        assert client.get(url).status_code == 404, url
    for url in (*GROUP_PAGES, f"/trust/schools/{trust.school.id}",
                f"/trust/schools/{trust.second.id}", "/trust?send=any&disadvantaged=yes",
                "/trust/figures.csv?looked_after=no"):
        body = client.get(url).get_data(as_text=True)
        assert "Secretname" not in body and "Pupil" + "1" not in body, url
        for pupils in trust.pupils.values():
            assert all(p.upn not in body for p in pupils), url


def test_no_safe_request_by_a_group_lead_changes_anything(app, lead_world, live_feed):  # noqa: F811
    client = _client(app, "trustlead")
    before = _snapshot(app)
    for url in _urls(app, lead_world, live_feed):
        for method in ("GET", "HEAD", "OPTIONS"):
            assert client.open(url, method=method).status_code < 500, (method, url)
    _assert_unchanged(before, _snapshot(app), "group lead")


def test_the_new_routes_are_in_the_role_matrix():
    assert {e for e in GET_TABLE if e.startswith("groups.")} == {
        e for e in LEAD_OPEN if e.startswith("groups.")}


def test_every_trust_view_is_audited_in_each_school_it_shows(app, trust):
    from careers_app.models import AuditLog

    client = _client(app, "trustlead")
    with app.app_context():
        start = db.session.scalar(select(db.func.max(AuditLog.id))) or 0
    client.get("/trust")
    client.get("/trust/figures.csv")
    client.get("/trust/print")
    client.get(f"/trust/schools/{trust.second.id}")
    client.get(f"/trust/schools/{trust.outside.id}")  # refused: recorded as such
    with app.app_context():
        entries = db.session.execute(select(AuditLog.action, AuditLog.school_id, AuditLog.user_id,
                                            AuditLog.detail)
                                     .where(AuditLog.id > start).order_by(AuditLog.id)).all()
    views = [e for e in entries if e.action == "group_view"]
    assert {e.user_id for e in views} == {trust.lead.id}
    assert sorted(e.school_id for e in views) == sorted(
        [trust.school.id, trust.second.id] * 3 + [trust.second.id])
    assert trust.outside.id not in {e.school_id for e in views}
    assert any(e.action == "refused" for e in entries)
    assert any("school figures" in e.detail for e in views)

"""Every endpoint × every role, from a table: what each kind of user gets.

Codes: 200 page; "login" redirect to the login page; "home" any other redirect; 403 refused
(staff without the right); 404 (pupils never learn that a staff page exists). A new endpoint
fails `test_every_endpoint_is_in_the_table` until its row is written here.
"""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from careers_app.database import write_transaction
from careers_app.domain.benchmarks import EncounterKind
from careers_app.extensions import db
from careers_app.models import Role

from tests.helpers import Client

ROLES = ("anonymous", "pupil", "staff", "tutor", "admin")
L, H = "login", "home"
STAFF_READ = (L, 404, 200, 200, 200)
ADMIN_ONLY = (L, 404, 403, 403, 200)
# The tutor created the encounter and leads the plan item; "staff" is a colleague who did not.
CREATOR_OR_ADMIN = (L, 404, 403, 200, 200)
GROUP_LEADS_ONLY = (L, 404, 404, 404, 404)

GET_TABLE = {
    "main.index": (L, H, 200, 200, 200),
    "main.me": (L, 200, 404, 404, 404),
    "main.reflection": (L, 200, 404, 404, 404),  # the pupil's own encounter
    "main.healthz": (200, 200, 200, 200, 200),
    "auth.login": (200, H, H, H, H),
    "auth.change_password": (L, 200, 200, 200, 200),
    "admin.audit_log": ADMIN_ONLY,
    "encounters.index": STAFF_READ,
    "encounters.new": STAFF_READ,
    "encounters.organisation_options": STAFF_READ,
    "encounters.pupil_checklist": (L, 404, H, H, H),  # a full-page request goes to the quick log
    "encounters.show": STAFF_READ,
    "encounters.logged": STAFF_READ,
    "encounters.edit": CREATOR_OR_ADMIN,
    "encounters.delete": CREATOR_OR_ADMIN,
    "encounters.settings": ADMIN_ONLY,
    "pupils.index": STAFF_READ,
    "pupils.show": STAFF_READ,
    "pupils.edit": ADMIN_ONLY,
    "privacy.export": ADMIN_ONLY,
    "privacy.erase": ADMIN_ONLY,
    "privacy.retention": ADMIN_ONLY,
    "pupils.destinations": STAFF_READ,
    "pupils.destination_edit": STAFF_READ,
    "guidance.new": STAFF_READ,
    "roster.import_upload": ADMIN_ONLY,
    "roster.import_preview": ADMIN_ONLY,
    "roster.import_mapping": ADMIN_ONLY,
    "roster.import_done": (L, 404, 403, 403, H),  # not imported yet: back to the preview
    "roster.import_values": (L, 404, 403, 403, H),  # no values to match: the next step
    "roster.import_history": ADMIN_ONLY,
    "roster.import_undo": (L, 404, 403, 403, H),  # not imported: back to the preview
    "pupils.logins": ADMIN_ONLY,
    "reports.benchmarks": STAFF_READ,
    "reports.benchmarks_csv": STAFF_READ,
    "reports.gaps": STAFF_READ,
    "reports.gaps_csv": STAFF_READ,
    "reports.pal": STAFF_READ,
    "reports.pal_csv": STAFF_READ,
    "reports.encounters_csv": STAFF_READ,
    "reports.settings": ADMIN_ONLY,
    "plans.index": STAFF_READ,
    "plans.mine": STAFF_READ,
    "plans.show": STAFF_READ,
    "plans.print_view": STAFF_READ,
    "plans.item": STAFF_READ,
    "plans.milestone": STAFF_READ,
    "plans.new": ADMIN_ONLY,
    "plans.import_plan": ADMIN_ONLY,
    "plans.edit": ADMIN_ONLY,
    "plans.delete": ADMIN_ONLY,
    "plans.new_item": ADMIN_ONLY,
    "plans.edit_item": ADMIN_ONLY,
    "plans.delete_item": ADMIN_ONLY,
    "plans.status": CREATOR_OR_ADMIN,
    "plans.new_milestone": CREATOR_OR_ADMIN,
    "plans.edit_milestone": CREATOR_OR_ADMIN,
    "events.index": STAFF_READ,
    "events.show": STAFF_READ,
    "events.new": STAFF_READ,
    "events.edit": CREATOR_OR_ADMIN,
    "events.cancel": CREATOR_OR_ADMIN,
    "events.register": STAFF_READ,
    "calendar.index": STAFF_READ,
    # The benchmark audit: careers leaders run it; other staff read the results.
    "benchmark_audit.index": STAFF_READ,
    "benchmark_audit.show": STAFF_READ,
    "benchmark_audit.print_report": STAFF_READ,
    "benchmark_audit.new": ADMIN_ONLY,
    "benchmark_audit.answer": ADMIN_ONLY,
    "benchmark_audit.criterion": ADMIN_ONLY,
    "benchmark_audit.settings": ADMIN_ONLY,
    # Work experience: staff run it, careers leaders plan, import and set holidays; the pupil
    # evaluates only their own placement; the employer's form needs a working link.
    "placements.index": STAFF_READ,
    "placements.new_week": ADMIN_ONLY,
    "placements.week": STAFF_READ,
    "placements.show": STAFF_READ,
    "placements.edit": STAFF_READ,
    "placements.import_upload": ADMIN_ONLY,
    "placements.report_page": STAFF_READ,
    "placements.report_print": STAFF_READ,
    "placements.report_csv": STAFF_READ,
    "placements.settings": ADMIN_ONLY,
    "placements.evaluation": (L, 200, 404, 404, 404),
    "placements.feedback_form": (404, 404, 404, 404, 404),  # "t" * 40 is no working link
    # Trusts and partnerships (issue 15): the careers leader plans and changes a shared event
    # their school hosts; every invited school's staff see it and show its check-in code; a
    # pupil checks in; the organisation directory is staff's, its merges careers leaders'.
    "shared_events.index": STAFF_READ,
    "shared_events.new": ADMIN_ONLY,
    "shared_events.show": STAFF_READ,
    "shared_events.edit": ADMIN_ONLY,
    "shared_events.cancel": ADMIN_ONLY,
    "shared_events.code": STAFF_READ,
    "checkin.index": (L, 200, 404, 404, 404),
    "organisations.index": STAFF_READ,
    "organisations.show": STAFF_READ,
    "organisations.edit": ADMIN_ONLY,
    "organisations.notes": STAFF_READ,
    "organisations.merges": ADMIN_ONLY,
    "organisations.merge": ADMIN_ONLY,
    # Trusts and partnerships: leads of a group only (none of these roles leads one; the
    # group-lead role's own table is tests/groups/test_group_roles.py).
    "groups.dashboard": GROUP_LEADS_ONLY,
    "groups.figures_csv": GROUP_LEADS_ONLY,
    "groups.print_view": GROUP_LEADS_ONLY,
    "groups.school": GROUP_LEADS_ONLY,
    "groups.plans": GROUP_LEADS_ONLY,
    "groups.new_plan": GROUP_LEADS_ONLY,
}
ACCOUNT_WRITES = {"auth.login", "auth.logout", "auth.change_password"}
# A pupil writes only on their own record.
OWN_RECORD_WRITES = {"main.reflection", "placements.evaluate", "checkin.index"}


@pytest.fixture
def world(app, school, make_user, make_pupil, make_encounter):
    """One of everything, with the tutor as creator and lead."""
    from careers_app.models import Encounter
    from careers_app.models.plans import ActionPlan, Milestone, PlanItem
    from careers_app.models.roster import ImportBatch

    tutor = make_user("tutor", Role.STAFF, tutor_group="10A")
    make_user("staff", Role.STAFF)
    make_user("admin", Role.ADMIN)
    pupil = make_pupil(year=10, tutor_group="10A")
    make_user("pupil", Role.PUPIL, pupil_id=pupil.id)
    leaver = make_pupil(year=13, left_on=date(2025, 7, 20))
    encounter = make_encounter([pupil], created_by=tutor)
    with app.app_context(), write_transaction():
        plan = ActionPlan(school_id=school.id, title="Plan", period="2026-2028")
        item = PlanItem(school_id=school.id, plan=plan, benchmark=5, aim="Aim", actions="Do",
                        lead_user_id=tutor.id)
        milestone = Milestone(school_id=school.id, item=item, title="M", date=date(2026, 12, 1))
        event = Encounter(school_id=school.id, title="Fair", kind=EncounterKind.CAREERS_FAIR,
                          date=date(2026, 12, 1), academic_year=2026, planned=True,
                          start_time=time(9), end_time=time(15), invited_groups="tg:10A",
                          created_by_id=tutor.id)
        batch = ImportBatch(school_id=school.id, token="t" * 40, headers=["UPN"], rows=[])
        db.session.add_all([plan, item, milestone, event, batch])
    with app.app_context():
        ids = {"plan_id": db.session.scalar(select(ActionPlan.id)),
               "item_id": db.session.scalar(select(PlanItem.id)),
               "milestone_id": db.session.scalar(select(Milestone.id)),
               "event_id": db.session.scalar(select(Encounter.id).where(Encounter.planned)),
               "token": "t" * 40, "rule_key": "bm5_year", "year_group": 10}
        from careers_app.calendar.services import new_token
        from careers_app.models import CalendarToken
        _raw, digest = new_token()
        link = CalendarToken(school_id=school.id, user_id=tutor.id, scope="all", token_hash=digest)
        db.session.add(link)
        db.session.commit()
        ids["token_id"] = link.id
        from careers_app.benchmark_audit.services import start_audit
        from careers_app.models import User
        audit = start_audit(school.id, db.session.get(User, tutor.id), "Autumn audit", 2026, False)
        ids.update(audit_id=audit.id, key="bm5_pre16")
    ids.update(pupil_id=pupil.id, leaver_id=leaver.id, encounter_id=encounter.id,
               school_id=school.id, group_id=1)
    ids.update(_placement_ids(app, school.id, pupil.id))
    ids.update(_shared_ids(app, school.id))
    return ids


def _shared_ids(app, school_id: int) -> dict:
    """A partnership of the school and a neighbour, a shared fair the school hosts, and two
    near-duplicate organisations (one the neighbour's) offered for merging."""
    from careers_app.models import Organisation, School, User
    from careers_app.models.group import SchoolGroup, SchoolGroupMember
    from careers_app.shared_events.services import SharedEventDetails, plan_shared_event

    with app.app_context(), write_transaction():
        neighbour = School(name="Neighbour School", slug="neighbour")
        group = SchoolGroup(name="Partnership", kind="partnership")
        db.session.add_all([neighbour, group])
        db.session.flush()
        db.session.add_all([SchoolGroupMember(group_id=group.id, school_id=s)
                            for s in (school_id, neighbour.id)])
        ours = Organisation(school_id=school_id, name="NHS Kent", kind="employer")
        theirs = Organisation(school_id=neighbour.id, name="N.H.S. Kent", kind="employer")
        db.session.add_all([ours, theirs])
        ids = {"group": group.id, "neighbour": neighbour.id}
    with app.app_context():
        from datetime import time as clock
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        event = plan_shared_event(admin, SharedEventDetails(
            group_id=ids["group"], host_school_id=school_id, title="Shared fair",
            kind=EncounterKind.CAREERS_FAIR, date=date(2026, 12, 2), start_time=clock(9),
            end_time=clock(12), school_ids=[ids["neighbour"]], year_groups=[10]),
            app.config["SECRET_KEY"])
        ours_id, theirs_id = (db.session.scalar(select(Organisation.directory_id).where(
            Organisation.name == name)) for name in ("NHS Kent", "N.H.S. Kent"))
        return {"shared_event_id": event.id, "directory_id": ours_id, "keep_id": ours_id,
                "drop_id": theirs_id}


def _placement_ids(app, school_id: int, pupil_id: int) -> dict:
    """A past placement week with the pupil's completed placement (so they may evaluate it)."""
    from datetime import timedelta

    from careers_app.domain.dates import today_london
    from careers_app.models import Organisation
    from careers_app.models.placement import Placement, PlacementWeek

    start = today_london() - timedelta(days=21)
    end = start + timedelta(days=4)
    with app.app_context(), write_transaction():
        employer = Organisation(school_id=school_id, name=f"Employer {pupil_id}", kind="employer")
        week = PlacementWeek(school_id=school_id, title="Year 10 work experience",
                             start_on=start, end_on=end)
        placement = Placement(school_id=school_id, pupil_id=pupil_id, week=week,
                              organisation=employer, start_on=start, end_on=end, school_days=5,
                              status="completed", status_since=end)
        db.session.add_all([employer, week, placement])
    with app.app_context():
        return {"week_id": db.session.scalar(select(PlacementWeek.id).order_by(
                    PlacementWeek.id.desc())),
                "placement_id": db.session.scalar(select(Placement.id).where(
                    Placement.pupil_id == pupil_id))}


def _url(app, rule, ids) -> str:
    values = {}
    for name in rule.arguments:
        if name == "encounter_id" and rule.endpoint.startswith("events."):
            values[name] = ids["event_id"]
        elif name == "pupil_id" and rule.endpoint == "pupils.destination_edit":
            values[name] = ids["leaver_id"]
        else:
            values[name] = ids[name]
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def _outcome(response) -> object:
    if response.status_code in (301, 302, 303):
        return L if "/login" in response.headers["Location"] else H
    return response.status_code


def test_every_endpoint_is_in_the_table(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert endpoints - {"static", "calendar.feed"} == set(GET_TABLE)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, world, role):
    app.test_client_class = Client
    client = app.test_client()
    if role != "anonymous":
        client.login(role)
    wrong = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in GET_TABLE:
            continue
        expected = GET_TABLE[rule.endpoint][ROLES.index(role)]
        got = _outcome(client.get(_url(app, rule, world)))
        if got != expected:
            wrong.append((rule.endpoint, f"expected {expected}, got {got}"))
    assert wrong == []


def _page_endpoint(app, rule) -> str:
    """A write's row in the tables: the GET view on the same URL, when the form and its POST
    are two views (they always are: a write never shares a view with a GET)."""
    pages = [r.endpoint for r in app.url_map.iter_rules() if r.rule == rule.rule
             and "GET" in r.methods]
    return pages[0] if pages else rule.endpoint


def test_writes_refuse_pupils_and_staff_without_the_right(app, world):
    """The refused side of every write: pupils 404, staff 403 where the page is admin-only."""
    app.test_client_class = Client
    checked = 0
    for role, refused in (("pupil", 404), ("staff", 403)):
        client = app.test_client()
        client.login(role)
        for rule in app.url_map.iter_rules():
            page = _page_endpoint(app, rule)
            if "POST" not in rule.methods or {page, rule.endpoint} & (ACCOUNT_WRITES | OWN_RECORD_WRITES):
                continue
            if role == "staff" and GET_TABLE.get(page) not in (ADMIN_ONLY, CREATOR_OR_ADMIN):
                continue
            response = client.post(_url(app, rule, world), data={"title": "x"})
            assert response.status_code == refused, (role, rule.endpoint, response.status_code)
            checked += 1
    assert checked > 30


def test_nobody_can_touch_another_persons_calendar_link(app, world):
    app.test_client_class = Client
    client = app.test_client()
    client.login("staff")
    for action in ("revoke", "regenerate"):
        assert client.post(f"/calendar/{world['token_id']}/{action}").status_code == 404
    client.post("/logout")
    client.login("admin")  # not even the careers leader
    assert client.post(f"/calendar/{world['token_id']}/revoke").status_code == 404


def test_pupil_a_never_sees_pupil_b(app, world, make_pupil, make_encounter):
    """Every route and fragment that takes an id, asked by pupil A about pupil B's things."""
    other = make_pupil(year=10, tutor_group="10A", legal_forename="Bethany", surname="Bystander")
    theirs = make_encounter([other], title="Bethany's private visit")
    ids = dict(world, pupil_id=other.id, encounter_id=theirs.id)
    ids.update(_placement_ids(app, other.school_id, other.id))  # Bethany's placement
    app.test_client_class = Client
    client = app.test_client()
    client.login("pupil")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in ("static", "calendar.feed"):
            continue
        url = _url(app, rule, ids)
        for method in sorted(rule.methods & {"GET", "POST"}):
            for htmx in (False, True):
                response = client.open(url, method=method, htmx=htmx)
                body = response.get_data(as_text=True)
                assert response.status_code == 404, (method, url)
                assert "Bystander" not in body and "Bethany" not in body
                checked += 1
    assert checked > 50
    # And their own record shows only their own encounters.
    me = client.get("/me").get_data(as_text=True)
    assert "Bethany" not in me

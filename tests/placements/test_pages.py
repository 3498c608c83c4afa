"""Work experience pages as each role: full pages and htmx fragments, planning a week, the
assign table, details, status, the pupil's evaluation on /me, and every refusal."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Organisation, Role
from careers_app.models.placement import Placement, PlacementWeek

from tests.helpers import Client


@pytest.fixture
def people(make_user, make_pupil):
    """Admin, a tutor, a colleague, and two pupils of 10A with logins."""
    make_user("lead", Role.ADMIN, display_name="Ms Lead")
    make_user("tutor", Role.STAFF, tutor_group="10A")
    pia = make_pupil(year=10, tutor_group="10A", legal_forename="Pia", surname="Pupil")
    ben = make_pupil(year=10, tutor_group="10A", legal_forename="Ben", surname="Other")
    make_pupil(year=10, tutor_group="10B", legal_forename="Cara", surname="Elsewhere")
    make_user("pupil", Role.PUPIL, pupil_id=pia.id)
    make_user("pupil2", Role.PUPIL, pupil_id=ben.id)
    return {"pia": pia, "ben": ben}


def client_for(app, role: str | None) -> Client:
    app.test_client_class = Client
    client = app.test_client()
    if role:
        client.login(role)
    return client


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_staff_pages_full_and_fragment(app, people, make_week, make_placement,
                                       make_organisation):
    week = make_week()
    placement = make_placement(people["pia"], make_organisation("Acme Ltd"), week=week,
                               status="arranged")
    client = client_for(app, "tutor")
    pages = [("/placements", "results"), (f"/placements/weeks/{week.id}", "assign-table"),
             (f"/placements/{placement.id}", None), (f"/placements/{placement.id}/edit", None),
             ("/placements/report", None), ("/placements/report/print", None)]
    for url, fragment in pages:
        full = client.get(url)
        assert full.status_code == 200, url
        assert "<html" in full.get_data(as_text=True)
        assert "HX-Request" in full.headers.get("Vary", "")
        part = client.get(url, htmx=True)
        assert part.status_code == 200, url
        if fragment:
            body = part.get_data(as_text=True)
            assert "<html" not in body and f'id="{fragment}"' in body, url


@pytest.mark.parametrize("role, expected", [
    (None, 302), ("pupil", 404), ("tutor", 200), ("lead", 200)])
def test_staff_pages_refuse_pupils_with_404_and_anonymous_to_login(app, people, make_week,
                                                                   make_placement, role,
                                                                   expected):
    week = make_week()
    placement = make_placement(people["pia"], week=week)
    client = client_for(app, role)
    for url in ("/placements", f"/placements/weeks/{week.id}", f"/placements/{placement.id}",
                f"/placements/{placement.id}/edit", "/placements/report",
                "/placements/report.csv", "/placements/report/print"):
        for htmx in (False, True):
            response = client.get(url, htmx=htmx)
            status = 401 if (role is None and htmx) else expected
            assert response.status_code == status, (role, url, htmx)
            if role == "pupil":
                assert "Pupil" not in response.get_data(as_text=True).split("<main")[-1][:2000] \
                    or "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("role, expected", [("pupil", 404), ("tutor", 403), ("lead", 200)])
def test_planning_importing_and_holidays_are_for_careers_leaders(app, people, role, expected):
    client = client_for(app, role)
    for url in ("/placements/weeks/new", "/placements/import", "/placements/settings"):
        assert client.get(url).status_code == expected, url
    for url in ("/placements/weeks", "/placements/import", "/placements/settings"):
        response = client.post(url, data={"title": "x"})
        assert response.status_code == (expected if expected != 200 else response.status_code)
        if expected != 200:
            assert response.status_code == expected, url
    assert count(app, PlacementWeek) == 0


def test_plan_a_week_for_a_tutor_group(app, people, coming_week_dates):
    start, end = coming_week_dates
    client = client_for(app, "lead")
    response = client.post("/placements/weeks", data={
        "title": "Year 10 work experience", "start_on": start.isoformat(),
        "end_on": end.isoformat(), "group": "tg:10A"})
    assert response.status_code == 303
    with app.app_context():
        week = db.session.scalar(select(PlacementWeek))
        placements = db.session.scalars(select(Placement)).all()
        assert week.tutor_group == "10A" and week.cohort is None
        assert sorted(p.pupil_id for p in placements) == sorted([people["pia"].id,
                                                                 people["ben"].id])
        assert {(p.status, p.school_days, p.week_id) for p in placements} == {
            ("seeking", 5, week.id)}
    assert response.headers["Location"] == f"/placements/weeks/{week.id}"


def test_plan_a_week_for_a_year_group_by_htmx(app, people, coming_week_dates):
    start, end = coming_week_dates
    client = client_for(app, "lead")
    response = client.post("/placements/weeks", htmx=True, data={
        "title": "Y10 WEX", "start_on": start.isoformat(), "end_on": end.isoformat(),
        "group": "yg:10"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith(
        "/placements/weeks/")
    assert count(app, Placement) == 3  # 10A and 10B
    # Planned twice (a double submit): nothing is made twice.
    again = client.post("/placements/weeks", data={
        "title": "Y10 WEX", "start_on": start.isoformat(), "end_on": end.isoformat(),
        "group": "yg:10"})
    assert again.status_code == 422
    assert "already has a placement" in again.get_data(as_text=True)
    assert count(app, Placement) == 3 and count(app, PlacementWeek) == 1


@pytest.mark.parametrize("data, message", [
    ({"title": "", "group": "yg:10"}, "Give the week a title."),
    ({"title": "W", "group": ""}, "Choose a year group or tutor group."),
    ({"title": "W", "group": "yg:99"}, "Choose a year group or tutor group."),
    ({"title": "W", "group": "tg:NOPE"}, "Nobody in that group is on roll."),
    ({"title": "W", "group": "yg:10", "end_on": "2020-01-01"}, "before the first day"),
    ({"title": "W", "group": "yg:10", "start_on": "2026-02-30"}, "not a real date"),
])
def test_planning_mistakes_are_422_and_write_nothing(app, people, coming_week_dates, data,
                                                    message):
    start, end = coming_week_dates
    client = client_for(app, "lead")
    form = {"start_on": start.isoformat(), "end_on": end.isoformat(), **data}
    for htmx in (False, True):
        response = client.post("/placements/weeks", data=form, htmx=htmx)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert count(app, PlacementWeek) == 0 and count(app, Placement) == 0


def _planned(app, people, make_week, make_placement):
    week = make_week(tutor_group="10A")
    pia = make_placement(people["pia"], week=week, start=week.start_on, end=week.end_on)
    return week, pia


def test_assign_an_employer_by_htmx_returns_the_row(app, people, make_week, make_placement,
                                                   make_organisation):
    make_organisation("Acme Ltd")
    week, pia = _planned(app, people, make_week, make_placement)
    client = client_for(app, "tutor")
    response = client.post(f"/placements/weeks/{week.id}/pupils/{people['pia'].id}",
                           data={"organisation": "acme ltd"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="row-{people["pia"].id}"')
    assert 'data-saved="1"' in body and "Arranged" in body
    with app.app_context():
        saved = db.session.get(Placement, pia.id)
        assert saved.organisation.name == "Acme Ltd" and saved.status == "arranged"
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_assign_creates_the_placement_of_a_pupil_who_joined_since(app, people, make_week,
                                                                 make_placement):
    week, _pia = _planned(app, people, make_week, make_placement)
    page = client_for(app, "tutor").get(f"/placements/weeks/{week.id}").get_data(as_text=True)
    assert "Other, Ben" in page and "No placement yet" in page  # Ben has none yet
    client = client_for(app, "tutor")
    response = client.post(f"/placements/weeks/{week.id}/pupils/{people['ben'].id}",
                           data={"organisation": "Brand New Bakery"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/placements/weeks/{week.id}")
    with app.app_context():
        ben = db.session.scalar(select(Placement).where(Placement.pupil_id == people["ben"].id))
        assert (ben.week_id, ben.status, ben.organisation.name) == (week.id, "arranged",
                                                                    "Brand New Bakery")


def test_assign_refuses_a_pupil_not_in_the_week_and_clearing_a_placement_under_way(
        app, people, make_week, make_placement, make_pupil, make_organisation):
    week, pia = _planned(app, people, make_week, make_placement)
    outsider = make_pupil(year=9, tutor_group="9C")
    client = client_for(app, "tutor")
    assert client.post(f"/placements/weeks/{week.id}/pupils/{outsider.id}",
                       data={"organisation": "X"}).status_code == 404
    assert client.post(f"/placements/weeks/999/pupils/{people['pia'].id}",
                       data={"organisation": "X"}).status_code == 404
    acme = make_organisation("Acme")
    with app.app_context():
        placement = db.session.get(Placement, pia.id)
        placement.organisation_id = acme.id
        placement.status = "checks_done"
        db.session.commit()
    response = client.post(f"/placements/weeks/{week.id}/pupils/{people['pia'].id}",
                           data={"organisation": ""}, htmx=True)
    assert response.status_code == 422
    assert "needs its employer" in response.get_data(as_text=True)
    full = client.post(f"/placements/weeks/{week.id}/pupils/{people['pia'].id}",
                       data={"organisation": "x" * 201})
    assert full.status_code == 422 and "<html" in full.get_data(as_text=True)


def test_the_assign_table_filters_by_status_none_yet_and_chosen_pupils(app, people, make_week,
                                                                      make_placement,
                                                                      make_organisation):
    week = make_week(tutor_group="10A")
    make_placement(people["pia"], make_organisation("Acme"), week=week, status="arranged",
                   start=week.start_on, end=week.end_on)
    make_placement(people["ben"], week=week, start=week.start_on, end=week.end_on)
    client = client_for(app, "tutor")

    def names(query):
        body = client.get(f"/placements/weeks/{week.id}{query}", htmx=True).get_data(as_text=True)
        return [n for n in ("Pupil, Pia", "Other, Ben") if n in body]

    assert names("") == ["Pupil, Pia", "Other, Ben"]
    assert names("?status=none") == ["Other, Ben"]
    assert names("?status=arranged") == ["Pupil, Pia"]
    assert names(f"?pupil={people['pia'].id}") == ["Pupil, Pia"]
    assert client.get(f"/placements/weeks/{week.id}?status=bogus").status_code == 400


def test_the_placement_list_filters(app, people, make_placement, make_organisation):
    make_placement(people["pia"], make_organisation("Acme"), status="arranged")
    make_placement(people["ben"])
    client = client_for(app, "tutor")
    body = client.get("/placements?status=none", htmx=True).get_data(as_text=True)
    assert "Other, Ben" in body and "Pupil, Pia" not in body
    body = client.get("/placements?q=acme", htmx=True).get_data(as_text=True)
    assert "Pupil, Pia" in body and "Other, Ben" not in body
    assert client.get("/placements?status=nope").status_code == 400
    assert client.get("/placements?week=999").status_code == 400


def _details(start: date, end: date, **overrides) -> dict:
    data = {"organisation": "Acme Ltd", "start_on": start.isoformat(), "end_on": end.isoformat(),
            "mode": "in_person", "contact_name": "Ann Lee", "contact_email": "ann@acme.co.uk",
            "contact_phone": "01632 960123", "employer_task": "Plan a display",
            "insurance_seen_on": "", "risk_assessment_on": "", "notes": ""}
    data.update(overrides)
    return data


def test_edit_the_details(app, people, make_placement, coming_week_dates):
    start, end = coming_week_dates
    placement = make_placement(people["pia"], start=start, end=end)
    client = client_for(app, "tutor")
    response = client.post(f"/placements/{placement.id}/edit", data=_details(
        start, end, insurance_seen_on=today_london().isoformat()))
    assert response.status_code == 303
    with app.app_context():
        saved = db.session.get(Placement, placement.id)
        assert (saved.organisation.name, saved.contact_email, saved.employer_task,
                saved.insurance_seen_on) == ("Acme Ltd", "ann@acme.co.uk", "Plan a display",
                                             today_london())
    page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Ann Lee" in page and "Plan a display" in page


@pytest.mark.parametrize("overrides, message", [
    ({"contact_email": "not-an-email"}, "Enter an email address"),
    ({"contact_phone": "call me"}, "Use digits"),
    ({"mode": "teleport"}, "Not a valid choice"),
    ({"start_on": "2026-13-01"}, "not a real date"),
    ({"employer_task": "x" * 5001}, "5000"),
])
def test_bad_details_are_422_and_change_nothing(app, people, make_placement, coming_week_dates,
                                                overrides, message):
    start, end = coming_week_dates
    placement = make_placement(people["pia"], start=start, end=end)
    client = client_for(app, "tutor")
    for htmx in (False, True):
        response = client.post(f"/placements/{placement.id}/edit",
                               data=_details(start, end, **overrides), htmx=htmx)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Placement, placement.id).organisation_id is None


def test_details_must_keep_the_current_status_true(app, people, make_placement,
                                                   make_organisation, past_week_dates):
    start, end = past_week_dates
    placement = make_placement(people["pia"], make_organisation("Acme"), start=start, end=end,
                               status="under_way", insurance_seen_on=start,
                               risk_assessment_on=start)
    client = client_for(app, "tutor")
    response = client.post(f"/placements/{placement.id}/edit", data=_details(
        start, end, insurance_seen_on=start.isoformat(), risk_assessment_on=""))
    assert response.status_code == 422
    assert "Change its status first" in response.get_data(as_text=True)


def test_status_changes_follow_the_rules(app, people, make_placement, make_organisation,
                                         coming_week_dates):
    start, end = coming_week_dates
    placement = make_placement(people["pia"], make_organisation("Acme"), start=start, end=end,
                               status="arranged")
    client = client_for(app, "tutor")
    url = f"/placements/{placement.id}/status"
    refused = client.post(url, data={"status": "checks_done"}, htmx=True)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'id="status-panel"' in body and "<html" not in body and "insurance" in body
    early = client.post(url, data={"status": "completed"})
    assert early.status_code == 422 and "before its last day" in early.get_data(as_text=True)
    no_reason = client.post(url, data={"status": "cancelled", "cancel_reason": ""})
    assert no_reason.status_code == 422 and "Say why" in no_reason.get_data(as_text=True)
    assert client.post(url, data={"status": "nonsense"}).status_code == 422
    done = client.post(url, data={"status": "cancelled", "cancel_reason": "Employer closed"})
    assert done.status_code == 303
    with app.app_context():
        saved = db.session.get(Placement, placement.id)
        assert (saved.status, saved.cancel_reason, saved.status_since) == (
            "cancelled", "Employer closed", today_london())


def test_completing_puts_it_on_the_pupils_record(app, people, make_placement,
                                                 make_organisation, past_week_dates):
    start, end = past_week_dates
    placement = make_placement(people["pia"], make_organisation("Acme"), start=start, end=end,
                               status="under_way", insurance_seen_on=start,
                               risk_assessment_on=start)
    client = client_for(app, "tutor")
    assert client.post(f"/placements/{placement.id}/status",
                       data={"status": "completed"}).status_code == 303
    with app.app_context():
        encounter = db.session.get(Encounter, db.session.get(Placement, placement.id).encounter_id)
        assert encounter.kind == "work_experience" and encounter.date == start
        assert [p.pupil_id for p in encounter.participations] == [people["pia"].id]
        assert encounter.benchmarks == (6,) and encounter.meaningful is False


# The pupil ------------------------------------------------------------------------------------

def test_the_pupil_sees_their_placement_on_me(app, people, make_placement, make_organisation,
                                              coming_week_dates):
    start, end = coming_week_dates
    make_placement(people["pia"], make_organisation("Acme Ltd"), start=start, end=end,
                   status="arranged", employer_task="Design a poster")
    make_placement(people["ben"], make_organisation("Secret Employer"), start=start, end=end,
                   status="arranged")
    me = client_for(app, "pupil").get("/me").get_data(as_text=True)
    assert "My work experience" in me and "Acme Ltd" in me and "Design a poster" in me
    assert "Secret Employer" not in me
    assert "Once it is over" in me and "Fill in my evaluation" not in me


def test_the_pupil_evaluates_their_own_placement_once_it_is_over(app, people, make_placement,
                                                                 make_organisation,
                                                                 past_week_dates):
    start, end = past_week_dates
    placement = make_placement(people["pia"], make_organisation("Acme Ltd"), start=start,
                               end=end, status="completed", employer_task="Plan a display")
    client = client_for(app, "pupil")
    assert "Fill in my evaluation" in client.get("/me").get_data(as_text=True)
    url = f"/me/placements/{placement.id}/evaluation"
    form = client.get(url, htmx=True)
    assert form.status_code == 200 and "What did you learn?" in form.get_data(as_text=True)
    prefix = f"w{placement.id}-"
    empty = client.post(url, data={prefix + "did": "", prefix + "learnt": "x",
                                   prefix + "advice": "y"}, htmx=True)
    assert empty.status_code == 422 and "Say what you did." in empty.get_data(as_text=True)
    saved = client.post(url, data={prefix + "did": "Made a display",
                                   prefix + "learnt": "Retail is busy",
                                   prefix + "advice": "Go for it"}, htmx=True)
    assert saved.status_code == 204 and saved.headers["HX-Redirect"].startswith("/me")
    with app.app_context():
        row = db.session.get(Placement, placement.id)
        assert (row.status, row.evaluation_learnt) == ("evaluated", "Retail is busy")
        assert row.evaluated_at is not None
    assert "Retail is busy" in client.get("/me").get_data(as_text=True)


def test_no_one_else_can_see_or_write_a_pupils_evaluation(app, people, make_placement,
                                                          make_organisation, past_week_dates,
                                                          coming_week_dates):
    start, end = past_week_dates
    bens = make_placement(people["ben"], make_organisation("Acme"), start=start, end=end,
                          status="completed")
    later = make_placement(people["pia"], make_organisation("Later Ltd"),
                           start=coming_week_dates[0], end=coming_week_dates[1],
                           status="arranged")
    data = {f"w{bens.id}-did": "hack", f"w{bens.id}-learnt": "hack", f"w{bens.id}-advice": "x"}
    for role in ("pupil", "tutor", "lead"):
        client = client_for(app, role)
        for htmx in (False, True):
            url = f"/me/placements/{bens.id}/evaluation"
            assert client.get(url, htmx=htmx).status_code == 404, role
            assert client.post(url, data=data, htmx=htmx).status_code == 404, role
            # Not over yet: not even its own pupil may evaluate it.
            assert client.get(f"/me/placements/{later.id}/evaluation",
                              htmx=htmx).status_code == 404
    anonymous = client_for(app, None)
    assert anonymous.get(f"/me/placements/{bens.id}/evaluation").status_code == 302
    with app.app_context():
        assert db.session.get(Placement, bens.id).evaluation_did == ""


def test_pupils_never_reach_staff_writes(app, people, make_week, make_placement):
    week = make_week(tutor_group="10A")
    placement = make_placement(people["pia"], week=week)
    client = client_for(app, "pupil")
    for url, data in ((f"/placements/weeks/{week.id}/pupils/{people['pia'].id}",
                       {"organisation": "Mine"}),
                      (f"/placements/{placement.id}/edit", {"organisation": "Mine"}),
                      (f"/placements/{placement.id}/status", {"status": "seeking"}),
                      (f"/placements/{placement.id}/feedback-link", {})):
        assert client.post(url, data=data).status_code == 404, url
    with app.app_context():
        assert db.session.get(Placement, placement.id).organisation_id is None


def test_another_schools_placement_is_404(app, people, make_school, make_pupil):
    other = make_school()
    with app.app_context():
        from careers_app.models import Pupil
        pupil = Pupil(school_id=other.id, upn="Z000000000001", legal_forename="Far",
                      surname="Away", cohort=2023, tutor_group="10A")
        week = PlacementWeek(school_id=other.id, title="Theirs", start_on=date(2026, 7, 6),
                             end_on=date(2026, 7, 10))
        db.session.add_all([pupil, week])
        db.session.flush()
        placement = Placement(school_id=other.id, pupil_id=pupil.id, week_id=week.id,
                              start_on=week.start_on, end_on=week.end_on, school_days=5,
                              status="seeking", status_since=date(2026, 7, 1))
        db.session.add(placement)
        db.session.commit()
        ids = (placement.id, week.id)
    client = client_for(app, "lead")
    for url in (f"/placements/{ids[0]}", f"/placements/{ids[0]}/edit",
                f"/placements/weeks/{ids[1]}"):
        assert client.get(url).status_code == 404
    assert client.post(f"/placements/{ids[0]}/status",
                       data={"status": "cancelled", "cancel_reason": "x"}).status_code == 404


def test_holidays_recount_the_days(app, people, make_placement, coming_week_dates):
    start, end = coming_week_dates
    placement = make_placement(people["pia"], start=start, end=end)
    client = client_for(app, "lead")
    bad = client.post("/placements/settings", data={"holidays": "whenever"})
    assert bad.status_code == 422 and "Line 1" in bad.get_data(as_text=True)
    monday = start.strftime("%d/%m/%Y")
    response = client.post("/placements/settings", data={
        "holidays": f"{monday}\n21 Dec 2026 - 1 Jan 2027"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Placement, placement.id).school_days == 4
    page = client.get("/placements/settings").get_data(as_text=True)
    assert "21 Dec 2026 - 1 Jan 2027" in page


def test_a_new_weeks_days_leave_out_the_holidays(app, people, coming_week_dates):
    start, end = coming_week_dates
    client = client_for(app, "lead")
    client.post("/placements/settings", data={
        "holidays": f"{start + timedelta(days=1):%d/%m/%Y} - "
                    f"{start + timedelta(days=2):%d/%m/%Y}"})
    client.post("/placements/weeks", data={"title": "W", "start_on": start.isoformat(),
                                           "end_on": end.isoformat(), "group": "tg:10A"})
    with app.app_context():
        assert set(db.session.scalars(select(Placement.school_days))) == {3}

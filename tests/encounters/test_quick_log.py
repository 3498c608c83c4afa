"""The tutor's quick log: defaults, the group checklist, validation, one transaction, undo."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from careers_app.domain.dates import format_date, today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Organisation, Participation, Role


@pytest.fixture
def tutor_group(make_pupil):
    return [make_pupil(year=10, tutor_group="10A", surname=f"Aardvark{i:02d}") for i in range(30)]


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Encounter)),
                db.session.scalar(select(func.count()).select_from(Participation)))


def form_data(client, query="", **overrides):
    """What the browser would post from the untouched quick-log page."""
    html = client.get(f"/encounters/new{query}").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)
    ticked = re.findall(r'name="pupil_ids" value="(\d+)" id="pupil-\d+"\s+checked', html)
    data = {"kind": "employer_talk", "title": "NHS careers talk", "date": today_london().isoformat(),
            "organisation": "", "organisation_kind": "", "group": "tg:10A", "meaningful": "y",
            "notes": "", "submission_key": key, "pupil_ids": ticked}
    data.update(overrides)
    return data


def test_defaults_today_employer_talk_and_my_group_all_ticked(client, tutor, tutor_group):
    client.login("tutor")
    response = client.get("/encounters/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'value="{today_london().isoformat()}"' in html
    assert '<option selected value="employer_talk">Employer talk</option>' in html
    assert '<option selected value="tg:10A">Tutor group 10A</option>' in html
    assert len(re.findall(r'name="pupil_ids" value="\d+" id="pupil-\d+"\s+checked', html)) == 30
    # Every control has a visible label.
    for control in ("kind", "title", "date", "organisation", "group"):
        assert f'<label for="{control}">' in html


def test_logging_for_28_of_30_writes_one_encounter_and_28_participations(app, client, tutor,
                                                                       tutor_group):
    client.login("tutor")
    data = form_data(client)
    absent = {str(tutor_group[3].id), str(tutor_group[17].id)}
    data["pupil_ids"] = [i for i in data["pupil_ids"] if i not in absent]
    response = client.post("/encounters/new", data=data)
    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Logged for 28 pupils" in confirmation
    assert "Undo" in confirmation and "Log another" in confirmation
    assert counts(app) == (1, 28)
    with app.app_context():
        encounter = db.session.scalar(select(Encounter))
        assert encounter.benchmarks == (5,)
        assert encounter.created_by_id == tutor.id
        assert encounter.date == today_london()
        absent_ids = {int(i) for i in absent}
        assert not {p.pupil_id for p in encounter.participations} & absent_ids


def test_htmx_submit_answers_with_a_redirect_header(app, client, tutor, tutor_group):
    client.login("tutor")
    response = client.post("/encounters/new", data=form_data(client), htmx=True)
    assert response.status_code == 204
    assert re.fullmatch(r"/encounters/\d+/logged", response.headers["HX-Redirect"])
    assert counts(app) == (1, 30)


def test_double_submit_creates_one_encounter(app, client, tutor, tutor_group):
    client.login("tutor")
    data = form_data(client)
    first = client.post("/encounters/new", data=data)
    second = client.post("/encounters/new", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(app) == (1, 30)


def test_a_fresh_form_logs_a_second_encounter(app, client, tutor, tutor_group):
    client.login("tutor")
    client.post("/encounters/new", data=form_data(client))
    client.post("/encounters/new", data=form_data(client, title="Second talk"))
    assert counts(app) == (2, 60)


@pytest.mark.parametrize("overrides, message", [
    ({"title": ""}, "Give the encounter a title."),
    ({"title": "   "}, "Give the encounter a title."),
    ({"date": ""}, "Enter the date it happened."),
    ({"date": "2026-02-30"}, "That is not a real date."),
    ({"date": (today_london() + timedelta(days=400)).isoformat()}, "That date is after today."),
    ({"date": (today_london() + timedelta(days=1)).isoformat()}, "plan a future event instead"),
    ({"date": "1999-12-31"}, "from 2000 onwards"),
    ({"pupil_ids": []}, "Tick at least one pupil who took part."),
    ({"pupil_ids": ["999999"]}, "not on this school"),
    ({"kind": "party"}, "Not a valid choice"),
    ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
])
def test_bad_input_rerenders_with_422_and_writes_nothing(app, client, tutor, tutor_group,
                                                        overrides, message):
    client.login("tutor")
    response = client.post("/encounters/new", data=form_data(client, **overrides), htmx=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.replace("&#39;", "'")
    assert html.lstrip().startswith("<form")  # the form fragment, not a whole page
    assert "There is a problem" in html
    assert counts(app) == (0, 0)


def test_invalid_form_keeps_what_was_entered(client, tutor, tutor_group):
    client.login("tutor")
    data = form_data(client, title="")
    kept = data["pupil_ids"][:5]
    data["pupil_ids"] = kept
    data["organisation"] = "Harbour Bank"
    html = client.post("/encounters/new", data=data).get_data(as_text=True)
    assert 'value="Harbour Bank"' in html
    ticked = re.findall(r'name="pupil_ids" value="(\d+)" id="pupil-\d+"\s+checked', html)
    assert sorted(ticked) == sorted(kept)
    assert 'aria-invalid="true"' in html


def test_another_schools_pupil_cannot_be_logged(app, client, tutor, tutor_group, make_school,
                                                make_pupil):
    other = make_school()
    stranger = make_pupil(year=10, school_id=other.id)
    client.login("tutor")
    data = form_data(client)
    data["pupil_ids"] = data["pupil_ids"] + [str(stranger.id)]
    response = client.post("/encounters/new", data=data)
    assert response.status_code == 422
    assert counts(app) == (0, 0)


def test_expired_or_missing_csrf_token_writes_nothing(app, client, tutor, tutor_group):
    client.login("tutor")
    data = form_data(client)
    data["csrf_token"] = "expired"
    response = client.post("/encounters/new", data=data, csrf=False)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_organisation_is_matched_or_created_inline(app, client, tutor, tutor_group,
                                                   make_organisation):
    existing = make_organisation("Northfield NHS Trust")
    client.login("tutor")
    client.post("/encounters/new", data=form_data(client, organisation="northfield nhs  trust"))
    client.post("/encounters/new", data=form_data(client, organisation="Riverside FE College",
                                                  organisation_kind="fe_college",
                                                  kind="college"))
    with app.app_context():
        orgs = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
        assert [o.name for o in orgs] == ["Northfield NHS Trust", "Riverside FE College"]
        assert orgs[1].kind == "fe_college"
        encounters = db.session.scalars(select(Encounter).order_by(Encounter.id)).all()
        assert encounters[0].organisation_id == existing.id
        assert encounters[1].benchmarks == (7,)


def test_organisation_type_ahead(client, tutor, make_organisation):
    make_organisation("Northfield NHS Trust")
    make_organisation("Harbour Bank plc")
    client.login("tutor")
    fragment = client.get("/encounters/organisations?organisation=harb", htmx=True)
    html = fragment.get_data(as_text=True)
    assert '<option value="Harbour Bank plc">' in html and "Northfield" not in html
    assert "<html" not in html
    page = client.get("/encounters/organisations?organisation=harb")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]


def test_choosing_another_group_reloads_the_checklist(client, tutor, tutor_group, make_pupil):
    others = [make_pupil(year=9, tutor_group="9C") for _ in range(4)]
    client.login("tutor")
    fragment = client.get("/encounters/pupil-checklist?group=tg:9C", htmx=True)
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="pupil-checklist"')
    assert len(re.findall(r'name="pupil_ids"', html)) == 4
    assert all(f'value="{p.id}"' in html for p in others)
    year = client.get("/encounters/pupil-checklist?group=yg:10", htmx=True).get_data(as_text=True)
    assert len(re.findall(r'name="pupil_ids"', year)) == 30
    # Without htmx the same URL is the whole quick-log page for that group.
    page = client.get("/encounters/pupil-checklist?group=tg:9C")
    assert page.status_code == 302 and page.headers["Location"] == "/encounters/new?group=tg:9C"


def test_no_javascript_group_change_posts_back_without_saving(app, client, tutor, tutor_group,
                                                              make_pupil):
    make_pupil(year=9, tutor_group="9C")
    client.login("tutor")
    data = form_data(client, group="tg:9C", show_pupils="1")
    html = client.post("/encounters/new", data=data).get_data(as_text=True)
    assert len(re.findall(r'name="pupil_ids"', html)) == 1
    assert counts(app) == (0, 0)


def test_quick_log_opens_with_named_pupils_ticked(client, tutor, tutor_group):
    client.login("tutor")
    chosen = tutor_group[:3]
    query = "&".join(f"pupil={p.id}" for p in chosen)
    html = client.get(f"/encounters/new?{query}").get_data(as_text=True)
    ticked = re.findall(r'name="pupil_ids" value="(\d+)" id="pupil-\d+"\s+checked', html)
    assert sorted(map(int, ticked)) == sorted(p.id for p in chosen)


def test_careers_leader_can_change_the_benchmarks(app, client, lead, tutor_group):
    client.login("lead")
    html = client.get("/encounters/new").get_data(as_text=True)
    assert "Benchmarks it counts towards" in html
    client.post("/encounters/new", data=form_data(client, "?group=yg:10", group="yg:10",
                                                      benchmarks=["4", "5"]))
    with app.app_context():
        assert db.session.scalar(select(Encounter)).benchmarks == (4, 5)


def test_a_tutor_gets_the_default_benchmarks_whatever_is_posted(app, client, tutor, tutor_group):
    client.login("tutor")
    assert "Benchmarks it counts towards" not in client.get("/encounters/new").get_data(as_text=True)
    client.post("/encounters/new", data=form_data(client, benchmarks=["1", "8"]))
    with app.app_context():
        assert db.session.scalar(select(Encounter)).benchmarks == (5,)


def test_undo_removes_it_from_every_record(app, client, tutor, tutor_group):
    client.login("tutor")
    location = client.post("/encounters/new", data=form_data(client)).headers["Location"]
    encounter_id = int(location.split("/")[2])
    response = client.post(f"/encounters/{encounter_id}/undo")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Encounter, encounter_id).deleted_at is not None
    assert client.get(f"/encounters/{encounter_id}").status_code == 404
    assert "was undone" in client.get(location).get_data(as_text=True)


def test_undo_is_only_for_a_few_minutes(app, client, tutor, tutor_group):
    client.login("tutor")
    location = client.post("/encounters/new", data=form_data(client)).headers["Location"]
    encounter_id = int(location.split("/")[2])
    with app.app_context():
        encounter = db.session.get(Encounter, encounter_id)
        encounter.created_at = encounter.created_at - timedelta(minutes=11)
        db.session.commit()
    assert "Undo" not in client.get(location).get_data(as_text=True)
    response = client.post(f"/encounters/{encounter_id}/undo")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Encounter, encounter_id).deleted_at is None


def test_someone_else_cannot_undo(app, client, tutor, tutor_group, make_user):
    make_user("colleague", Role.STAFF)
    client.login("tutor")
    location = client.post("/encounters/new", data=form_data(client)).headers["Location"]
    encounter_id = int(location.split("/")[2])
    client.post("/logout")
    client.login("colleague")
    assert "Undo" not in client.get(location).get_data(as_text=True)
    client.post(f"/encounters/{encounter_id}/undo")
    with app.app_context():
        assert db.session.get(Encounter, encounter_id).deleted_at is None


def test_confirmation_shows_the_date_in_british_form(client, tutor, tutor_group):
    client.login("tutor")
    location = client.post("/encounters/new", data=form_data(client)).headers["Location"]
    assert format_date(today_london()) in client.get(location).get_data(as_text=True)


def test_htmx_errors_go_to_the_alert_box_with_a_fresh_token(app, client, tutor, tutor_group):
    client.login("tutor")
    data = form_data(client)
    data["csrf_token"] = "expired"
    response = client.post("/encounters/new", data=data, csrf=False, htmx=True)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#htmx-error"
    html = response.get_data(as_text=True)
    assert "This form has expired" in html
    assert re.search(r'<meta name="csrf-token" id="csrf-token" content="[^"]+" hx-swap-oob="true">',
                     html)
    assert counts(app) == (0, 0)


def test_a_guidance_interview_is_with_one_pupil(app, client, tutor, tutor_group):
    client.login("tutor")
    response = client.post("/encounters/new", data=form_data(client, kind="guidance_interview"))
    assert response.status_code == 422
    assert "A guidance interview is with one pupil" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)

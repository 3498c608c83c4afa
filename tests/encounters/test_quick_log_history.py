"""The quick log over time (issue 12): a future date is refused with a way to plan it, a whole
year group is offered the encounter, and each participation keeps that year's tutor group."""
import html as html_lib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from careers_app.domain.academic import academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, EncounterOffer, Participation, PupilYear
from tests.helpers import persist

from .test_quick_log import form_data


@pytest.fixture
def year12(make_pupil):
    return [make_pupil(year=12, tutor_group="12A", surname=f"Sixth{i:02d}") for i in range(4)]


def written(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Encounter)),
                db.session.scalar(select(func.count()).select_from(Participation)),
                db.session.scalars(select(EncounterOffer.cohort)).all())


@pytest.mark.parametrize("htmx", [False, True])
def test_a_future_date_is_refused_with_a_link_to_plan_it(app, client, tutor, year12, htmx):
    client.login("tutor")
    later = today_london() + timedelta(days=30)
    data = form_data(client, "?group=yg:12", date=later.isoformat(), title="Skills talk",
                     group="yg:12",
                     organisation="Riverside College", kind="college")
    response = client.post("/encounters/new", data=data, htmx=htmx)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "That date is after today." in page and "Logged for" not in page
    link = html_lib.unescape(re.search(r'<a href="([^"]+)">Plan it as an event', page).group(1))
    assert urlsplit(link).path == "/plans/events/new"
    assert parse_qs(urlsplit(link).query) == {
        "title": ["Skills talk"], "kind": ["college"], "date": [later.isoformat()],
        "organisation": ["Riverside College"], "invited_groups": ["yg:12"]}
    assert written(app) == (0, 0, [])
    planned = client.get(link).get_data(as_text=True)
    assert 'value="Skills talk"' in planned and f'value="{later.isoformat()}"' in planned
    assert '<option selected value="college">' in planned
    assert re.search(r'value="yg:12"[^>]*checked|checked[^>]*value="yg:12"', planned)


@pytest.mark.parametrize("query", ["?title=%01x&date=2026-02-30&kind=party",
                                   "?date=tomorrow&invited_groups=zz"])
def test_the_plan_form_ignores_unreadable_prefill(client, tutor, query):
    client.login("tutor")
    response = client.get(f"/plans/events/new{query}")
    assert response.status_code == 200
    assert "party" not in response.get_data(as_text=True)


def test_today_is_still_fine(app, client, tutor, year12):
    client.login("tutor")
    data = form_data(client, "?group=yg:12", date=today_london().isoformat())
    assert client.post("/encounters/new", data=data).status_code == 303


@pytest.mark.parametrize("group, offered", [("yg:12", True), ("tg:12A", False)])
def test_a_whole_year_group_starts_offered(app, client, tutor, year12, group, offered):
    client.login("tutor")
    page = client.get(f"/encounters/new?group={group}").get_data(as_text=True)
    box = re.search(r'<input type="checkbox" id="offered"[^>]*>', page).group(0)
    assert ("checked" in box) is offered
    assert page.count('id="offered"') == 1 and "hx-swap-oob" not in page
    fragment = client.get(f"/encounters/pupil-checklist?group={group}", htmx=True)
    box = re.search(r'<input type="checkbox" id="offered"[^>]*>', fragment.get_data(as_text=True))
    assert ("checked" in box.group(0)) is offered
    assert 'id="offered-field" hx-swap-oob="true"' in fragment.get_data(as_text=True)
    assert '<label for="offered">Offered to the whole year group</label>' in page


def test_offered_is_stored_for_the_ticked_pupils_year_group(app, client, tutor, year12):
    client.login("tutor")
    data = form_data(client, "?group=yg:12", kind="college", organisation="Riverside College",
                     offered="y")
    data["pupil_ids"] = data["pupil_ids"][:1]  # one came; the year group was offered it
    assert client.post("/encounters/new", data=data).status_code == 303
    assert written(app) == (1, 1, [year12[0].cohort])


def test_a_targeted_session_offers_nothing(app, client, tutor, year12):
    client.login("tutor")
    data = form_data(client, "?group=tg:12A", kind="college", organisation="Riverside College")
    data.pop("offered", None)
    assert client.post("/encounters/new", data=data).status_code == 303
    assert written(app)[2] == []


def test_editing_ticks_and_unticks_the_offer(app, client, lead, year12, make_encounter):
    encounter = make_encounter(year12[:2], on=today_london())
    client.login("lead")
    page = client.get(f"/encounters/{encounter.id}/edit").get_data(as_text=True)
    assert "checked" not in re.search(r'<input type="checkbox" id="offered"[^>]*>', page).group(0)
    data = form_data(client, group="", offered="y", pupil_ids=[str(p.id) for p in year12[:2]])
    assert client.post(f"/encounters/{encounter.id}/edit", data=data).status_code == 303
    assert written(app)[2] == [year12[0].cohort]
    page = client.get(f"/encounters/{encounter.id}/edit").get_data(as_text=True)
    assert "checked" in re.search(r'<input type="checkbox" id="offered"[^>]*>', page).group(0)
    data.pop("offered")
    assert client.post(f"/encounters/{encounter.id}/edit", data=data).status_code == 303
    assert written(app)[2] == []


def test_each_participation_keeps_that_years_tutor_group(app, client, tutor, school, year12):
    """A back-dated log in last year reads last year's group; this year's, the current one."""
    last_year = academic_year_of(today_london()) - 1
    persist(app, PupilYear(school_id=school.id, pupil_id=year12[0].id, academic_year=last_year,
                           tutor_group="11C", send_status="N", disadvantaged=False,
                           looked_after=False, considering_he=False))
    client.login("tutor")
    ids = [str(p.id) for p in year12[:2]]
    day = today_london().replace(year=today_london().year - 1)
    if academic_year_of(day) != last_year:
        day -= timedelta(days=200)
    for on in (today_london(), day):
        data = form_data(client, "?group=yg:12", date=on.isoformat(), pupil_ids=ids)
        assert client.post("/encounters/new", data=data).status_code == 303
    with app.app_context():
        rows = db.session.execute(
            select(Encounter.academic_year, Participation.pupil_id, Participation.tutor_group)
            .join(Encounter, Encounter.id == Participation.encounter_id)).all()
    groups = {(year, pupil): group for year, pupil, group in rows}
    assert groups[(last_year, year12[0].id)] == "11C"
    assert groups[(last_year, year12[1].id)] == "12A"  # no record kept: the current group
    assert groups[(last_year + 1, year12[0].id)] == "12A"


def test_taking_a_register_keeps_groups_and_offers_the_invited_year(app, client, lead, school,
                                                                   year12, make_encounter):
    from datetime import time

    event = make_encounter([], on=today_london(), planned=True, start_time=time(9),
                           end_time=time(10), invited_groups="yg:12\ntg:12A")
    client.login("lead")
    response = client.post(f"/plans/events/{event.id}/register",
                           data={"pupil_ids": [str(year12[0].id)]})
    assert response.status_code == 303
    with app.app_context():
        part = db.session.scalar(select(Participation))
        assert part.tutor_group == "12A"
    assert written(app)[2] == [year12[0].cohort]

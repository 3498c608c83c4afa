"""Leavers' destinations for three years after leaving, and the report by leaving cohort."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models.roster import Destination

LEFT = date(2024, 7, 19)  # left in 2023/24


@pytest.fixture
def leavers(make_pupil):
    return [make_pupil(year=13, legal_forename=f"Lea{n}", surname=f"Leaver{n}", left_on=LEFT)
            for n in range(4)]


def _form(**overrides):
    data = dict(year_after="1", status="education", provider="Riverside College",
                checked_on=(today_london() - timedelta(days=1)).isoformat())
    data.update(overrides)
    return data


def _destinations(app):
    with app.app_context():
        rows = db.session.scalars(select(Destination).order_by(Destination.id)).all()
        return [(d.pupil_id, d.year_after, d.status, d.provider, d.checked_on) for d in rows]


def test_record_and_replace_a_destination(app, client, tutor, leavers):
    client.login("tutor")
    pupil = leavers[0]
    page = client.get(f"/pupils/{pupil.id}/destination")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in ("Year", "Destination", "Provider or employer", "Date checked"):
        assert f">{label}</label>" in html
    assert "1st year after leaving (2024/25)" in html
    response = client.post(f"/pupils/{pupil.id}/destination", data=_form())
    assert response.status_code == 303
    checked = today_london() - timedelta(days=1)
    assert _destinations(app) == [(pupil.id, 1, "education", "Riverside College", checked)]
    # The same year again replaces it; another year adds one.
    client.post(f"/pupils/{pupil.id}/destination",
                data=_form(status="apprenticeship", provider="Thames Water"))
    client.post(f"/pupils/{pupil.id}/destination", data=_form(year_after="2", status="employment",
                                                              provider="Greenway"))
    assert [row[1:4] for row in _destinations(app)] == [
        (1, "apprenticeship", "Thames Water"), (2, "employment", "Greenway")]
    show = client.get(f"/pupils/{pupil.id}").get_data(as_text=True)
    assert "Thames Water" in show and "Greenway" in show
    # The edit form opens on the stored values.
    again = client.get(f"/pupils/{pupil.id}/destination?year_after=2").get_data(as_text=True)
    assert 'value="Greenway"' in again


def test_destination_form_as_htmx(app, client, tutor, leavers):
    client.login("tutor")
    pupil = leavers[0]
    fragment = client.get(f"/pupils/{pupil.id}/destination", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    bad = client.post(f"/pupils/{pupil.id}/destination", data=_form(status="pirate"), htmx=True)
    assert bad.status_code == 422 and bad.get_data(as_text=True).lstrip().startswith("<form")
    ok = client.post(f"/pupils/{pupil.id}/destination", data=_form(), htmx=True)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith(f"/pupils/{pupil.id}")


@pytest.mark.parametrize("overrides, message", [
    (dict(status="pirate"), "Not a valid choice"),
    (dict(year_after="4"), "Not a valid choice"),
    (dict(year_after="x"), "Not a valid choice"),
    (dict(checked_on=(today_london() + timedelta(days=2)).isoformat()), "in the future"),
    (dict(provider="p" * 201), "longer than 200"),
])
def test_bad_destination_input_writes_nothing(app, client, tutor, leavers, overrides, message):
    client.login("tutor")
    response = client.post(f"/pupils/{leavers[0].id}/destination", data=_form(**overrides))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _destinations(app) == []


def test_a_pupil_on_roll_has_no_destination_form(client, tutor, make_pupil):
    on_roll = make_pupil()
    client.login("tutor")
    assert client.get(f"/pupils/{on_roll.id}/destination").status_code == 404
    assert client.post(f"/pupils/{on_roll.id}/destination", data=_form()).status_code == 404


def test_destinations_report_percentages_and_not_known(client, tutor, leavers, make_pupil):
    make_pupil(year=11, surname="Earlier", left_on=date(2023, 7, 20))  # another cohort
    client.login("tutor")
    client.post(f"/pupils/{leavers[0].id}/destination", data=_form())
    client.post(f"/pupils/{leavers[1].id}/destination", data=_form(status="apprenticeship"))
    client.post(f"/pupils/{leavers[2].id}/destination", data=_form(status="not_known"))
    for response in (client.get("/destinations?leaving_year=2023&year_after=1"),
                     client.get("/destinations?leaving_year=2023&year_after=1", htmx=True)):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert '<th scope="row">Education</th><td class="num">1</td><td class="num">25.0%</td>' in html
        assert '<th scope="row">Apprenticeship</th><td class="num">1</td><td class="num">25.0%</td>' in html
        assert '<th scope="row">Not known</th><td class="num">2</td><td class="num">50.0%</td>' in html
        not_known = html.split('id="not-known"')[1].split("</ul>")[0]
        assert "Leaver2" in not_known and "Leaver3" in not_known and "Leaver0" not in not_known
        assert "Earlier" not in html
    fragment = client.get("/destinations?leaving_year=2023", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="report"') and "<html" not in fragment
    # Year 2 has no records yet: everyone is not known.
    year2 = client.get("/destinations?leaving_year=2023&year_after=2").get_data(as_text=True)
    assert '<th scope="row">Not known</th><td class="num">4</td><td class="num">100.0%</td>' in year2


def test_destinations_page_lists_leaving_years_and_labels(client, tutor, leavers, make_pupil):
    make_pupil(year=11, surname="Earlier", left_on=date(2023, 7, 20))
    client.login("tutor")
    html = client.get("/destinations").get_data(as_text=True)
    assert '<label for="leaving_year">Left in</label>' in html
    assert '<label for="year_after">Year after leaving</label>' in html
    assert ">2023/24</option>" in html and ">2022/23</option>" in html
    assert "Left in 2023/24" in html  # newest by default


def test_destinations_with_no_leavers(client, tutor):
    client.login("tutor")
    html = client.get("/destinations").get_data(as_text=True)
    assert "No pupil has left yet" in html


@pytest.mark.parametrize("path", ["/destinations", "/pupils/{id}/destination"])
def test_pupils_cannot_see_destinations(client, pupil_user, leavers, path):
    client.login("pupil")
    url = path.format(id=leavers[0].id)
    assert client.get(url).status_code == 404
    assert client.get(url, htmx=True).status_code == 404


def test_pupil_cannot_post_a_destination(app, client, pupil_user, leavers):
    client.login("pupil")
    client.get("/me")  # the pupil's own page gives the CSRF token: the refusal is not about CSRF
    assert client.post(f"/pupils/{leavers[0].id}/destination", data=_form()).status_code == 404
    assert _destinations(app) == []


def test_another_schools_leavers_are_not_in_the_report(client, tutor, make_school, make_pupil):
    make_pupil(school_id=make_school().id, surname="Stranger", left_on=LEFT)
    client.login("tutor")
    html = client.get("/destinations?leaving_year=2023").get_data(as_text=True)
    assert "Stranger" not in html and "No pupil has left yet" in html

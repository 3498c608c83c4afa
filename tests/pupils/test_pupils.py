"""Staff pupil list with filters, the admin's pupil edit, and who may see the flags."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from careers_app.domain.academic import academic_year_of, cohort_for
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Pupil, Role


@pytest.fixture
def roll(make_pupil):
    """A small roll: flags spread out, one leaver."""
    return dict(
        ana=make_pupil(year=10, tutor_group="10A", legal_forename="Ana", surname="Able",
                       send_status="K", disadvantaged=True),
        ben=make_pupil(year=10, tutor_group="10B", legal_forename="Ben", surname="Baker",
                       looked_after=True, send_status="E"),
        cat=make_pupil(year=8, tutor_group="8A", legal_forename="Cat", surname="Cole"),
        dan=make_pupil(year=12, tutor_group="12A", legal_forename="Dan", surname="Dyer",
                       left_on=today_london() - timedelta(days=30)),
    )


def _names(html: str, roll) -> set[str]:
    return {key for key, p in roll.items() if p.sort_name in html}


@pytest.mark.parametrize("query, expected", [
    ("", {"ana", "ben", "cat"}),
    ("?year_group=10", {"ana", "ben"}),
    ("?tutor_group=10B", {"ben"}),
    ("?send=KE", {"ana", "ben"}),
    ("?send=K", {"ana"}),
    ("?send=N", {"cat"}),
    ("?disadvantaged=y", {"ana"}),
    ("?disadvantaged=n", {"ben", "cat"}),
    ("?looked_after=y", {"ben"}),
    ("?status=leavers", {"dan"}),
    ("?status=all", {"ana", "ben", "cat", "dan"}),
    ("?q=cole", {"cat"}),
    ("?year_group=10&send=E", {"ben"}),
])
def test_pupil_list_filters(client, tutor, roll, query, expected):
    client.login("tutor")
    full = client.get(f"/pupils/{query}")
    fragment = client.get(f"/pupils/{query}", htmx=True)
    assert full.status_code == fragment.status_code == 200
    assert _names(full.get_data(as_text=True), roll) == expected
    fragment_html = fragment.get_data(as_text=True)
    assert _names(fragment_html, roll) == expected
    assert fragment_html.lstrip().startswith('<section id="results"') and "<html" not in fragment_html


def test_pupil_list_has_labelled_filters_and_flags_for_staff(client, tutor, roll):
    client.login("tutor")
    html = client.get("/pupils/").get_data(as_text=True)
    for label in ("Search", "Year group", "Tutor group", "SEND", "Disadvantaged", "Looked after",
                  "Show"):
        assert f">{label}</label>" in html
    assert "SEND K" in html and ">PP<" in html and ">CLA<" in html


def test_leavers_show_their_leaving_date(client, tutor, roll):
    client.login("tutor")
    html = client.get("/pupils/?status=leavers").get_data(as_text=True)
    assert f"Left {roll['dan'].left_on.day} " in html


def test_staff_see_flags_on_the_pupil_page(client, tutor, roll):
    client.login("tutor")
    html = client.get(f"/pupils/{roll['ana'].id}").get_data(as_text=True)
    assert "<dt>SEND</dt><dd>SEN support (K)</dd>" in html
    assert "<dt>Disadvantaged</dt><dd>Yes</dd>" in html
    assert "Edit pupil" not in html  # tutors cannot edit


@pytest.mark.parametrize("path", ["/pupils/", "/pupils/?send=K", "/pupils/{id}"])
def test_pupils_cannot_reach_the_list_or_any_pupil(client, pupil_user, roll, path):
    client.login("pupil")
    url = path.format(id=roll["ana"].id)
    assert client.get(url).status_code == 404
    assert client.get(url, htmx=True).status_code == 404
    own = client.get(f"/pupils/{pupil_user.pupil_id}")
    assert own.status_code == 404


def test_pupil_never_sees_flags_on_me(client, make_pupil, make_user):
    pupil = make_pupil(year=10, send_status="E", disadvantaged=True, looked_after=True,
                       legal_forename="Fay")
    make_user("fay", Role.PUPIL, pupil_id=pupil.id)
    client.login("fay")
    for response in (client.get("/me"), client.get("/me", htmx=True)):
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Fay" in html
        for word in ("SEND", "EHC", "Disadvantaged", "Looked after", "Pupil Premium", "CLA"):
            assert word not in html


# Admin edit --------------------------------------------------------------------------------

def _edit_data(pupil, **overrides):
    data = dict(legal_forename=pupil.legal_forename, preferred_forename="", surname=pupil.surname,
                upn=pupil.upn, year_group="10", tutor_group="10A", send_status="N", left_on="")
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _reload(app, pupil_id):
    with app.app_context():
        pupil = db.session.get(Pupil, pupil_id)
        db.session.expunge_all()
        return pupil


def test_admin_edits_a_pupil(app, client, lead, roll):
    client.login("lead")
    ana = roll["ana"]
    page = client.get(f"/pupils/{ana.id}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<label for="upn">UPN</label>' in html
    assert '<option selected value="10">Year 10</option>' in html
    response = client.post(f"/pupils/{ana.id}/edit", data=_edit_data(
        ana, preferred_forename="Annie", year_group="11", tutor_group="11C", send_status="E",
        looked_after="y"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pupils/{ana.id}")
    saved = _reload(app, ana.id)
    assert saved.preferred_forename == "Annie" and saved.tutor_group == "11C"
    assert saved.cohort == cohort_for(11, academic_year_of(today_london()))
    assert (saved.send_status, saved.looked_after, saved.disadvantaged) == ("E", True, False)
    assert "Saved Annie Able." in client.get(f"/pupils/{ana.id}").get_data(as_text=True)


def test_admin_edit_as_htmx(app, client, lead, roll):
    client.login("lead")
    ana = roll["ana"]
    fragment = client.get(f"/pupils/{ana.id}/edit", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    invalid = client.post(f"/pupils/{ana.id}/edit", data=_edit_data(ana, surname=""), htmx=True)
    assert invalid.status_code == 422
    assert invalid.get_data(as_text=True).lstrip().startswith("<form")
    ok = client.post(f"/pupils/{ana.id}/edit", data=_edit_data(ana, surname="Ableton"), htmx=True)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith(f"/pupils/{ana.id}")
    assert _reload(app, ana.id).surname == "Ableton"


@pytest.mark.parametrize("overrides, message", [
    (dict(surname=""), "Enter the surname."),
    (dict(legal_forename=""), "Enter the legal forename."),
    (dict(upn="A12345"), "13 characters"),
    (dict(upn="A886432120001"), "check letter"),
    (dict(year_group="5"), "Not a valid choice"),
    (dict(send_status="Q"), "Not a valid choice"),
    (dict(left_on="31/02/2025"), "Not a valid date"),
])
def test_admin_edit_refuses_bad_input_and_writes_nothing(app, client, lead, roll, overrides,
                                                          message):
    client.login("lead")
    ana = roll["ana"]
    response = client.post(f"/pupils/{ana.id}/edit", data=_edit_data(ana, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _reload(app, ana.id).surname == ana.surname and _reload(app, ana.id).send_status == "K"


def test_admin_edit_refuses_another_pupils_upn(app, client, lead, roll):
    client.login("lead")
    response = client.post(f"/pupils/{roll['ana'].id}/edit",
                           data=_edit_data(roll["ana"], upn=roll["ben"].upn))
    assert response.status_code == 422
    assert "Another pupil already has this UPN." in response.get_data(as_text=True)
    assert _reload(app, roll["ana"].id).upn == roll["ana"].upn


def test_admin_marks_a_leaver(app, client, lead, roll):
    client.login("lead")
    left = date(2025, 7, 18)
    client.post(f"/pupils/{roll['cat'].id}/edit",
                data=_edit_data(roll["cat"], year_group="8", left_on=left.isoformat()))
    assert _reload(app, roll["cat"].id).left_on == left


@pytest.mark.parametrize("who, status", [("tutor", 403), ("pupil", 404)])
def test_only_admins_edit_pupils(app, client, tutor, pupil_user, roll, who, status):
    client.login(who)
    ana = roll["ana"]
    assert client.get(f"/pupils/{ana.id}/edit").status_code == status
    assert client.get(f"/pupils/{ana.id}/edit", htmx=True).status_code == status
    response = client.post(f"/pupils/{ana.id}/edit", data=_edit_data(ana, surname="Hacked"))
    assert response.status_code == status
    assert _reload(app, ana.id).surname == "Able"


def test_edit_without_csrf_is_refused(app, client, lead, roll):
    client.login("lead")
    ana = roll["ana"]
    response = client.post(f"/pupils/{ana.id}/edit", data=_edit_data(ana, surname="X"), csrf=False)
    assert response.status_code == 400
    assert _reload(app, ana.id).surname == "Able"


def test_another_schools_pupil_is_not_found(client, lead, make_school, make_pupil):
    other = make_school()
    stranger = make_pupil(school_id=other.id)
    client.login("lead")
    assert client.get(f"/pupils/{stranger.id}").status_code == 404
    assert client.get(f"/pupils/{stranger.id}/edit").status_code == 404


def test_leavers_list_uses_left_on(app, client, tutor, roll):
    client.login("tutor")
    with app.app_context():
        assert db.session.scalar(select(Pupil.left_on).where(Pupil.id == roll["dan"].id))
    html = client.get("/pupils/?status=roll").get_data(as_text=True)
    assert roll["dan"].sort_name not in html

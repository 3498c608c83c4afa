"""Encounter list, encounter page, edit and delete; pupil list, pupil page and /me."""
import re
from datetime import date, timedelta

import pytest

from careers_app.domain.academic import academic_year_of
from careers_app.domain.benchmarks import EncounterKind
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Role

TODAY = today_london()


@pytest.fixture
def pupils(make_pupil):
    return {
        "ann": make_pupil(year=10, tutor_group="10A", legal_forename="Ann", surname="Archer"),
        "bob": make_pupil(year=10, tutor_group="10A", legal_forename="Bob", surname="Baker"),
        "cat": make_pupil(year=8, tutor_group="8B", legal_forename="Cat", surname="Cole"),
    }


def test_encounter_list_full_page_and_fragment(client, tutor, pupils, make_encounter,
                                               make_organisation):
    org = make_organisation("Harbour Bank plc")
    make_encounter([pupils["ann"]], title="Banking talk", organisation=org)
    make_encounter([pupils["cat"]], title="Science lesson", kind=EncounterKind.CURRICULUM_LINKED)
    client.login("tutor")
    page = client.get("/encounters/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "Banking talk" in html and "Science lesson" in html
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/encounters/?q=harbour", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="results"')
    assert "Banking talk" in fragment and "Science lesson" not in fragment


@pytest.mark.parametrize("query, expected", [
    ("q=bank", {"Banking talk"}),
    ("q=BANKING", {"Banking talk"}),
    ("year_group=10", {"Banking talk"}),
    ("year_group=8", {"Science lesson", "Old talk"}),
    ("kind=curriculum_linked", {"Science lesson"}),
    (f"date_from={TODAY.isoformat()}", {"Banking talk", "Science lesson"}),
    (f"date_to={(TODAY - timedelta(days=1)).isoformat()}", {"Old talk"}),
    ("q=%25", set()),
])
def test_encounter_filters(client, tutor, pupils, make_encounter, make_organisation, query,
                           expected):
    org = make_organisation("Harbour Bank plc")
    make_encounter([pupils["ann"], pupils["bob"]], title="Banking talk", organisation=org)
    make_encounter([pupils["cat"]], title="Science lesson", kind=EncounterKind.CURRICULUM_LINKED)
    make_encounter([pupils["cat"]], title="Old talk", on=TODAY - timedelta(days=30))
    client.login("tutor")
    html = client.get(f"/encounters/?{query}", htmx=True).get_data(as_text=True)
    shown = set(re.findall(r'<a href="/encounters/\d+">([^<]+)</a>', html))
    assert shown == expected


def test_year_group_filter_uses_the_encounters_own_academic_year(client, tutor, make_pupil,
                                                                  make_encounter):
    # A pupil in Year 10 now was in Year 9 last academic year.
    pupil = make_pupil(year=10)
    last_year = date(academic_year_of(TODAY) - 1, 10, 1)
    make_encounter([pupil], title="Last year's talk", on=last_year)
    client.login("tutor")
    assert "Last year&#39;s talk" in client.get("/encounters/?year_group=9").get_data(as_text=True)
    assert "Last year" not in client.get("/encounters/?year_group=10").get_data(as_text=True)


def test_encounter_page_lists_participants(client, tutor, pupils, make_encounter):
    encounter = make_encounter([pupils["ann"], pupils["bob"]], title="NHS talk")
    client.login("tutor")
    html = client.get(f"/encounters/{encounter.id}").get_data(as_text=True)
    assert "2 pupils took part" in html
    assert "Archer, Ann" in html and "Baker, Bob" in html and "Cole" not in html
    assert "BM5 Encounters with employers and employees" in html


def test_creator_can_edit_participants_and_details(app, client, tutor, pupils, make_encounter):
    encounter = make_encounter([pupils["ann"], pupils["bob"]], title="NHS talk", created_by=tutor)
    client.login("tutor")
    page = client.get(f"/encounters/{encounter.id}/edit").get_data(as_text=True)
    assert 'value="NHS talk"' in page and "Save changes" in page
    response = client.post(f"/encounters/{encounter.id}/edit", data={
        "kind": "workplace_visit", "title": "NHS hospital visit", "date": TODAY.isoformat(),
        "organisation": "Northfield NHS Trust", "organisation_kind": "", "group": "",
        "meaningful": "y", "notes": "Great questions", "pupil_ids": [str(pupils["ann"].id)]})
    assert response.status_code == 303
    with app.app_context():
        saved = db.session.get(Encounter, encounter.id)
        assert saved.title == "NHS hospital visit"
        assert saved.benchmarks == (6,)
        assert [p.pupil_id for p in saved.participations] == [pupils["ann"].id]
        assert saved.organisation.name == "Northfield NHS Trust"


def test_edit_with_bad_input_changes_nothing(app, client, tutor, pupils, make_encounter):
    encounter = make_encounter([pupils["ann"]], title="NHS talk", created_by=tutor)
    client.login("tutor")
    response = client.post(f"/encounters/{encounter.id}/edit", data={
        "kind": "employer_talk", "title": "", "date": TODAY.isoformat(), "group": "",
        "pupil_ids": [str(pupils["bob"].id)]}, htmx=True)
    assert response.status_code == 422
    with app.app_context():
        saved = db.session.get(Encounter, encounter.id)
        assert saved.title == "NHS talk"
        assert [p.pupil_id for p in saved.participations] == [pupils["ann"].id]


def test_other_staff_cannot_edit_or_delete(app, client, tutor, pupils, make_encounter, make_user):
    encounter = make_encounter([pupils["ann"]], created_by=tutor)
    make_user("colleague", Role.STAFF)
    client.login("colleague")
    assert "Edit</a>" not in client.get(f"/encounters/{encounter.id}").get_data(as_text=True)
    assert client.get(f"/encounters/{encounter.id}/edit").status_code == 403
    assert client.post(f"/encounters/{encounter.id}/edit", data={"title": "Hacked"}).status_code == 403
    assert client.post(f"/encounters/{encounter.id}/delete").status_code == 403
    with app.app_context():
        saved = db.session.get(Encounter, encounter.id)
        assert saved.deleted_at is None and saved.title != "Hacked"


def test_admin_can_delete_anyones_encounter(app, client, tutor, lead, pupils, make_encounter):
    encounter = make_encounter([pupils["ann"], pupils["bob"]], created_by=tutor)
    client.login("lead")
    confirm = client.get(f"/encounters/{encounter.id}/delete").get_data(as_text=True)
    assert "2 pupils&#39; records" in confirm
    assert client.post(f"/encounters/{encounter.id}/delete").status_code == 303
    assert client.get(f"/encounters/{encounter.id}").status_code == 404
    assert "No careers encounters recorded yet" in client.get(
        f"/pupils/{pupils['ann'].id}").get_data(as_text=True)


def test_pupil_list_full_page_and_fragment(client, tutor, pupils):
    client.login("tutor")
    page = client.get("/pupils/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Archer, Ann" in html and "Cole, Cat" in html
    fragment = client.get("/pupils/?q=ann", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="results"')
    assert "Archer, Ann" in fragment and "Cole" not in fragment


@pytest.mark.parametrize("query, expected", [
    ("q=baker", {"Baker, Bob"}),
    ("q=ann archer", {"Archer, Ann"}),
    ("year_group=8", {"Cole, Cat"}),
    ("tutor_group=10A", {"Archer, Ann", "Baker, Bob"}),
])
def test_pupil_filters(client, tutor, pupils, query, expected):
    client.login("tutor")
    html = client.get(f"/pupils/?{query}", htmx=True).get_data(as_text=True)
    assert set(re.findall(r'<a href="/pupils/\d+">([^<]+)</a>', html)) == expected


def test_pupil_search_by_upn(client, tutor, pupils):
    client.login("tutor")
    html = client.get(f"/pupils/?q={pupils['bob'].upn}").get_data(as_text=True)
    assert "Baker, Bob" in html and "Archer" not in html


def test_pupil_page_groups_encounters_by_year_newest_first(client, tutor, pupils, make_encounter,
                                                           make_organisation):
    this_year = academic_year_of(TODAY)
    org = make_organisation("Riverside College", kind="fe_college")
    make_encounter([pupils["ann"]], title="Old talk", on=date(this_year - 1, 11, 5))
    make_encounter([pupils["ann"]], title="College taster", kind=EncounterKind.COLLEGE,
                   organisation=org, on=date(this_year, 9, 20))
    make_encounter([pupils["bob"]], title="Not Ann's")
    client.login("tutor")
    html = client.get(f"/pupils/{pupils['ann'].id}").get_data(as_text=True)
    newer = html.index(f"{this_year}/{(this_year + 1) % 100:02d}")
    older = html.index(f"{this_year - 1}/{this_year % 100:02d}")
    assert newer < older
    assert html.index("College taster") < html.index("Old talk")
    assert "Riverside College" in html and "BM7" in html
    assert f"20 Sep {this_year}" in html
    assert "Not Ann" not in html
    # Staff see the flags.
    assert "Disadvantaged" in html


def test_deleted_and_planned_encounters_are_not_on_a_record(client, pupil_user, make_encounter,
                                                            app):
    with app.app_context():
        from careers_app.models import User
        pupil_id = db.session.get(User, pupil_user.id).pupil_id
    from careers_app.models import Pupil
    with app.app_context():
        pupil = db.session.get(Pupil, pupil_id)
        db.session.expunge(pupil)
    make_encounter([pupil], title="Deleted one", deleted_at=TODAY_DT())
    make_encounter([pupil], title="Planned one", planned=True)
    make_encounter([pupil], title="Real one")
    client.login("pupil")
    html = client.get("/me").get_data(as_text=True)
    assert "Real one" in html and "Deleted one" not in html and "Planned one" not in html


def TODAY_DT():
    from careers_app.models.base import utcnow
    return utcnow()


def test_pupil_sees_own_record_without_flags(app, client, pupil_user, make_encounter, pupils):
    with app.app_context():
        from careers_app.models import Pupil, User
        me = db.session.get(Pupil, db.session.get(User, pupil_user.id).pupil_id)
        db.session.expunge(me)
    make_encounter([me], title="NHS careers talk")
    make_encounter([pupils["ann"]], title="Someone else's talk")
    client.login("pupil")
    response = client.get("/me")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "NHS careers talk" in html and "Someone else" not in html
    assert "Pia Pupil" in html
    for hidden in ("Disadvantaged", "SEND", "Looked after", "UPN"):
        assert hidden not in html
    assert response.headers["Cache-Control"] == "no-store"


STAFF_PAGES = ["/encounters/", "/encounters/new", "/pupils/", "/encounters/organisations",
               "/encounters/pupil-checklist?group=tg:10A"]


@pytest.mark.parametrize("url", STAFF_PAGES)
@pytest.mark.parametrize("htmx", [False, True])
def test_pupils_get_404_on_staff_pages_and_fragments(client, pupil_user, url, htmx):
    client.login("pupil")
    assert client.get(url, htmx=htmx).status_code == 404


def test_pupil_cannot_open_another_pupils_page_or_any_encounter(client, pupil_user, pupils,
                                                                make_encounter):
    encounter = make_encounter([pupils["ann"]], title="Secret")
    client.login("pupil")
    for url in (f"/pupils/{pupils['ann'].id}", f"/encounters/{encounter.id}",
                f"/encounters/{encounter.id}/edit", f"/encounters/{encounter.id}/logged"):
        for htmx in (False, True):
            response = client.get(url, htmx=htmx)
            assert response.status_code == 404, url
            assert "Archer" not in response.get_data(as_text=True)
    assert client.post(f"/encounters/{encounter.id}/delete").status_code == 404
    assert client.post("/encounters/new", data={"title": "x"}).status_code == 404


def test_staff_have_no_me_page(client, tutor):
    client.login("tutor")
    assert client.get("/me").status_code == 404


def test_staff_cannot_see_another_schools_pupils_or_encounters(client, tutor, make_school,
                                                               make_pupil, make_encounter):
    other = make_school()
    stranger = make_pupil(year=10, school_id=other.id, surname="Stranger")
    encounter = make_encounter([stranger], school_id=other.id, title="Other school's talk")
    client.login("tutor")
    assert client.get(f"/pupils/{stranger.id}").status_code == 404
    assert client.get(f"/encounters/{encounter.id}").status_code == 404
    assert "Stranger" not in client.get("/pupils/?q=stranger").get_data(as_text=True)
    assert "Other school" not in client.get("/encounters/").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/me", "/encounters/", "/pupils/", "/encounters/new"])
def test_anonymous_is_redirected_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_security_headers(client, tutor):
    client.login("tutor")
    response = client.get("/encounters/new")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_user_text_is_escaped(client, tutor, pupils, make_encounter):
    make_encounter([pupils["ann"]], title='<img src=x onerror="alert(1)"> hx-get="/x"')
    client.login("tutor")
    html = client.get("/encounters/").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


@pytest.mark.parametrize("url", [
    "/encounters/?kind=nonsense", "/encounters/?date_from=not-a-date", "/encounters/?year_group=99",
    "/pupils/?year_group=99", "/pupils/?send=X", "/pupils/?status=everything",
    "/encounters/?q=" + "x" * 201,
])
def test_unknown_filter_values_are_bad_requests(client, tutor, url):
    client.login("tutor")
    assert client.get(url).status_code == 400
    assert client.get(url, htmx=True).status_code == 400


def test_long_lists_page_and_keep_their_filters(client, tutor, make_pupil):
    for n in range(55):
        make_pupil(year=10, tutor_group="10A", surname=f"Page{n:02d}")
    client.login("tutor")
    html = client.get("/pupils/?tutor_group=10A").get_data(as_text=True)
    assert "Page 1 of 2" in html
    assert 'href="/pupils/?tutor_group=10A&amp;page=2">Next</a>' in html
    second = client.get("/pupils/?tutor_group=10A&page=2", htmx=True).get_data(as_text=True)
    assert "Page 2 of 2" in second and ">Previous</a>" in second

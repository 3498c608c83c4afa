"""Report routes as each role: full pages, htmx fragments, permissions, exports."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.domain.dates import today_london
from careers_app.reports.csv_export import neutralise

REPORT_URLS = ["/reports/benchmarks", "/reports/benchmarks.csv", "/reports/benchmarks/bm5_year/10",
               "/reports/benchmarks/bm5_year/10.csv", "/reports/pal", "/reports/pal.csv",
               "/reports/encounters.csv", "/reports/settings"]


def rows_of(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def year10(make_pupil, make_encounter, providers):
    """Three Year 10 pupils in 10A: one has met BM5 this year, one has not, one has left."""
    met = make_pupil(10, tutor_group="10A", surname="Able")
    gap = make_pupil(10, tutor_group="10A", surname="=HYPERLINK(\"http://x\")",
                     disadvantaged=True)
    leaver = make_pupil(10, tutor_group="10A", surname="Gone",
                        left_on=today_london() - timedelta(days=1))
    make_encounter([met], K.EMPLOYER_TALK, title="Talk by the NHS",
                   organisation=providers["employer"])
    return {"met": met, "gap": gap, "leaver": leaver}


@pytest.mark.parametrize("url", REPORT_URLS)
def test_pupils_get_404_from_every_report(client, pupil_user, url):
    client.login("pupil")
    assert client.get(url).status_code == 404
    assert client.get(url, htmx=True).status_code == 404


@pytest.mark.parametrize("url", REPORT_URLS)
def test_anonymous_users_go_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    htmx = client.get(url, htmx=True)
    assert htmx.status_code == 401 and "/login" in htmx.headers["HX-Redirect"]


def test_staff_home_page_is_the_dashboard(client, lead, year10):
    # The careers leader's home (a tutor's is their tutor group: tests/test_tutor_home.py).
    client.login("lead")
    page = client.get("/").get_data(as_text=True)
    assert "<h1>Benchmark progress</h1>" in page
    assert 'class="table matrix"' in page


def test_dashboard_full_page_and_fragment(client, tutor, year10):
    client.login("tutor")
    response = client.get("/reports/benchmarks")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert "HX-Request" in response.headers["Vary"]
    # Year 10, BM5: 1 of the 3 on roll this year (the leaver left yesterday, so still counts).
    assert re.search(r'bm5_year/10\?year=\d+">\s*<span class="cell__pct">33%</span>\s*'
                     r'<span class="cell__n">1 / 3</span>', page)
    for label in ("Academic year", "Tutor group", "SEND", "Disadvantaged (Pupil Premium)",
                  "Looked after"):
        assert f">{label}</label>" in page
    assert 'role="img"' in page and "<desc" in page and "Year 10: 33% (1 of 3)" in page
    assert 'style="' not in page  # CSP: no inline styles
    fragment = client.get("/reports/benchmarks?disadvantaged=yes", htmx=True)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and 'id="results"' in html
    assert "disadvantaged" in html and "0% · 0 / 1" in html


def test_an_unoffered_year_is_a_bad_request_and_no_year_means_this_one(client, tutor, year10):
    client.login("tutor")
    assert client.get("/reports/benchmarks?year=2999").status_code == 400
    assert "1 / 3" in client.get("/reports/benchmarks").get_data(as_text=True)


def test_drill_down_lists_who_has_not_met_it_and_opens_the_quick_log(client, tutor, year10):
    client.login("tutor")
    response = client.get("/reports/benchmarks/bm5_year/10")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert "2 pupils of 3 in Year 10 have not met it" in page
    assert "Able" not in page
    assert "Gone" in page and "Left " in page
    # The leaver cannot be ticked in the quick log; the other pupil is.
    link = re.search(r'href="(/encounters/new\?[^"]+)"', page).group(1)
    assert link == f"/encounters/new?pupil={year10['gap'].id}"
    quick_log = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(rf'value="{year10["gap"].id}"[^>]*checked', quick_log)
    assert not re.search(rf'value="{year10["leaver"].id}"', quick_log)
    fragment = client.get("/reports/benchmarks/bm5_year/10?disadvantaged=yes", htmx=True)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and "1 pupil of 1 in Year 10" in html and "Gone" not in html


@pytest.mark.parametrize("url", ["/reports/benchmarks/nonsense/10",
                                 "/reports/benchmarks/pal_y8_9/12",  # not measured in Y12
                                 "/reports/benchmarks/bm5_year/6"])
def test_drill_down_404s_for_rules_that_do_not_exist_there(client, tutor, url):
    client.login("tutor")
    assert client.get(url).status_code == 404


def test_csv_cells_cannot_run_as_formulas(client, tutor, year10):
    client.login("tutor")
    response = client.get("/reports/benchmarks/bm5_year/10.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][:3] == ["UPN", "Surname, forename", "Year group"]
    names = [r[1] for r in rows[1:]]
    assert any(n.startswith("'=HYPERLINK") for n in names)
    assert all(not n.startswith(("=", "+", "-", "@")) for r in rows for n in r)


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+44 20", "'+44 20"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("Plain", "Plain"), (5, 5), (None, ""), ("O’Brien", "O’Brien")])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_matrix_csv(client, tutor, year10):
    client.login("tutor")
    rows = rows_of(client.get("/reports/benchmarks.csv?tutor_group=10A"))
    header, body = rows[0], rows[1:]
    assert header[-3].startswith("Filtered (tutor group 10A)")
    bm5_y10 = next(r for r in body if r[1] == "bm5_year" and r[4] == "10")
    assert bm5_y10[5:8] == ["1", "3", "33"] and bm5_y10[10:] == ["1", "3", "33"]
    assert header[8:10] == ["As at", "In progress"] and bm5_y10[9] == ""
    bm6_y10 = next(r for r in body if r[1] == "bm6_pre16" and r[4] == "10")
    assert bm6_y10[9] == "Yes"  # by the end of Year 11: progress in Year 10


def test_encounters_csv_lists_every_participant(client, tutor, year10, make_encounter):
    make_encounter([year10["gap"]], K.CAREERS_FAIR, title="=cmd|' /C calc'!A0")
    client.login("tutor")
    rows = rows_of(client.get("/reports/encounters.csv"))
    titles = sorted(r[2] for r in rows[1:])
    assert titles == ["'=cmd|' /C calc'!A0", "Talk by the NHS"]
    fair = next(r for r in rows[1:] if r[2].startswith("'="))
    assert fair[6] == "BM5 BM7" and fair[9] == year10["gap"].upn and fair[11] == "10"


def test_pal_report_full_page_and_fragment(client, tutor, make_pupil, make_encounter, providers):
    short = make_pupil(8, surname="Shortby")
    done = make_pupil(8, surname="Donewell")
    make_encounter([short, done], K.COLLEGE, organisation=providers["fe_college"])
    make_encounter([done], K.APPRENTICESHIP_PROVIDER, organisation=providers["itp"])
    client.login("tutor")
    page = client.get("/reports/pal").get_data(as_text=True)
    assert "<html" in page and "Shortby" in page and "Short by 1" in page
    assert "Donewell" not in page  # only the short are listed by default
    everyone = client.get("/reports/pal?show=all", htmx=True).get_data(as_text=True)
    assert "<html" not in everyone and "Donewell" in everyone and "Shortby" in everyone
    rows = rows_of(client.get("/reports/pal.csv"))
    statuses = {r[2]: r[-1] for r in rows[1:] if r[0].startswith("PAL: 2 providers in Y8-9")}
    assert sorted(statuses.values()) == ["Met", "Short"]


def test_settings_are_for_careers_leaders_only(client, tutor):
    client.login("tutor")
    assert client.get("/reports/settings").status_code == 403
    assert client.post("/reports/settings", data={"bm6_pre16": "3"}).status_code == 403


def test_settings_form_validates_and_saves(client, lead, app, school):
    client.login("lead")
    page = client.get("/reports/settings").get_data(as_text=True)
    assert 'value="2"' in page and ">Workplace experiences needed by the end of Year 11" in page
    bad = client.post("/reports/settings", data={"bm6_pre16": "0", "bm6_post16": "1"}, htmx=True)
    assert bad.status_code == 422 and "Enter a whole number from 1 to 10." in bad.get_data(as_text=True)
    assert "<html" not in bad.get_data(as_text=True)
    ok = client.post("/reports/settings", data={"bm6_pre16": "3", "bm6_post16": "1",
                                                "guidance_needs_level6": "y"}, htmx=True)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"] == "/reports/benchmarks"
    plain = client.post("/reports/settings", data={"bm6_pre16": "4", "bm6_post16": "2"})
    assert plain.status_code == 303
    from careers_app.extensions import db
    from careers_app.models import School
    with app.app_context():
        saved = db.session.get(School, school.id).settings
    assert saved["thresholds"] == {"bm6_pre16": 4, "bm6_post16": 2}
    assert saved["guidance_needs_level6"] is False
    assert "(needs 4)" in client.get("/reports/benchmarks").get_data(as_text=True)


def test_settings_post_needs_csrf(client, lead):
    client.login("lead")
    assert client.post("/reports/settings", data={"bm6_pre16": "3", "bm6_post16": "1"},
                       csrf=False).status_code == 400


def test_pupil_sees_own_progress_in_plain_words(client, pupil_user, make_pupil, make_encounter,
                                                providers, app):
    from careers_app.extensions import db
    from careers_app.models import User
    with app.app_context():
        me = db.session.get(User, pupil_user.id).pupil
    other = make_pupil(10, surname="Someoneelse")
    make_encounter([me], K.EMPLOYER_TALK, title="Talk by the fire service",
                   organisation=providers["employer"])
    make_encounter([other], K.GUIDANCE_INTERVIEW, title="Other pupil's guidance")
    client.login("pupil")
    page = client.get("/me").get_data(as_text=True)
    assert "How you are doing this year" in page
    # Issue 13: "Done: 1 (you needed 1)", never "1 of 1 so far"; every gap says what is next.
    assert re.search(r"Meet someone from the world of work this year\.</strong></p>\s*"
                     r"<p class=\"progress-item__status\">Done: 1 \(you needed 1\)\.</p>", page)
    assert re.search(r"Talk one to one with a careers adviser before the end of Year 11\."
                     r"</strong></p>\s*<p class=\"progress-item__status\">So far: 0 \(you need 1\)"
                     r"\.</p>\s*<p class=\"progress-item__next\">Ask your tutor", page)
    assert "so far." not in page and "BM5" not in page
    assert "Talk by the fire service" in page
    assert "Other pupil's guidance" not in page and "Someoneelse" not in page


def test_staff_have_no_me_page(client, tutor):
    client.login("tutor")
    assert client.get("/me").status_code == 404


@pytest.mark.parametrize("query", ["send=X", "disadvantaged=maybe", "looked_after=2",
                                   "year=1999", "year=abc"])
def test_unknown_filter_values_are_bad_requests(client, lead, query):
    client.login("lead")
    for url in ("/reports/benchmarks", "/reports/pal", "/reports/benchmarks.csv"):
        assert client.get(f"{url}?{query}").status_code == 400, url

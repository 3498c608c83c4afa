"""Reports over time (issue 12) through the app: "as at" a day and the census links, the
level 6 note, in-progress cells, the rules explained; and migration 0019's carried-over data."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from careers_app.domain.academic import academic_year_of
from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.domain.dates import format_date, today_london
from careers_app.extensions import db
from careers_app.models import EncounterOffer, School

from .test_routes import rows_of


@pytest.fixture
def pupils(make_pupil, make_encounter):
    """Year 8 and Year 11 pupils; one Year 11 interview with an adviser below level 6."""
    young = [make_pupil(8) for _ in range(2)]
    old = [make_pupil(11) for _ in range(2)]
    make_encounter(old[:1], K.GUIDANCE_INTERVIEW, adviser_name="Mr Mentor")
    return young, old


def test_the_dashboard_links_the_census_days_that_have_come(client, lead, pupils):
    client.login("lead")
    year = academic_year_of(today_london())
    page = client.get(f"/reports/benchmarks?year={year - 1}").get_data(as_text=True)
    for day in (date(year - 1, 12, 31), date(year, 3, 31), date(year, 7, 31)):
        assert f"as_at={day.isoformat()}" in page and f"As at {format_date(day)}" in page
    now = client.get("/reports/benchmarks").get_data(as_text=True)
    for day in (date(year, 12, 31), date(year + 1, 3, 31), date(year + 1, 7, 31)):
        if day > today_london():
            assert f"{format_date(day)} (not yet)" in now and f"as_at={day}" not in now


def test_as_at_is_kept_by_every_link_and_export(client, lead, pupils):
    client.login("lead")
    day = today_london() - timedelta(days=1)
    page = client.get(f"/reports/benchmarks?as_at={day}").get_data(as_text=True)
    assert f"as at {format_date(day)}" in page
    links = re.findall(r'href="(/reports/[^"]+)"', page)
    kept = [link for link in links if "benchmarks/" in link or ".csv" in link or "/pal" in link]
    assert kept and all(f"as_at={day}" in link for link in kept)
    rows = rows_of(client.get(f"/reports/benchmarks.csv?as_at={day}"))
    assert {r[8] for r in rows[1:]} == {day.isoformat()}
    drill = client.get(f"/reports/benchmarks/bm5_year/8?as_at={day}").get_data(as_text=True)
    assert f"as at {format_date(day)}" in drill


def test_a_future_as_at_is_today_with_a_message(client, lead, pupils):
    client.login("lead")
    later = today_london() + timedelta(days=10)
    page = client.get(f"/reports/benchmarks?as_at={later}").get_data(as_text=True)
    assert "cannot be as at a day still to come" in page
    assert f"as at {format_date(today_london())}" in page


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "1999-12-31"])
def test_an_unreadable_as_at_is_a_bad_request(client, lead, value):
    client.login("lead")
    assert client.get(f"/reports/benchmarks?as_at={value}").status_code == 400
    assert client.get(f"/reports/pal?as_at={value}").status_code == 400


def test_an_as_at_outside_the_year_is_explained(client, lead, pupils):
    client.login("lead")
    year = academic_year_of(today_london())
    page = client.get(f"/reports/benchmarks?year={year}&as_at={year - 1}-12-31")
    assert "is not in the academic year chosen" in page.get_data(as_text=True)
    alone = client.get(f"/reports/benchmarks?as_at={year - 1}-12-31").get_data(as_text=True)
    assert f"as at {format_date(date(year - 1, 12, 31))}" in alone  # the year follows the day


def test_level_6_note_and_why_an_interview_did_not_count(app, client, lead, school, pupils):
    client.login("lead")
    page = client.get("/reports/benchmarks").get_data(as_text=True)
    assert "Level 6 advisers only" in page
    drill = client.get("/reports/benchmarks/bm8_pre16/11").get_data(as_text=True)
    assert "the adviser is not qualified to level 6" in drill
    csv_rows = rows_of(client.get("/reports/benchmarks/bm8_pre16/11.csv"))
    assert csv_rows[0][-1] == "Not counted" and any("level 6" in r[-1] for r in csv_rows[1:])
    response = client.post("/reports/settings", data={"bm6_pre16": "2", "bm6_post16": "1"})
    assert response.status_code == 303
    page = client.get("/reports/benchmarks").get_data(as_text=True)
    assert "switched off the level 6 requirement" in page
    with app.app_context():
        assert db.session.get(School, school.id).settings["guidance_needs_level6"] is False


def test_in_progress_cells_are_not_low(client, lead, pupils):
    client.login("lead")
    page = client.get("/reports/benchmarks").get_data(as_text=True)
    assert re.search(r'<td class="cell cell--progress">', page)
    assert "In progress: the deadline is in a later year group" in page
    year8 = re.findall(r'<a class="cell__link" href="/reports/benchmarks/bm6_pre16/8[^"]*">'
                       r'.*?<span class="cell__band">([^<]+)</span>', page, re.S)
    assert year8 == ["In progress"]
    year11 = re.findall(r'href="/reports/benchmarks/bm8_pre16/11[^"]*">.*?'
                        r'<span class="cell__band">([^<]+)</span>', page, re.S)
    assert year11 == ["Low"]


def test_the_rules_are_explained_in_plain_words(client, lead):
    client.login("lead")
    page = client.get("/reports/benchmarks").get_data(as_text=True)
    for words in ("Who is on roll", "Joiners and leavers", "“Offered”", "level 6",
                  "Dates after today", "In progress", "census days"):
        assert words in page, words


def test_migration_0019_carries_offers_and_the_level_6_default_over(app, app_ctx, school,
                                                                    make_school, make_pupil,
                                                                    make_encounter):
    other = make_school(settings={"guidance_needs_level6": False, "thresholds": {"bm6_pre16": 3}})
    whole = [make_pupil(12, on=date(2025, 10, 1)) for _ in range(4)]
    targeted = make_encounter(whole[:1], K.COLLEGE, date(2025, 10, 2))   # 1 of 4: targeted
    year_talk = make_encounter(whole[:3], K.COLLEGE, date(2025, 10, 3))  # 3 of 4: the year
    invited = make_encounter([], K.COLLEGE, date(2025, 10, 4), invited_groups="yg:12\ntg:12A")
    db.session.remove()
    downgrade(revision="0018")
    try:
        assert "encounter_offer" not in db.inspect(db.engine).get_table_names()
    finally:
        upgrade()
    offers = {(o.encounter_id, o.cohort) for o in db.session.scalars(select(EncounterOffer))}
    cohort = whole[0].cohort
    assert offers == {(year_talk.id, cohort), (invited.id, cohort)}
    assert targeted.id not in {e for e, _c in offers}
    raw = db.session.execute(text("SELECT settings FROM school WHERE id = :i"),
                             {"i": other.id}).scalar()
    settings = json.loads(raw) if isinstance(raw, str) else raw
    assert settings == {"guidance_needs_level6": True, "thresholds": {"bm6_pre16": 3}}

"""The work experience report (one aggregate query), the chase list, the CSV export, the
print layout and the "work experience" calendar feed (no pupil names)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event

from careers_app.domain.academic import academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models.base import utcnow
from careers_app.placements import report

from tests.calendar.feedcheck import assert_raw_text_rules, parse_strictly, vevents


@pytest.fixture
def year10(make_pupil):
    return [make_pupil(year=10, tutor_group="10A", legal_forename=f"P{n}", surname=f"S{n}")
            for n in range(5)]


def test_per_year_group_figures_in_one_query(app, year10, make_pupil, make_placement,
                                             make_organisation, make_feedback,
                                             past_week_dates):
    start, end = past_week_dates
    acme = make_organisation("Acme")
    a, b, c, d, _e = year10
    done = make_placement(a, acme, start=start, end=end, status="evaluated",
                          evaluated_at=utcnow())
    make_feedback(done)
    make_placement(a, acme, start=start - timedelta(days=7), end=start - timedelta(days=3),
                   status="completed")                            # a: 10 days in two weeks
    make_placement(b, acme, start=start, end=start + timedelta(days=1), status="completed")
    make_placement(c, acme, start=start, end=end, status="under_way")   # not completed
    make_placement(d, acme, start=start, end=end, status="cancelled", cancel_reason="x")
    year11 = make_pupil(year=11)
    make_placement(year11, acme, start=start, end=end, status="completed")
    today = today_london()
    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rows = {r.year_group: r for r in report.year_group_report(
                a.school_id, academic_year_of(today), today)}
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT")] == statements[-1:]
    y10 = rows[10]
    assert (y10.pupils, y10.completed, y10.feedback, y10.evaluated) == (5, 2, 1, 1)
    assert y10.buckets == {"0 days": 3, "1-4 days": 1, "5-9 days": 0, "10 or more days": 1}
    assert (y10.completed_percent, y10.feedback_percent) == (40, 20)
    assert rows[11].completed == 1 and rows[11].buckets["5-9 days"] == 1
    assert rows[7].pupils == 0 and rows[7].completed_percent is None


def test_nothing_in_the_future_counts_as_done(app, year10, make_placement, make_organisation,
                                              coming_week_dates):
    start, end = coming_week_dates
    make_placement(year10[0], make_organisation("Acme"), start=start, end=end,
                   status="completed")  # wrongly marked: its days have not come
    today = today_london()
    with app.app_context():
        rows = {r.year_group: r for r in report.year_group_report(
            year10[0].school_id, academic_year_of(today), today)}
    assert rows[10].completed == 0 and rows[10].buckets["0 days"] == 5


def test_the_chase_list(app, year10, make_week, make_placement, make_organisation,
                        coming_week_dates, past_week_dates, lead, client):
    start, end = coming_week_dates
    week = make_week(start, end, cohort=year10[0].cohort)
    acme = make_organisation("Acme")
    a, b, c, d, e = year10
    make_placement(a, acme, week=week, start=start, end=end, status="arranged")
    make_placement(b, week=week, start=start, end=end)                    # no employer
    stuck = make_placement(c, acme, week=week, start=start, end=end, status="arranged",
                           status_since=today_london() - timedelta(days=9))
    make_placement(d, acme, week=week, start=start, end=end, status="cancelled",
                   cancel_reason="Moved")
    # e has no placement in the week at all (joined after it was planned).
    old_start, old_end = past_week_dates
    forgotten = make_placement(e, acme, start=old_start, end=old_end, status="under_way")
    with app.app_context():
        chase = report.chase_list(a.school_id, today_london())
    assert len(chase.weeks) == 1
    entry = chase.weeks[0]
    assert {r.pupil.id for r in entry.without_employer} == {b.id, e.id}
    assert [p.id for p in entry.stuck] == [stuck.id]
    assert set(entry.pupil_ids) == {b.id, c.id, e.id}
    assert [p.id for p in chase.stuck_elsewhere] == [forgotten.id]
    # One click opens the assign table for exactly those pupils.
    client.login("lead")
    page = client.get("/placements/report").get_data(as_text=True)
    link = page.split("Open the assign table for these 3 pupils")[0].rsplit('href="', 1)[1]
    link = link.split('"')[0].replace("&amp;", "&")
    table = client.get(link, htmx=True).get_data(as_text=True)
    assert sorted(n for n in ("S0", "S1", "S2", "S3", "S4") if f"{n}, P" in table) == [
        "S1", "S2", "S4"]


def test_a_week_far_off_is_not_chased_yet(app, year10, make_week, make_placement):
    start = today_london() + timedelta(days=60)
    week = make_week(start, start + timedelta(days=4), cohort=year10[0].cohort)
    make_placement(year10[0], week=week, start=week.start_on, end=week.end_on)
    with app.app_context():
        assert report.chase_list(year10[0].school_id, today_london()).empty


def test_csv_export_neutralises_formulas(app, client, lead, make_pupil, make_placement,
                                         make_organisation, past_week_dates):
    start, end = past_week_dates
    pupil = make_pupil(legal_forename="=HYPERLINK(\"x\")", surname="+Evil")
    make_placement(pupil, make_organisation("@Acme"), start=start, end=end, status="completed",
                   employer_task="-1+1", contact_name="=cmd|' /C calc'!A0")
    client.login("lead")
    response = client.get("/placements/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["UPN", "Surname", "Forename"]
    assert len(rows) == 2
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert "'+Evil" in rows[1] and "'@Acme" in rows[1]
    assert client.get("/placements/report.csv?year=1999").status_code == 400


def test_print_layout(app, client, lead, year10, make_placement, make_organisation,
                      past_week_dates):
    start, end = past_week_dates
    make_placement(year10[0], make_organisation("Acme"), start=start, end=end,
                   status="completed")
    client.login("lead")
    page = client.get("/placements/report/print").get_data(as_text=True)
    assert 'class="print-report"' in page and "Year 10" in page and "Printed" in page
    assert "Open the assign table" not in page


def test_the_work_experience_calendar_has_no_pupil_names(app, client, lead, year10,
                                                         make_placement, make_organisation,
                                                         coming_week_dates):
    from careers_app.calendar.services import new_token
    from careers_app.models import CalendarToken
    from tests.helpers import persist as _persist

    start, end = coming_week_dates
    acme, bank = make_organisation("Acme Ltd"), make_organisation("Harbour Bank")
    for pupil in year10[:3]:
        make_placement(pupil, acme, start=start, end=end, status="arranged")
    make_placement(year10[3], bank, start=start, end=start + timedelta(days=1),
                   status="checks_done")
    make_placement(year10[4], bank, start=start, end=end, status="cancelled",
                   cancel_reason="Ill")
    token, digest = new_token()
    _persist(app, CalendarToken(school_id=lead.school_id, user_id=lead.id,
                                scope="placements", token_hash=digest))
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    feed = response.get_data(as_text=True)
    assert feed.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Work experience: Acme Ltd (3 pupils)" in feed
    assert "SUMMARY:Work experience: Harbour Bank (1 pupil)" in feed
    assert f"DTSTART;VALUE=DATE:{start:%Y%m%d}" in feed
    assert f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}" in feed  # all the days
    assert_raw_text_rules(response.get_data())
    _ical, vcal, _ics = parse_strictly(response.get_data())
    spans = sorted((e.dtstart.value, e.dtend.value) for e in vevents(vcal))
    assert spans == sorted([(start, end + timedelta(days=1)),
                            (start, start + timedelta(days=2))])
    for pupil in year10:
        assert pupil.surname not in feed and pupil.legal_forename not in feed
    # A change moves the ETag on, so calendars fetch the new counts.
    etag = response.headers["ETag"]
    assert client.get(f"/calendar/{token}.ics",
                      headers={"If-None-Match": etag}).status_code == 304
    make_placement(year10[4], acme, start=start, end=end, status="arranged",
                   week_id=None)
    again = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 200 and "Acme Ltd (4 pupils)" in again.get_data(as_text=True)


def test_the_calendar_page_offers_work_experience(app, client, tutor):
    client.login("tutor")
    page = client.get("/calendar").get_data(as_text=True)
    assert "Work experience" in page
    response = client.post("/calendar", data={"scope": "placements", "plan_id": "0"})
    assert response.status_code == 201
    assert "Your new link: Work experience" in response.get_data(as_text=True)

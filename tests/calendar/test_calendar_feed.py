"""The iCalendar feeds: strict parsing by three independent parsers, the raw-text rules,
stable output, SEQUENCE, deletions, time zones, HTTP caching and token handling."""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from careers_app.calendar import services as calendar_services
from careers_app.calendar.ical import FeedEvent, build_feed
from careers_app.logfilter import TokenRedactingFilter, redact
from careers_app.database import write_transaction
from careers_app.extensions import db
from careers_app.models import CalendarToken, Role, User
from careers_app.models.plans import Milestone

from tests.calendar.feedcheck import assert_raw_text_rules, parse_strictly, props, vevents

TRICKY = "Careers fair, Y10; parents\\carers\nSecond line – café ✓"
UTC = timezone.utc


def _feed(client, token, **headers):
    return client.get(f"/calendar/{token}.ics", headers=headers)


# The generator on its own -----------------------------------------------------------------

def _event(**overrides) -> FeedEvent:
    values = dict(uid="m-1@careers-tracker", summary="Careers focus day", day=date(2026, 11, 5),
                  sequence=0, created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                  last_modified=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC))
    values.update(overrides)
    return FeedEvent(**values)


def test_calendar_properties_and_vtimezone_in_rrule_form():
    lines = assert_raw_text_rules(build_feed("Plan – milestones", [_event()]))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    for expected in ("VERSION:2.0", "METHOD:PUBLISH", "NAME:Plan – milestones",
                     "X-WR-CALNAME:Plan – milestones", "X-WR-TIMEZONE:Europe/London",
                     "REFRESH-INTERVAL;VALUE=DURATION:PT12H", "X-PUBLISHED-TTL:PT12H",
                     "TZID:Europe/London"):
        assert expected in lines, expected
    assert props(lines, "PRODID")
    assert props(lines, "RRULE") == ["RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
                                     "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"]
    assert not props(lines, "RDATE"), "Outlook ignores RDATE"


def test_all_day_milestone_is_a_transparent_date_with_exclusive_end():
    lines = assert_raw_text_rules(build_feed("x", [_event(day=date(2026, 2, 28))]))
    assert "DTSTART;VALUE=DATE:20260228" in lines
    assert "DTEND;VALUE=DATE:20260301" in lines
    assert "TRANSP:TRANSPARENT" in lines


def test_text_escaping_and_folding_without_splitting_utf8():
    long_title = TRICKY + " " + "é" * 80
    body = build_feed("x", [_event(summary=long_title, description=TRICKY)])
    lines = assert_raw_text_rules(body)
    summary = props(lines, "SUMMARY")[0]
    assert summary.startswith(
        "SUMMARY:Careers fair\\, Y10\\; parents\\\\carers\\nSecond line – café ✓ é")
    assert any(len(line.encode()) > 75 for line in lines), "the long line was folded"
    ical_cal, vobject_cal, ics_cal = parse_strictly(body)
    assert ical_cal.events[0].summary == long_title
    assert vevents(vobject_cal)[0].summary.value == long_title
    assert next(iter(ics_cal.events)).name == long_title


def test_generation_uses_only_the_values_given():
    events = [_event(), _event(uid="m-2@careers-tracker", start_time=time(9), end_time=time(10))]
    assert build_feed("x", events) == build_feed("x", events)
    lines = assert_raw_text_rules(build_feed("x", events))
    assert props(lines, "DTSTAMP") == ["DTSTAMP:20260203T040506Z"] * 2
    assert props(lines, "LAST-MODIFIED") == ["LAST-MODIFIED:20260203T040506Z"] * 2


# Through the app ------------------------------------------------------------------------

@pytest.fixture
def bst_feed(lead, make_item, make_milestone, make_link):
    """A plan with an all-day milestone, a tricky title and a timed milestone in BST."""
    item = make_item(lead_user_id=lead.id, lead_name="")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    plain = make_milestone(item, title="Careers focus day 1", date=date(2026, 11, 5),
                           created_at=yesterday, updated_at=yesterday)
    tricky = make_milestone(item, title=TRICKY, date=date(2026, 3, 3))
    fair = make_milestone(item, title="Careers fair", date=date(2026, 6, 19),
                          start_time=time(9, 0), end_time=time(15, 0))
    row, token = make_link(lead, "all")
    return {"item": item, "plain": plain, "tricky": tricky, "fair": fair, "token": token,
            "row": row}


def test_feed_parses_strictly_with_three_parsers(client, bst_feed):
    response = _feed(client, bst_feed["token"])
    assert response.status_code == 200
    body = response.get_data()
    lines = assert_raw_text_rules(body)
    ical_cal, vobject_cal, ics_cal = parse_strictly(body)
    summaries = {"Careers focus day 1", TRICKY, "Careers fair"}
    assert {e.summary for e in ical_cal.events} == summaries
    assert {e.summary.value for e in vevents(vobject_cal)} == summaries
    assert {e.name for e in ics_cal.events} == summaries
    assert props(lines, "UID") == sorted(props(lines, "UID"), key=props(lines, "UID").index)
    assert len(set(props(lines, "UID"))) == 3


def test_bst_time_reads_as_eight_utc_in_every_parser(client, bst_feed):
    body = _feed(client, bst_feed["token"]).get_data()
    lines = assert_raw_text_rules(body)
    assert "DTSTART;TZID=Europe/London:20260619T090000" in lines
    assert "DTEND;TZID=Europe/London:20260619T150000" in lines
    ical_cal, vobject_cal, ics_cal = parse_strictly(body)
    eight = datetime(2026, 6, 19, 8, 0, tzinfo=UTC)
    [fair] = [e for e in ical_cal.events if e.summary == "Careers fair"]
    assert fair.dtstart.astimezone(UTC) == eight
    assert fair.dtend.astimezone(UTC) == eight + timedelta(hours=6)
    [fair] = [e for e in vevents(vobject_cal) if e.summary.value == "Careers fair"]
    assert fair.dtstart.value.astimezone(UTC) == eight
    [fair] = [e for e in ics_cal.events if e.name == "Careers fair"]
    assert fair.begin.to("utc").datetime == eight


def test_two_renders_of_unchanged_data_are_byte_identical(client, bst_feed):
    first = _feed(client, bst_feed["token"])
    second = _feed(client, bst_feed["token"])
    assert first.get_data() == second.get_data()
    assert first.headers["ETag"] == second.headers["ETag"]


def _sequence_of(lines, uid):
    start = lines.index(f"UID:{uid}")
    block_start = max(i for i in range(start) if lines[i] == "BEGIN:VEVENT")
    block_end = lines.index("END:VEVENT", start)
    block = lines[block_start:block_end]
    return int(props(block, "SEQUENCE")[0].split(":")[1]), block


def test_an_edit_bumps_sequence_and_last_modified_and_the_etag(app, client, bst_feed):
    uid = bst_feed["plain"].uid
    before = _feed(client, bst_feed["token"])
    sequence_before, block_before = _sequence_of(assert_raw_text_rules(before.get_data()), uid)
    with app.app_context():
        with write_transaction():
            milestone = db.session.get(Milestone, bst_feed["plain"].id)
            milestone.title = "Careers focus day 1 (moved)"
            milestone.date = date(2026, 11, 12)
        db.session.remove()
    after = _feed(client, bst_feed["token"], **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    lines = assert_raw_text_rules(after.get_data())
    parse_strictly(after.get_data())
    sequence_after, block = _sequence_of(lines, uid)
    assert sequence_after == sequence_before + 1
    assert "SUMMARY:Careers focus day 1 (moved)" in block
    assert props(block, "LAST-MODIFIED") != props(block_before, "LAST-MODIFIED")
    assert props(block, "DTSTAMP")[0].split(":")[1] == props(block, "LAST-MODIFIED")[0].split(":")[1]
    assert f"UID:{uid}" in lines  # the UID never changes


def test_a_deleted_milestone_is_simply_absent(app, client, bst_feed):
    before = _feed(client, bst_feed["token"])
    assert f"UID:{bst_feed['tricky'].uid}" in assert_raw_text_rules(before.get_data())
    with app.app_context():
        with write_transaction():
            db.session.delete(db.session.get(Milestone, bst_feed["tricky"].id))
        db.session.remove()
    after = _feed(client, bst_feed["token"], **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    lines = assert_raw_text_rules(after.get_data())
    assert f"UID:{bst_feed['tricky'].uid}" not in lines
    assert len(props(lines, "UID")) == 2
    parse_strictly(after.get_data())


def test_http_headers(client, bst_feed):
    response = _feed(client, bst_feed["token"])
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith("GMT")


def test_conditional_requests_get_304(client, bst_feed):
    first = _feed(client, bst_feed["token"])
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_etag = _feed(client, bst_feed["token"], **{"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.get_data() == b""
    assert by_etag.headers["ETag"] == etag
    by_date = _feed(client, bst_feed["token"], **{"If-Modified-Since": modified})
    assert by_date.status_code == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    stale = _feed(client, bst_feed["token"], **{"If-None-Match": '"stale"',
                                               "If-Modified-Since": modified})
    assert stale.status_code == 200


def test_the_scopes_show_what_they_say(client, make_user, make_plan, make_item, make_milestone,
                                       make_link, lead):
    staff = make_user("teacher", Role.STAFF)
    plan_a, plan_b = make_plan(title="Plan A"), make_plan(title="Plan B")
    mine = make_milestone(make_item(plan_a, lead_user_id=staff.id), title="Mine")
    theirs = make_milestone(make_item(plan_b, lead_user_id=lead.id), title="Theirs")
    expectations = {("all", None): {mine.uid, theirs.uid}, ("mine", None): {mine.uid},
                    ("plan", plan_b.id): {theirs.uid}, ("events", None): set()}
    for (scope, plan_id), uids in expectations.items():
        _row, token = make_link(staff, scope, plan_id)
        lines = assert_raw_text_rules(_feed(client, token).get_data())
        assert {line[4:] for line in props(lines, "UID")} == uids, scope


def test_planned_events_feed_has_no_pupil_data(client, make_encounter, make_pupil, lead,
                                               make_link):
    pupil = make_pupil(legal_forename="Zebedee", surname="Quixote")
    make_encounter(pupils=[pupil], title="Logged talk")  # a quick-logged encounter: not in the feed
    planned = make_encounter(title="Careers fair", on=date(2026, 6, 19), planned=True,
                             start_time=time(9), end_time=time(15), location="Sports hall",
                             invited_groups="tg:10A\nyg:11", notes="Zebedee Quixote needs a ramp")
    deleted = make_encounter(title="Cancelled visit", planned=True, start_time=time(9),
                             end_time=time(10), deleted_at=datetime.now(UTC))
    _row, token = make_link(lead, "events")
    body = _feed(client, token).get_data()
    lines = assert_raw_text_rules(body)
    ical_cal, vobject_cal, ics_cal = parse_strictly(body)
    assert [e.summary for e in ical_cal.events] == ["Careers fair"]
    assert "LOCATION:Sports hall" in lines
    assert "Tutor group 10A\\, Year 11" in props(lines, "DESCRIPTION")[0]
    assert ical_cal.events[0].dtstart.astimezone(UTC) == datetime(2026, 6, 19, 8, tzinfo=UTC)
    text = body.decode()
    for secret in ("Zebedee", "Quixote", "ramp", pupil.upn, "Logged talk", "Cancelled"):
        assert secret not in text
    assert f"UID:{calendar_services.event_uid(planned.id)}" in lines
    assert deleted.id != planned.id


def test_event_sequence_goes_up_when_the_event_changes(app, client, make_encounter, lead,
                                                      make_link):
    from careers_app.models import Encounter

    event = make_encounter(title="Careers fair", planned=True, start_time=time(9),
                           end_time=time(15), on=date(2026, 6, 19))
    _row, token = make_link(lead, "events")
    before = _feed(client, token)
    seq_before, _ = _sequence_of(assert_raw_text_rules(before.get_data()),
                                 calendar_services.event_uid(event.id))
    with app.app_context():
        # Two edits within the same second still count as two changes.
        for place in ("Sports hall", "Main hall"):
            with write_transaction():
                row = db.session.get(Encounter, event.id)
                row.location = place
                row.updated_at = row.updated_at + timedelta(seconds=5) if row.updated_at.tzinfo \
                    else row.updated_at.replace(tzinfo=UTC) + timedelta(seconds=5)
        db.session.remove()
    after = _feed(client, token, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    seq_after, block = _sequence_of(assert_raw_text_rules(after.get_data()),
                                    calendar_services.event_uid(event.id))
    assert seq_after == seq_before + 2
    assert "LOCATION:Main hall" in block


# Tokens -----------------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["nope", "x" * 43, "../../etc/passwd", "a" * 200])
def test_wrong_tokens_get_404_never_a_login_redirect(client, token, bst_feed):
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert "Location" not in response.headers


def test_revoked_token_gets_404(app, client, bst_feed):
    assert _feed(client, bst_feed["token"]).status_code == 200
    with app.app_context():
        calendar_services.revoke_token(db.session.get(CalendarToken, bst_feed["row"].id))
        db.session.remove()
    assert _feed(client, bst_feed["token"]).status_code == 404


@pytest.mark.parametrize("change", [{"active": False}, {"role": Role.PUPIL}])
def test_disabled_or_demoted_owner_gets_404(app, client, bst_feed, lead, change):
    with app.app_context():
        with write_transaction():
            user = db.session.get(User, lead.id)
            for key, value in change.items():
                setattr(user, key, value)
        db.session.remove()
    response = _feed(client, bst_feed["token"])
    assert response.status_code == 404
    assert "Location" not in response.headers


def test_tokens_are_long_random_and_stored_only_as_a_hash(app, app_ctx, lead):
    user = db.session.get(User, lead.id)
    row, token = calendar_services.create_token(user, "all", None)
    assert len(token) >= 43  # 32 bytes = 256 bits, base64url
    stored = db.session.scalars(select(CalendarToken.token_hash)).all()
    assert stored == [calendar_services.hash_token(token)]
    assert token not in stored[0]


def test_last_used_is_recorded(app, client, bst_feed):
    _feed(client, bst_feed["token"])
    with app.app_context():
        row = db.session.get(CalendarToken, bst_feed["row"].id)
        assert row.last_used_at is not None


def test_tokens_never_reach_the_logs(client, bst_feed, caplog):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '%s - - [x] "%s" %s %s', (
                                   "127.0.0.1", f"GET /calendar/{bst_feed['token']}.ics HTTP/1.1",
                                   "200", "-"), None)
    TokenRedactingFilter().filter(record)
    assert bst_feed["token"] not in record.getMessage()
    assert "/calendar/[token].ics" in record.getMessage()
    gunicorn = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s",
                                 None, None)
    gunicorn.args = {"r": f"GET /calendar/{bst_feed['token']}.ics HTTP/1.1", "s": "200"}
    TokenRedactingFilter().filter(gunicorn)
    assert bst_feed["token"] not in gunicorn.getMessage()
    assert redact(f"/calendar/{bst_feed['token']}.ics?x=1") == "/calendar/[token].ics?x=1"
    # The filter is installed on the access loggers the app uses.
    assert any(isinstance(f, TokenRedactingFilter) for f in logging.getLogger("werkzeug").filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"GET /calendar/%s.ics HTTP/1.1" 200', bst_feed["token"])
    assert bst_feed["token"] not in caplog.text


def _icalendar_event(item):
    """The same VEVENT built with icalendar's own components: the reference."""
    from icalendar import Event

    from careers_app.calendar.ical import LONDON, as_utc
    event = Event()
    stamp = as_utc(item.last_modified)
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("created", as_utc(item.created))
    event.add("last-modified", stamp)
    event.add("sequence", item.sequence)
    event.add("summary", item.summary)
    if item.all_day:
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", datetime.combine(item.day, item.start_time, tzinfo=LONDON))
        event.add("dtend", datetime.combine(item.day, item.end_time, tzinfo=LONDON))
        event.add("transp", "OPAQUE")
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.categories:
        event.add("categories", list(item.categories))
    return event


def build_feed_uncached(name, events):
    from careers_app.calendar.ical import _calendar
    cal = _calendar(name)
    for item in events:
        cal.add_component(_icalendar_event(item))
    return cal.to_ical()


def test_cached_assembly_is_byte_identical_to_icalendar_in_one_piece():
    from careers_app.calendar.ical import event_bytes
    events = [_event(), _event(uid="m-2@careers-tracker", summary=TRICKY, start_time=time(9),
                               end_time=time(15), day=date(2026, 6, 19)),
              _event(uid="m-3@careers-tracker", summary="é" * 60 + "\\" * 30 + "x" * 100,
                     description="a;b,c\r\nd\re", location="Hall, 2", categories=("A,B", "C"))]
    event_bytes.cache_clear()
    assert build_feed("Plan – x", events) == build_feed_uncached("Plan – x", events)
    assert build_feed("Plan – x", events) == build_feed_uncached("Plan – x", events)  # warm

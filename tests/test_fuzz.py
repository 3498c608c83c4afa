"""Property tests: user text never becomes markup, and no input makes the server fail (500).

Hypothesis drives every form and query parameter of every route in `app.url_map`, so new
routes are covered without editing this file.
"""
from __future__ import annotations

import itertools
import os
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlalchemy import select

from careers_app.domain.academic import academic_year_of, cohort_for
from careers_app.domain.dates import today_london
from careers_app.domain.upn import make_upn
from careers_app.extensions import db
from careers_app.models import Encounter, EncounterBenchmark, Organisation, Participation, Pupil
from careers_app.models.plans import ActionPlan, PlanItem

# FUZZ_EXAMPLES=500 for a long, random run; the suite runs a short, repeatable one.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")), deadline=None,
                derandomize=not os.environ.get("FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
_serial = itertools.count(500)


class MarkupCheck(HTMLParser):
    """Fails if the marker turns up as an element, an attribute name, or an event/hx value."""

    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.marker in tag:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            value = value or ""
            if self.marker in name:
                self.problems.append(f"attribute {name}")
            if (name.startswith("on") or name.startswith("hx-") or name == "id") \
                    and self.marker in value:
                self.problems.append(f"{name}={value!r} on <{tag}>")


def payload(marker: str, text: str) -> str:
    return (f'{text}<i id="{marker}" onclick="{marker}" hx-get="/{marker}">{marker}</i>'
            f'"\' onmouseover="{marker}" {marker}=1 hx-post="/{marker}" ></textarea>')


def assert_no_markup(html: str, marker: str, where: str) -> None:
    checker = MarkupCheck(marker)
    checker.feed(html)
    assert checker.problems == [], f"{where}: {checker.problems}"


def _store_everything_named(app, school_id: int, name: str) -> dict:
    """An encounter, organisation, pupil and plan whose user-entered text is `name`."""
    year = academic_year_of(today_london())
    with app.app_context():
        n = next(_serial)
        pupil = Pupil(school_id=school_id, upn=make_upn(886, 4999, 30 + n // 1000, n % 1000),
                      legal_forename=name[:100], surname=name[:100], cohort=cohort_for(10, year),
                      tutor_group="10A")
        organisation = Organisation(school_id=school_id, name=f"{n} {name}"[:200], kind="employer")
        encounter = Encounter(school_id=school_id, title=name[:200], kind="employer_talk",
                              date=today_london(), academic_year=year, notes=name,
                              organisation=organisation,
                              benchmark_rows=[EncounterBenchmark(benchmark=5)])
        encounter.participations = [Participation(school_id=school_id, pupil=pupil,
                                                  reflection=name, agreed_actions=name)]
        plan = ActionPlan(school_id=school_id, title=name[:200], period=name[:40])
        item = PlanItem(school_id=school_id, plan=plan, benchmark=5, aim=name, actions=name,
                        lead_name=name[:120])
        db.session.add_all([pupil, organisation, encounter, plan, item])
        db.session.commit()
        from careers_app.benchmark_audit.services import get_answer, save_answer, start_audit
        from careers_app.models import User
        lead = db.session.scalar(select(User).where(User.school_id == school_id,
                                                    User.role == "admin"))
        audit = start_audit(school_id, lead, name[:200], year, False)
        save_answer(audit, get_answer(audit, "bm2_impartial_access"), "partial", name, lead, None)
        return {"pupil": pupil.id, "encounter": encounter.id, "plan": plan.id, "item": item.id,
                "audit": audit.id}


@FUZZ
@given(text=st.text(max_size=30))
def test_user_text_never_becomes_markup(app, client, lead, school, text):
    marker = f"zq{next(_serial)}x"
    name = payload(marker, text)
    ids = _store_everything_named(app, school.id, name)
    if client.csrf_token is None:
        client.login("lead")
    pages = [
        ("/encounters/", False), (f"/encounters/?q={marker}", True),
        (f"/encounters/{ids['encounter']}", False), ("/pupils/", False),
        (f"/pupils/?q={marker}", True), (f"/pupils/{ids['pupil']}", False),
        ("/plans", False), (f"/plans/{ids['plan']}", False), (f"/plans/items/{ids['item']}", True),
        (f"/plans/{ids['plan']}/print", False), (f"/encounters/organisations?organisation={marker}", True),
        ("/audit", False), (f"/audit/{ids['audit']}", False), (f"/audit/{ids['audit']}/answer", False),
        (f"/audit/{ids['audit']}/print", False),
        ("/", False),
    ]
    for url, htmx in pages:
        response = client.get(url, htmx=htmx)
        assert response.status_code == 200, url
        assert_no_markup(response.get_data(as_text=True), marker, url)


def test_the_markup_check_can_fail():
    with pytest.raises(AssertionError):
        assert_no_markup('<p><i id="zq1x">x</i></p>', "zq1x", "example")
    with pytest.raises(AssertionError):
        assert_no_markup('<p><b onclick="zq1x">x</b></p>', "zq1x", "example")
    assert_no_markup('<p>&lt;i id="zq1x"&gt;</p><input value="zq1x">', "zq1x", "escaped")


# ---------------------------------------------------------------------------------------------
# No 500s, whatever arrives.

FIELD_NAMES = ["q", "page", "group", "year_group", "tutor_group", "kind", "date", "date_from",
               "date_to", "title", "organisation", "organisation_kind", "meaningful", "notes",
               "benchmarks", "pupil_ids", "pupil", "send", "disadvantaged", "looked_after",
               "status", "submission_key", "show_pupils", "period", "owner_id", "benchmark",
               "aim", "actions", "lead_id", "lead_name", "resources", "cost", "success_criteria",
               "rag", "status_note", "start_time", "end_time", "location", "invited_groups",
               "scope", "plan_id", "done", "upn", "surname", "legal_forename", "year",
               "leaving_year", "year_after", "provider", "checked_on", "adviser_name",
               "adviser_level6", "agreed_actions", "notes_staff_only", "username", "action",
               "current_password", "new_password", "confirm_password", "confirm_upn", "reset",
               "mark_leavers", "academic_year", "plan", "rating", "copy_previous",
               "careers_leader", "governor", "programme_url", "last_review", "achieved",
               "partial_above", "bm5_pre16-rating", "bm5_pre16-evidence"]
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "2026-02-30", "2026-13-01", "1e9",
                     "tg:", "yg:99", "yg:10", "tg:10A", "null", "\x00", "🙂", "../../etc",
                     "' OR 1=1 --", "%", "_", "\\", "9" * 400]),
)
PARAMS = st.dictionaries(st.sampled_from(FIELD_NAMES), st.one_of(NASTY, st.lists(NASTY, max_size=3)),
                         max_size=6)
SKIP = {"static", "auth.logout", "calendar.feed"}


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in SKIP:
            yield rule


def _url(rule, ids: dict[str, int], fallback: int) -> str:
    def value(match):
        name = match.group(1)
        if name in ids:
            return str(ids[name])
        return str(fallback) if "int" in match.group(0) else "nonexistent-token"
    return re.sub(r"<(?:\w+:)?(\w+)>", value, rule.rule)


@FUZZ
@given(params=PARAMS, fallback=st.sampled_from([1, 2, 999999]))
def test_no_input_makes_the_server_fail(app, client, lead, school, params, fallback):
    if client.csrf_token is None:
        client.login("lead")
    ids = _store_everything_named(app, school.id, "Fuzz target")
    ids = {"pupil_id": ids["pupil"], "encounter_id": ids["encounter"], "plan_id": ids["plan"],
           "item_id": ids["item"], "audit_id": ids["audit"], "key": "bm5_pre16"}
    for rule in _routes(app):
        url = _url(rule, ids, fallback)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url, query_string=params)
            else:
                response = client.open(url, method=method, data=params)
            assert response.status_code < 500, (method, url, params, response.status_code)
            if client.get("/encounters/").status_code != 200:  # e.g. a password change
                client.login("lead")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@FUZZ
@given(text=st.text(max_size=20), start=st.sampled_from(["=", "+", "-", "@", "\t", "=HYPERLINK(",
                                                         "<b "]))
def test_csv_exports_never_carry_formulas_or_markup(app, client, lead, school, text, start):
    import csv
    import io

    marker = f"zq{next(_serial)}x"
    name = f"{start}{marker}{text}"
    _store_everything_named(app, school.id, name)
    if client.csrf_token is None:
        client.login("lead")
    for url in ("/reports/encounters.csv", "/reports/benchmarks.csv",
                "/reports/benchmarks/bm5_year/10.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        # A CSV is never rendered as a page: a download, and the browser may not sniff it.
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        cells = [cell for row in csv.reader(io.StringIO(response.get_data(as_text=True)))
                 for cell in row]
        for cell in cells:
            assert not cell.startswith(FORMULA_STARTS), (url, cell)
        if url.startswith("/reports/encounters"):
            assert any(marker in cell for cell in cells), "the hostile title is exported"


# ---------------------------------------------------------------------------------------------
# Every route x every form field, with the whole of Unicode, as a careers leader, a pupil and
# nobody at all. The fields are discovered, not listed: every field of every form class, and
# every name a view reads from request.args/form/values/files. Each request carries every
# field with a valid value except a few, drawn from the full Unicode range (NUL and other
# controls included), known troublemakers, and valid values with one of those spliced in;
# so requests get past validation and reach the services and the database, where a 500 hides.
# FUZZ_EXAMPLES=300 FUZZ_REPORT=figures.jsonl for a long run that records its figures.

import functools  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
from collections import Counter  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
RAW_NAME_RE = re.compile(r"request\.(?:args|form|values|files)\.get(?:list)?\(\s*\"(\w+)\"")
# Sending a bogus CSRF field would only ever test CSRF; the header carries the real token.
NOT_FUZZED = {"csrf_token"}

TROUBLE = [
    "", " ", "0", "-1", "1.5", "2147483647", "2147483648", "-2147483649", "9" * 30, "9" * 5000,
    "²", "٣", "١٠", "１０", "߃", "𝟙𝟘", "Ⅻ", "½", "yg:²", "yg:١٠", "yg:99", "tg:", "tg:" + "x" * 30,
    "\x00", "a\x00b", "\x1b[31m", "\x07", "\x7f", "\r", "\r\n", "\t", "\x85", "\u2028",
    "\ufeff", "\u202e", "e\u0301", "ﬃ", "İ", "ß", "\U0001F642", "\U0010FFFF", "\ufffd",
    "9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2026-02-30", "2026-13-01",
    "٢٠٢٦-٠٣-٠٣", "2026-03-03T10:00", "31/02/2025", "25:61", "09:00", "NaN", "sNaN", "-NaN",
    "Infinity", "-Infinity", "1e3", "1e-9", "-0", "0x10", "1_000", "1,2,3", "£", "£-5",
    "null", "None", "true", "[]", "{}", "' OR 1=1 --", "%", "_", "\\", "../../etc/passwd",
    "A" * 201, "A" * 2001, "<b>x</b>", "javascript:alert(1)", "https://",
]
# Every code point except lone surrogates (which no UTF-8 request can carry) and NUL, which
# TROUBLE sends on its own: in every random string it would turn most requests into the
# guard's 400 and hide everything behind it.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=["Cs"], exclude_characters="\x00"),
                   max_size=60)


def _spliced(valid: str):
    """A valid value with something nasty inserted somewhere in it."""
    return st.tuples(st.integers(0, max(len(valid), 0)), st.sampled_from(TROUBLE) | ANY_TEXT).map(
        lambda pair: valid[:pair[0]] + pair[1] + valid[pair[0]:])


@functools.lru_cache(maxsize=1)
def discovered_field_names() -> tuple[str, ...]:
    """Every field of every form class, and every name a view reads from the request.

    Called once the app exists (every blueprint, so every form, has been imported).
    """
    from wtforms.fields.core import UnboundField

    from careers_app.forms import Form

    names: set[str] = set()
    stack = [Form]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names.update(name for name in dir(cls)
                     if isinstance(getattr(cls, name, None), UnboundField))
    for path in (ROOT / "careers_app").rglob("*.py"):
        names.update(RAW_NAME_RE.findall(path.read_text()))
    names.update(f"col_{n}" for n in range(6))  # the import's mapping form, built per file
    return tuple(sorted(names - NOT_FUZZED))


def _baseline(ids: dict, upn: str) -> dict[str, object]:
    """A valid value for each field, so a request with a few bad fields reaches deep."""
    today = today_london().isoformat()
    year = str(academic_year_of(today_london()))
    return {
        "q": "fuzz", "page": "1", "group": "tg:10A", "year_group": "10", "tutor_group": "10A",
        "kind": "employer_talk", "date": today, "date_from": "2025-09-01", "date_to": today,
        "title": "Fuzz title", "organisation": "Fuzz Org", "organisation_kind": "",
        "meaningful": "y", "notes": "Notes", "benchmarks": "5", "pupil_ids": str(ids["pupil_id"]),
        "pupil": str(ids["pupil_id"]), "send": "", "disadvantaged": "", "looked_after": "",
        "status": "roll", "submission_key": f"fuzz-{next(_serial)}", "show_pupils": "",
        "period": "2025-27", "owner_id": "0", "benchmark": "5", "aim": "An aim",
        "actions": "Act", "lead_user_id": "0", "lead_name": "Adviser", "resources": "Time",
        "cost": "250", "success_criteria": "Done", "outcomes": "Good", "rag": "green",
        "status_note": "Fine", "status_date": today, "start_time": "09:00",
        "end_time": "10:00", "location": "Hall", "invited_groups": "tg:10A", "scope": "mine",
        "plan_id": str(ids["plan_id"]), "done": "1", "upn": upn, "surname": "Surname",
        "legal_forename": "Forename", "preferred_forename": "", "send_status": "N",
        "considering_he": "", "left_on": "", "year": year, "leaving_year": year,
        "year_after": "1", "provider": "College", "checked_on": today,
        "adviser_name": "Adviser", "adviser_level6": "y", "agreed_actions": "Visit",
        "notes_staff_only": "", "username": "nobody", "password": "not the password",
        "current_password": "not the password", "new_password": "a new pass phrase",
        "confirm_password": "a new pass phrase", "confirm_upn": "", "reset_existing": "",
        "mark_leavers": "", "plan": "new", "rating": "partial", "evidence": "Evidence",
        "copy_previous": "", "careers_leader": "Ms Lead", "governor_link": "Mr Gov",
        "programme_url": "https://example.org/careers", "last_review": "2025-09-01",
        "achieved": "100", "partial_above": "0", "bm6_pre16": "2", "bm6_post16": "1",
        "guidance_needs_level6": "", "context": "plan", "show": "all", "next": "/",
        "action": "", "reflection": "I learnt a lot", "confirm": "",
        "csv_text": "Aim/Benchmark,Lead\n5. Employers,Ms Lead\n",
        f"{ids['key']}-rating": "partial", f"{ids['key']}-evidence": "Evidence",
        f"e{ids['encounter_id']}-reflection": "Mine",
    }


PATH_TROUBLE = ["0", "٣", "１", "9" * 30, "2147483648", "\x00", "%00", "a b", "..", "ü"]


@st.composite
def fuzzed_request(draw):
    """Which fields to spoil and with what; whether the URL's own values are spoilt too."""
    # A shuffle spreads the spoilt fields evenly over a long run (sampled_from favours the
    # first names in the list).
    count = draw(st.integers(1, 4))
    spoilt = draw(st.permutations(discovered_field_names()))[:count]
    values = {}
    for name in spoilt:
        value = draw(st.one_of(st.sampled_from(TROUBLE), ANY_TEXT, _spliced("2026-03-03"),
                               _spliced("10"), _spliced("Fuzz title")))
        values[name] = draw(st.one_of(st.just(value), st.lists(st.just(value) | ANY_TEXT,
                                                                min_size=0, max_size=3)))
    path = draw(st.none() | st.sampled_from(PATH_TROUBLE) | ANY_TEXT.filter(bool))
    return values, path, draw(st.booleans())




def _report(**figures) -> None:
    path = os.environ.get("FUZZ_REPORT")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(figures) + "\n")


DESTRUCTIVE = ("delete", "erase", "cancel", "undo", "retention", "revoke", "confirm")


def _fuzz_order(app):
    """GETs first, then writes, then the writes that remove what later requests would need."""
    calls = [(rule, method) for rule in _routes(app)
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(calls, key=lambda call: (
        call[1] != "GET", call[1] != "GET" and any(w in call[0].endpoint for w in DESTRUCTIVE),
        call[0].rule))


def _fuzz_targets(app, school_id: int) -> dict:
    """Something real behind every URL: a pupil and a leaver, an encounter, a planned event,
    a plan item with a milestone, an audit, a calendar link, an uploaded MIS file; and a
    pupil login that took part in the encounter (for /me and its reflections)."""
    from datetime import time as clock

    from careers_app.domain.academic import academic_year_bounds
    from careers_app.models import Role, User
    from careers_app.models.plans import Milestone
    from careers_app.models.roster import ImportBatch

    stored = _store_everything_named(app, school_id, "Fuzz target")
    with app.app_context():
        pupil = db.session.get(Pupil, stored["pupil"])
        n = next(_serial)
        leaver = Pupil(school_id=school_id, upn=make_upn(886, 4998, 40 + n // 1000, n % 1000),
                       legal_forename="Lee", surname="Leaver", cohort=cohort_for(13, 2024),
                       tutor_group="13A",
                       left_on=academic_year_bounds(academic_year_of(today_london()) - 1)[1])
        event = Encounter(school_id=school_id, title="Fair", kind="careers_fair",
                          date=today_london(), academic_year=academic_year_of(today_london()),
                          planned=True, start_time=clock(9), end_time=clock(10),
                          invited_groups="tg:10A")
        milestone = Milestone(school_id=school_id, item_id=stored["item"], title="M",
                              date=today_london())
        lead = db.session.scalar(select(User).where(User.school_id == school_id,
                                                    User.role == "admin"))
        from careers_app.calendar.services import create_token
        batch = ImportBatch(school_id=school_id, token=f"fuzzbatch{n}", created_by_id=lead.id,
                            filename="x.csv", encoding="utf-8", delimiter=",",
                            headers=["UPN", "Surname", "Forename", "Year"],
                            rows=[[2, [pupil.upn, "Surname", "Forename", "10"]]],
                            mapping={"upn": 0, "surname": 1, "legal_forename": 2, "year": 3},
                            result={})
        pupil_login = User(school_id=school_id, username=f"fuzzpupil{n}", display_name="P",
                           role=Role.PUPIL, password_hash=lead_hash(), pupil_id=pupil.id,
                           active=True, session_version=1, must_change_password=False)
        db.session.add_all([leaver, event, milestone, batch, pupil_login])
        db.session.commit()
        token_row, _token = create_token(lead, "mine", None)
        return {"pupil_id": pupil.id, "leaver_id": leaver.id, "encounter_id": stored["encounter"],
                "event_id": event.id, "plan_id": stored["plan"], "item_id": stored["item"],
                "milestone_id": milestone.id, "audit_id": stored["audit"], "key": "bm5_pre16",
                "token": batch.token, "token_id": token_row.id, "upn": pupil.upn,
                "pupil_username": pupil_login.username}


def _target_url(rule, ids: dict, spoilt_path: str | None, index: int) -> str:
    from urllib.parse import quote

    values = {**ids, "rule_key": "bm5_year", "year_group": 10}
    if rule.rule.startswith("/plans/events/"):
        values["encounter_id"] = ids["event_id"]
    if rule.endpoint == "pupils.destination_edit":
        values["pupil_id"] = ids["leaver_id"]

    def value(match):
        if spoilt_path is not None and index % 3 == 0:  # a third of the URLs carry it
            return spoilt_path
        return str(values.get(match.group(1), 1))
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(value(m), safe=""), rule.rule)


# Each example is 3 x 107 requests: the suite runs a short, repeatable sweep of them.
ROUTE_FUZZ = settings(FUZZ, max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")))


@ROUTE_FUZZ
@given(spoil=fuzzed_request())
def test_every_route_and_field_survives_any_unicode(app, client, lead, school, monkeypatch,
                                                   spoil):
    values, spoilt_path, htmx = spoil
    # The anonymous visitor sprays the login form with fuzzed usernames; the throttle (tested
    # in test_login_throttle.py) would rightly refuse the next example's pupil login.
    from careers_app.auth import throttle
    monkeypatch.setattr(throttle, "MAX_ADDRESS_USERNAMES", 10**9)
    monkeypatch.setattr(throttle, "MAX_ACCOUNT_FAILURES", 10**9)
    ids = _fuzz_targets(app, school.id)
    data = {**_baseline(ids, ids["upn"]), **values}
    if client.csrf_token is None:
        client.login("lead")
    pupil_client = app.test_client()
    pupil_client.login(ids["pupil_username"])
    anonymous = app.test_client()
    anonymous.get("/login")
    statuses = Counter()
    # The lead goes last: their pass ends by deleting what the others' URLs point at.
    for who, visitor in (("pupil", pupil_client), ("anonymous", anonymous), ("lead", client)):
        for index, (rule, method) in enumerate(_fuzz_order(app)):
            url = _target_url(rule, ids, spoilt_path, index)
            if method == "GET":
                response = visitor.get(url, query_string=data, htmx=htmx)
            else:
                response = visitor.open(url, method=method, data=data, htmx=htmx)
            statuses[response.status_code] += 1
            assert response.status_code < 500, (who, method, url, values, spoilt_path)
        if who == "lead" and client.get("/encounters/").status_code != 200:
            client.login("lead")
    _report(test="routes x fields", database=db_name(app), requests=sum(statuses.values()),
            statuses={str(k): v for k, v in sorted(statuses.items())},
            fields=len(discovered_field_names()), route_methods=len(_fuzz_order(app)),
            spoilt=sorted(values), path=spoilt_path is not None)


def lead_hash() -> str:
    from tests.helpers import PASSWORD_HASH
    return PASSWORD_HASH


def db_name(app) -> str:
    return "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") \
        else "sqlite"


def test_the_fuzzer_covers_every_field_and_every_route(app):
    """New forms and new request.args are fuzzed without editing this file."""
    assert {"pupil_ids", "pupil", "group", "title", "date", "cost", "left_on", "upn",
            "username", "organisation", "q", "reflection", "csv_text"} <= set(
                discovered_field_names())
    routes = {rule.endpoint for rule in _routes(app)}
    assert routes >= {"auth.login", "encounters.new", "pupils.logins", "plans.import_plan",
                      "privacy.export", "main.reflection"}
    assert routes.isdisjoint({"static", "auth.logout", "calendar.feed"})


CSV_PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"UPN,Surname,Forename,Year\n",
                b"Aim/Benchmark,Lead,Actions,Milestone date,Cost\n"]


@st.composite
def upload_bytes(draw):
    prefix = draw(st.sampled_from(CSV_PREFIXES))
    body = draw(st.one_of(
        st.binary(max_size=200),
        ANY_TEXT.map(lambda t: t.encode("utf-8")),
        st.lists(st.lists(st.sampled_from(TROUBLE) | ANY_TEXT, max_size=5), max_size=5).map(
            lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", "replace")),
        ANY_TEXT.map(lambda t: t.encode("utf-16-le", "replace")),
    ))
    return prefix + body + draw(st.sampled_from([b"", b"x", b"\x00", b"\r\n"]))


@FUZZ
@given(data=upload_bytes(), name=st.sampled_from(["x.csv", "a\u202eb.csv", "é.csv", "" ]))
def test_no_upload_makes_the_server_fail(app, client, lead, data, name):
    """Both CSV imports, with bytes of any kind: a preview, a row error or a 422, never a 500."""
    if client.csrf_token is None:
        client.login("lead")
    roster = client.post("/pupils/import", data={"file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")
    assert roster.status_code < 500
    if roster.status_code == 303:  # readable: the mapping screen or the preview, then confirm
        location = roster.headers["Location"]
        assert client.get(location).status_code < 500
        token = location.split("/pupils/import/", 1)[1].split("/", 1)[0]
        assert client.post(f"/pupils/import/{token}/confirm", data={}).status_code < 500
    plan = client.post("/plans/import", data={"title": "Fuzzed plan", "file": (io.BytesIO(data),
                                                                                name)},
                       content_type="multipart/form-data")
    assert plan.status_code < 500
    if plan.status_code == 200 and "csv_text" in plan.get_data(as_text=True):
        text = data.decode("utf-8", "replace")
        confirmed = client.post("/plans/import", data={"title": "Fuzzed plan", "csv_text": text,
                                                       "confirm": "y"})
        assert confirmed.status_code < 500
    _report(test="uploads", database=db_name(app), requests=4, statuses={})

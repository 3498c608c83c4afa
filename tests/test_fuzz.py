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

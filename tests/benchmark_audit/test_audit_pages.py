"""Audit routes as each role: full pages and htmx fragments, writes, snapshots, plan items."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from careers_app.domain.audit_criteria import criteria_by_key, criteria_set
from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.extensions import db
from careers_app.models import School
from careers_app.models.benchmark_audit import BenchmarkAudit, BenchmarkAuditAnswer
from careers_app.models.plans import ActionPlan, PlanItem
from tests.benchmark_audit.answers import answer_data
from tests.test_fuzz import assert_no_markup, payload

CRITERIA = len(criteria_by_key())
BM5_TEXT = criteria_by_key()["bm5_pre16"].text


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def answer_row(app, audit_id: int, key: str) -> BenchmarkAuditAnswer:
    with app.app_context():
        row = db.session.scalar(select(BenchmarkAuditAnswer).where(
            BenchmarkAuditAnswer.audit_id == audit_id, BenchmarkAuditAnswer.criterion_key == key))
        db.session.expunge(row)
        return row


def save(client, audit_id: int, key: str, rating: str, evidence: str = "", htmx: bool = True):
    return client.post(f"/audit/{audit_id}/criteria/{key}", data=answer_data(key, rating, evidence),
                       htmx=htmx)


def read_urls(audit_id: int) -> list[str]:
    return ["/audit", f"/audit/{audit_id}", f"/audit/{audit_id}/print"]


def admin_get_urls(audit_id: int) -> list[str]:
    return ["/audit/new", "/audit/settings", f"/audit/{audit_id}/answer",
            f"/audit/{audit_id}/criteria/bm5_pre16"]


def admin_posts(audit_id: int) -> list[tuple[str, dict]]:
    return [("/audit/new", {"title": "Summer"}),
            ("/audit/settings", {"careers_leader": "X", "achieved": "100", "partial_above": "0"}),
            (f"/audit/{audit_id}/criteria/bm5_pre16", answer_data("bm5_pre16", "achieved")),
            (f"/audit/{audit_id}/criteria/bm5_pre16/plan-item", {"plan": "new"})]


# Permissions, from the refused side ---------------------------------------------------------

def test_pupils_get_404_everywhere_and_write_nothing(app, client, lead, pupil_user, make_audit):
    audit_id = make_audit(lead)
    client.login("pupil")
    for url in read_urls(audit_id) + admin_get_urls(audit_id):
        assert client.get(url).status_code == 404, url
        assert client.get(url, htmx=True).status_code == 404, url
    for url, data in admin_posts(audit_id):
        assert client.post(url, data=data).status_code == 404, url
    assert count(app, BenchmarkAudit) == 1
    assert count(app, BenchmarkAuditAnswer, BenchmarkAuditAnswer.answered_at.is_not(None)) == 0
    assert count(app, PlanItem) == 0


def test_other_staff_read_the_results_but_cannot_run_audits(app, client, lead, tutor, make_audit):
    audit_id = make_audit(lead)
    client.login("tutor")
    for url in read_urls(audit_id):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Autumn term 2025" in response.get_data(as_text=True)
    assert f"0 of {CRITERIA}" in client.get("/audit").get_data(as_text=True)
    assert "Start an audit" not in client.get("/audit").get_data(as_text=True)
    page = client.get(f"/audit/{audit_id}").get_data(as_text=True)
    assert "Answer the criteria" not in page and "Add to the action plan" not in page
    for url in admin_get_urls(audit_id):
        assert client.get(url).status_code == 403, url
        assert client.get(url, htmx=True).status_code == 403, url
    for url, data in admin_posts(audit_id):
        assert client.post(url, data=data).status_code == 403, url
    assert count(app, BenchmarkAudit) == 1
    assert count(app, BenchmarkAuditAnswer, BenchmarkAuditAnswer.answered_at.is_not(None)) == 0
    assert count(app, ActionPlan) == 0


def test_an_audit_of_another_school_is_not_found(app, client, lead, make_school, make_user):
    other = make_school()
    from careers_app.models import Role
    stranger = make_user("stranger", Role.ADMIN, school_id=other.id)
    with app.app_context():
        from careers_app.benchmark_audit import services
        from careers_app.models import User
        audit = services.start_audit(other.id, db.session.get(User, stranger.id), "Theirs", 2025,
                                     False)
        audit_id = audit.id
    client.login("lead")
    assert client.get(f"/audit/{audit_id}").status_code == 404
    assert save(client, audit_id, "bm5_pre16", "achieved", htmx=False).status_code == 404
    assert "Theirs" not in client.get("/audit").get_data(as_text=True)


# Starting an audit ---------------------------------------------------------------------------

def test_start_an_audit_full_page_and_fragment(app, client, lead):
    client.login("lead")
    page = client.get("/audit/new")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert '<label for="title">Title</label>' in page.get_data(as_text=True)
    fragment = client.get("/audit/new", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and "<form" in fragment
    response = client.post("/audit/new", data={"title": "Spring term 2026"})
    assert response.status_code == 303
    audit_id = int(re.search(r"/audit/(\d+)/answer", response.headers["Location"]).group(1))
    assert count(app, BenchmarkAuditAnswer, BenchmarkAuditAnswer.audit_id == audit_id) == CRITERIA
    htmx = client.post("/audit/new", data={"title": "Summer term 2026"}, htmx=True)
    assert htmx.status_code == 204 and "/answer" in htmx.headers["HX-Redirect"]


def test_starting_without_a_title_is_refused_and_writes_nothing(app, client, lead):
    client.login("lead")
    for htmx in (False, True):
        response = client.post("/audit/new", data={"title": "  "}, htmx=htmx)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Give the audit a title." in html and 'aria-invalid="true"' in html
        assert ("<html" in html) is not htmx
    assert count(app, BenchmarkAudit) == 0


# Answering -------------------------------------------------------------------------------------

def test_answer_page_lists_every_criterion_with_progress(client, lead, make_audit):
    audit_id = make_audit(lead)
    client.login("lead")
    response = client.get(f"/audit/{audit_id}/answer")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="audit-criterion"') == CRITERIA
    for benchmark in criteria_set():
        assert f'id="progress-bm{benchmark.number}"' in html
        assert f"0 of {len(benchmark.criteria)} answered" in html
        assert benchmark.name in html
    assert "<progress" in html and 'style="' not in html
    assert '<label for="bm5_pre16-rating-2">Achieved</label>' in html
    assert '<label for="bm5_pre16-evidence">Evidence to support the judgement</label>' in html


def test_one_criterion_full_page_and_fragment(client, lead, make_audit):
    audit_id = make_audit(lead)
    client.login("lead")
    page = client.get(f"/audit/{audit_id}/criteria/bm5_pre16").get_data(as_text=True)
    assert "<html" in page and BM5_TEXT in page and "hx-swap-oob" not in page
    fragment = client.get(f"/audit/{audit_id}/criteria/bm5_pre16", htmx=True)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert html.startswith('<article class="audit-criterion" id="criterion-bm5_pre16">')
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get(f"/audit/{audit_id}/criteria/no_such_key").status_code == 404


def test_saving_inline_records_the_answer_and_updates_the_progress(app, client, lead, make_audit,
                                                                    make_pupil, make_encounter):
    met = make_pupil(8)
    make_pupil(9)
    make_encounter([met], K.EMPLOYER_TALK)
    audit_id = make_audit(lead)
    client.login("lead")
    response = save(client, audit_id, "bm5_pre16", "partial", "Assemblies with local employers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Answer saved." in html and "Partially achieved" in html
    assert '<li class="audit-progress" id="progress-bm5" hx-swap-oob="true">' in html
    assert "1 of 4 answered" in html
    row = answer_row(app, audit_id, "bm5_pre16")
    assert (row.rating, row.evidence, row.copied) == ("partial", "Assemblies with local employers",
                                                      False)
    assert row.answered_by_id == lead.id and row.answered_at is not None
    # The figure and its suggestion as they stood: 1 of the 2 pupils in Y7-Y11.
    assert (row.measured_met, row.measured_total, row.measured_percent) == (1, 2, 50)
    assert row.measured_text == "Y7-Y11: 50% (1 of 2) had a meaningful employer encounter this year"
    assert row.suggested_rating == "partial" and row.overridden is False
    assert row.measured_url.startswith("/reports/benchmarks?year=")
    assert [y["year_group"] for y in row.measured_detail["years"]] == [7, 8, 9, 10, 11]


def test_overriding_the_suggestion_is_recorded(app, client, lead, make_audit, make_pupil):
    make_pupil(11)
    audit_id = make_audit(lead)
    client.login("lead")
    # Nobody in Year 11 has had a guidance interview: the data suggest Not achieved.
    assert save(client, audit_id, "bm8_pre16", "achieved", "Interviews booked").status_code == 200
    row = answer_row(app, audit_id, "bm8_pre16")
    assert (row.suggested_rating, row.rating, row.overridden) == ("not", "achieved", True)
    assert row.measured_url.startswith("/reports/benchmarks/bm8_pre16/11?year=")
    results = client.get(f"/audit/{audit_id}").get_data(as_text=True)
    assert "suggested Not achieved; overridden" in results


def test_saving_without_javascript_goes_back_to_the_criterion(app, client, lead, make_audit):
    audit_id = make_audit(lead)
    client.login("lead")
    page = client.get(f"/audit/{audit_id}/answer").get_data(as_text=True)
    token = re.search(r'name="bm4_subjects-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    # A plain form post: the token comes from the form's own hidden field, not a header.
    response = client.post(f"/audit/{audit_id}/criteria/bm4_subjects", csrf=False,
                           data={**answer_data("bm4_subjects", "achieved"),
                                 "bm4_subjects-csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/audit/{audit_id}/answer#criterion-bm4_subjects")
    assert answer_row(app, audit_id, "bm4_subjects").rating == "achieved"


@pytest.mark.parametrize("rating", ["", "excellent"])
def test_a_missing_or_unknown_rating_is_refused_and_writes_nothing(app, client, lead, make_audit,
                                                                   rating):
    audit_id = make_audit(lead)
    client.login("lead")
    for htmx in (False, True):
        response = save(client, audit_id, "bm5_pre16", rating, "Some evidence", htmx=htmx)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Choose Not achieved, Partially achieved or Achieved." in html
        assert ("<html" in html) is not htmx
    row = answer_row(app, audit_id, "bm5_pre16")
    assert (row.rating, row.evidence, row.answered_at) == ("", "", None)


# Evidence equals the dashboard, and stays as it was -----------------------------------------

CELL = re.compile(r'/reports/benchmarks/(\w+)/(\d+)\?year=\d+">\s*<span class="cell__pct">\d+%</span>'
                  r'\s*<span class="cell__n">(\d+) / (\d+)</span>')


def dashboard_cells(client) -> dict[tuple[str, int], tuple[int, int]]:
    html = client.get("/reports/benchmarks").get_data(as_text=True)
    return {(rule, int(year)): (int(met), int(total))
            for rule, year, met, total in CELL.findall(html)}


def test_measured_evidence_equals_the_dashboard_figure(client, lead, make_audit, make_pupil,
                                                       make_encounter, make_organisation):
    pupils = {y: [make_pupil(y) for _ in range(3)] for y in (7, 8, 9, 10, 11, 12)}
    make_encounter(pupils[7][:2] + pupils[9][:1] + pupils[11], K.EMPLOYER_TALK)
    make_encounter(pupils[11][:1], K.GUIDANCE_INTERVIEW, adviser_name="A. Adviser",
                   adviser_level6=True)  # Benchmark 8 counts level 6 advisers only
    make_encounter(pupils[12][:1], K.EMPLOYER_TALK)
    audit_id = make_audit(lead)
    client.login("lead")
    cells = dashboard_cells(client)
    page = client.get(f"/audit/{audit_id}/answer").get_data(as_text=True)
    for key in ("bm5_pre16", "bm5_post16", "bm8_pre16", "bm2_each_key_stage", "bm4_every_year"):
        measure = criteria_by_key()[key].measure
        met = sum(cells.get((measure.rule, y), (0, 0))[0] for y in measure.year_groups)
        total = sum(cells.get((measure.rule, y), (0, 0))[1] for y in measure.year_groups)
        assert total > 0
        percent = (200 * met + total) // (2 * total)
        assert f"{percent}% ({met} of {total}) {measure.evidence}" in page, key
    assert cells[("bm5_year", 7)] == (2, 3) and "Y7-Y11: 40% (6 of 15)" in page
    assert "Y11: 33% (1 of 3) have had a personal guidance meeting" in page
    assert 'href="/reports/benchmarks/bm8_pre16/11?year=' in page


def test_stored_snapshots_do_not_change_when_encounters_are_logged_later(
        app, client, lead, make_audit, make_pupil, make_encounter):
    first, second = make_pupil(10), make_pupil(10)
    make_encounter([first], K.EMPLOYER_TALK)
    audit_id = make_audit(lead)
    client.login("lead")
    save(client, audit_id, "bm5_pre16", "partial", "Half the year group so far")
    before = answer_row(app, audit_id, "bm5_pre16")
    results_before = client.get(f"/audit/{audit_id}").get_data(as_text=True)
    make_encounter([second], K.EMPLOYER_TALK)  # logged after the answer was saved
    after = answer_row(app, audit_id, "bm5_pre16")
    assert (after.measured_met, after.measured_total, after.measured_percent,
            after.measured_text, after.suggested_rating, after.measured_detail) == (
        before.measured_met, before.measured_total, before.measured_percent,
        before.measured_text, before.suggested_rating, before.measured_detail) == (
        1, 2, 50, "Y7-Y11: 50% (1 of 2) had a meaningful employer encounter this year",
        "partial", before.measured_detail)
    results_after = client.get(f"/audit/{audit_id}").get_data(as_text=True)
    assert "Y7-Y11: 50% (1 of 2)" in results_after and "100%" not in results_after.split(
        "From the data when saved")[1].split("</p>")[0]
    assert results_before.count("Y7-Y11: 50% (1 of 2)") == results_after.count("Y7-Y11: 50% (1 of 2)")
    # The answering page shows today's figure beside the stored one.
    answering = client.get(f"/audit/{audit_id}/answer").get_data(as_text=True)
    assert "Y7-Y11: 100% (2 of 2)" in answering and "Y7-Y11: 50% (1 of 2)" in answering


# Results, comparison and copying ---------------------------------------------------------------

def test_scores_and_the_change_since_the_previous_audit(client, lead, make_audit):
    client.login("lead")
    first = make_audit(lead, "Autumn term")
    for key, rating in (("bm5_pre16", "achieved"), ("bm5_post16", "achieved"),
                        ("bm5_ks4_multiple", "partial"), ("bm5_range", "not")):
        save(client, first, key, rating)
    second = make_audit(lead, "Spring term")
    for key, rating in (("bm5_pre16", "achieved"), ("bm5_post16", "achieved"),
                        ("bm5_ks4_multiple", "achieved"), ("bm5_range", "partial"),
                        ("bm6_pre16", "not")):
        save(client, second, key, rating)
    page = client.get(f"/audit/{second}").get_data(as_text=True)
    row = re.search(r"BM5</span> Encounters with employers and employees</th>(.*?)</tr>", page, re.S)
    cells = row.group(1)
    assert "3 of 4" in cells and "75%" in cells and "50%" in cells and "Up 25 points" in cells
    assert '<meter class="audit-meter" min="0" max="100" value="75"' in cells
    bm6 = re.search(r"BM6</span> Experiences of workplaces</th>(.*?)</tr>", page, re.S).group(1)
    assert "No change" in bm6
    assert "Spring term" in client.get("/audit").get_data(as_text=True)
    first_page = client.get(f"/audit/{first}").get_data(as_text=True)
    assert "No previous audit" in first_page


def test_copying_the_previous_audit_starts_from_its_answers(app, client, lead, make_audit):
    client.login("lead")
    first = make_audit(lead, "Autumn term")
    save(client, first, "bm3_records", "partial", "Records kept on paper")
    response = client.post("/audit/new", data={"title": "Spring term", "copy_previous": "y"})
    second = int(re.search(r"/audit/(\d+)/answer", response.headers["Location"]).group(1))
    copied = answer_row(app, second, "bm3_records")
    assert (copied.rating, copied.evidence, copied.copied, copied.answered_at) == (
        "partial", "Records kept on paper", True, None)
    page = client.get(f"/audit/{second}/answer").get_data(as_text=True)
    assert "Copied from the previous audit" in page and "Records kept on paper" in page
    assert "0 of 5 answered" in page  # a copy counts once it is checked and saved
    save(client, second, "bm3_records", "partial", "Records kept on paper")
    assert answer_row(app, second, "bm3_records").copied is False
    with app.app_context():
        assert db.session.get(BenchmarkAudit, second).copied_from_id == first


# One click to the action plan ------------------------------------------------------------------

def test_a_gap_becomes_an_action_plan_item_in_a_new_plan(app, client, lead, make_audit):
    audit_id = make_audit(lead)
    client.login("lead")
    save(client, audit_id, "bm5_pre16", "partial")
    results = client.get(f"/audit/{audit_id}").get_data(as_text=True)
    assert "Add to the action plan" in results and "A new plan: Audit actions" in results
    response = client.post(f"/audit/{audit_id}/criteria/bm5_pre16/plan-item", data={"plan": "new"})
    assert response.status_code == 303
    with app.app_context():
        item = db.session.scalar(select(PlanItem))
        assert response.headers["Location"].endswith(f"/plans/items/{item.id}")
        assert (item.benchmark, item.aim) == (5, BM5_TEXT)
        assert item.plan.title.startswith("Audit actions ")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert BM5_TEXT in page


def test_plan_items_go_to_the_newest_or_the_chosen_plan(app, client, lead, make_audit, make_plan):
    older, newer = make_plan(title="Careers plan 2024-26"), make_plan(title="Careers plan 2025-27")
    audit_id = make_audit(lead)
    client.login("lead")
    save(client, audit_id, "bm7_understand", "not")
    save(client, audit_id, "bm8_timed", "partial")
    results = client.get(f"/audit/{audit_id}").get_data(as_text=True)
    assert f'<option selected value="{newer.id}">' in results
    one = client.post(f"/audit/{audit_id}/criteria/bm7_understand/plan-item", htmx=True)
    assert one.status_code == 204 and "/plans/items/" in one.headers["HX-Redirect"]
    client.post(f"/audit/{audit_id}/criteria/bm8_timed/plan-item", data={"plan": str(older.id)})
    with app.app_context():
        items = {i.aim: i.plan_id for i in db.session.scalars(select(PlanItem))}
    assert items == {criteria_by_key()["bm7_understand"].text: newer.id,
                     criteria_by_key()["bm8_timed"].text: older.id}
    assert count(app, ActionPlan) == 2


@pytest.mark.parametrize("rating, plan", [("achieved", "new"), ("", "new"), ("not", "999999")])
def test_plan_items_are_refused_for_achieved_or_unanswered_criteria_or_unknown_plans(
        app, client, lead, make_audit, rating, plan):
    audit_id = make_audit(lead)
    client.login("lead")
    if rating:
        save(client, audit_id, "bm5_pre16", rating)
    response = client.post(f"/audit/{audit_id}/criteria/bm5_pre16/plan-item", data={"plan": plan})
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    assert count(app, PlanItem) == 0 and count(app, ActionPlan) == 0


# Benchmark 1 settings --------------------------------------------------------------------------

def test_benchmark1_settings_are_saved_and_become_evidence(app, client, lead, school, make_audit):
    client.login("lead")
    page = client.get("/audit/settings").get_data(as_text=True)
    assert '<label for="careers_leader">Named Careers Leader</label>' in page
    response = client.post("/audit/settings", data={
        "careers_leader": "Ms A Khan, Assistant Head", "governor_link": "Mr B Patel",
        "programme_url": "https://school.example/careers", "last_review": "2025-09-01",
        "achieved": "90", "partial_above": "10"})
    assert response.status_code == 303
    with app.app_context():
        settings = db.session.get(School, school.id).settings
    assert settings["benchmark1"] == {"careers_leader": "Ms A Khan, Assistant Head",
                                      "governor_link": "Mr B Patel",
                                      "programme_url": "https://school.example/careers",
                                      "last_review": "2025-09-01"}
    assert settings["audit_thresholds"] == {"achieved": 90, "partial_above": 10}
    audit_id = make_audit(lead)
    answering = client.get(f"/audit/{audit_id}/answer").get_data(as_text=True)
    assert "Named Careers Leader: Ms A Khan, Assistant Head" in answering
    assert "Careers programme web page: https://school.example/careers" in answering
    save(client, audit_id, "bm1_governor", "achieved")
    row = answer_row(app, audit_id, "bm1_governor")
    assert (row.measured_text, row.suggested_rating, row.overridden) == (
        "Governor or trustee link for careers: Mr B Patel", "achieved", False)


@pytest.mark.parametrize("data, message", [
    ({"programme_url": "javascript:alert(1)"}, "Enter a full web address starting with https://"),
    ({"last_review": "2999-01-01"}, "The last review cannot be in the future."),
    ({"last_review": "2026-02-30"}, "That is not a real date."),
    ({"achieved": "50", "partial_above": "60"}, "This must be lower than the percentage"),
    ({"achieved": ""}, "Enter a number."),
])
def test_bad_settings_are_refused_and_nothing_is_saved(app, client, lead, school, data, message):
    client.login("lead")
    form = {"achieved": "100", "partial_above": "0", **data}
    for htmx in (False, True):
        response = client.post("/audit/settings", data=form, htmx=htmx)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert "benchmark1" not in (db.session.get(School, school.id).settings or {})


def test_settings_form_fragment(client, lead):
    client.login("lead")
    html = client.get("/audit/settings", htmx=True).get_data(as_text=True)
    assert html.startswith("<form") and "<html" not in html


# Printable report and escaping -----------------------------------------------------------------

def test_printable_report_and_user_text_is_never_markup(client, lead, tutor, make_audit):
    audit_id = make_audit(lead, "Spring term 2026")
    marker = "zq9audit"
    client.login("lead")
    save(client, audit_id, "bm4_subjects", "partial", payload(marker, "Maths links"))
    for url in (f"/audit/{audit_id}", f"/audit/{audit_id}/print", f"/audit/{audit_id}/answer"):
        html = client.get(url).get_data(as_text=True)
        assert_no_markup(html, marker, url)
        assert 'style="' not in html
    report = client.get(f"/audit/{audit_id}/print").get_data(as_text=True)
    assert "Career benchmarks: audit of practice" in report and "Spring term 2026" in report
    assert "Evidence to support judgement" in report and "Partially achieved" in report

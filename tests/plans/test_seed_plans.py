"""Every seed plan document imports with no row lost: as text, as a Word document, pasted,
and through the web import with its column-matching preview.

The numbers below were counted by hand from the documents (see each constant's comment).
"""
from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from careers_app.domain.plan_docx import docx_to_text
from careers_app.domain.plan_import import parse_plan_text
from careers_app.extensions import db
from careers_app.models.plans import ActionPlan, Milestone, PlanItem
from tests.plans.wordfiles import plan_text_to_docx

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "careers_app" / "data" / "seed_plans"
SHARED = ROOT.parent / "shared" / "seeds"  # the original documents, when they are there
MAPPING_004 = {"current_provision": 0, "aim": 1, "actions": 2}

# 000, the trust action plan: 8 aims in three sections (1 + 2 + 5 rows, one STEM row broken
# across a page). Actions: 3 + 4 + 1 + 4 + 7 + 4 + 3 + 2 = 28 (the STEM rows' space-separated
# actions, the continued row's 2, and the undated "ongoing for meetings" and "Participation
# in Enthuse project" milestone lines). Dated milestones: 4 + 4 + 2 + 2 + 1 + 1 + 1 + 1 = 16.
COUNTS_000 = (8, 28, 16)
# 003, the benchmark-by-benchmark plan: BM1-BM8, two rows (BM3, BM6) carried on after a page
# break. Key actions: 4 + 4 + (2 + 3) + 2 + 3 + 2 + 4 + 3 = 27; of their deadlines 7 say
# "Ongoing", so 20 are dated milestones.
COUNTS_003 = (8, 27, 20)
UNDATED_003 = 7
# 004, the strategic plan: a long-term and a short-term row; 1 + 4 actions; no dates; the
# short-term actions cost £25,000 + £27,000 + £220 + £560.
COUNTS_004 = (2, 5, 0)


def _counts(result):
    return len(result.items), result.action_count, result.milestone_count


def _packaged(name: str) -> str:
    return next(PACKAGED.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def test_trust_action_plan_000():
    result = parse_plan_text(_packaged("000"))
    assert result.errors == []
    assert _counts(result) == COUNTS_000
    assert result.title == "Dartford Co-operative Learning Trust Action Plan 2022-2024"
    assert [item.section for item in result.items] == (
        ["Dividend - Community Outreach"] + ["Dividend - Career Ambition"] * 2
        + ["Dividend - STEM Enhancement"] * 5)
    assert {item.lead_text for item in result.items} == {"MAL", "JDO"}
    assert result.items[4].continued_rows == [26]
    summer = result.items[6].milestones[0]
    assert (summer.day.isoformat(), summer.season, summer.title) == (
        "2023-06-01", "Summer", "Outreach delivered by Summer 2023")
    assert len(result.notes) == 2  # the two introductory paragraphs, listed on the preview


def test_benchmark_action_plan_003():
    result = parse_plan_text(_packaged("003"))
    assert result.errors == []
    assert _counts(result) == COUNTS_003
    assert result.undated_action_count == UNDATED_003
    assert [item.benchmark for item in result.items] == list(range(1, 9))
    bm3, bm6 = result.items[2], result.items[5]
    assert bm3.continued_rows == [8] and bm6.continued_rows == [13]
    assert bm6.actions[1].text.endswith("and/or the introduction of work-shadowing days in "
                                        "2019-20.")
    assert "Destination information is collected in school" in bm3.current_provision
    assert result.items[0].lead_text == "SLT; RM; SLT/JB"
    ongoing = result.items[7].milestones[-1]
    assert (ongoing.source, ongoing.ongoing) == ("Sept 2019 and ongoing", True)


def test_strategic_plan_004_with_its_columns_matched():
    result = parse_plan_text(_packaged("004"))
    assert result.items == [] and "aim or the Gatsby Benchmark" in result.errors[0][1]
    result = parse_plan_text(_packaged("004"), mapping=MAPPING_004)
    assert result.errors == []
    assert _counts(result) == COUNTS_004
    long_term, short_term = result.items
    assert long_term.section.startswith("Long Term strategic planning")
    assert short_term.cost_pence == 5_278_000
    assert len(short_term.current_provision.splitlines()) == 6


@pytest.mark.parametrize("name, counts", [("000", COUNTS_000), ("003", COUNTS_003)])
def test_the_original_seed_documents_give_the_same_counts(name, counts):
    originals = sorted(SHARED.glob(f"{name}_*.txt")) if SHARED.is_dir() else []
    if not originals:
        pytest.skip("the shared seed documents are not beside the repository")
    assert _counts(parse_plan_text(originals[0].read_text(encoding="utf-8"))) == counts


def test_the_original_004_has_lost_its_table_and_says_so():
    originals = sorted(SHARED.glob("004_*.txt")) if SHARED.is_dir() else []
    if not originals:
        pytest.skip("the shared seed documents are not beside the repository")
    # Its extracted text has no column breaks left (the packaged copy lays the words out
    # again): its commas are all that is left, so no column can be an aim and nothing imports.
    result = parse_plan_text(originals[0].read_text(encoding="utf-8"))
    assert result.items == []
    assert "Choose the column that holds the aim" in result.errors[0][1]


def test_the_packaged_copies_name_nobody():
    for path in PACKAGED.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert "@" not in text
        for name in ("Rochford", "Pearson", "Louise", "Susan"):
            assert name not in text, (path.name, name)


@pytest.mark.parametrize("name, counts, mapping", [
    ("000", COUNTS_000, None), ("003", COUNTS_003, None), ("004", COUNTS_004, MAPPING_004)])
def test_word_documents_read_the_same(name, counts, mapping):
    text = _packaged(name)
    from_word = parse_plan_text(docx_to_text(plan_text_to_docx(text)), mapping=mapping)
    from_text = parse_plan_text(text, mapping=mapping)
    assert from_word.errors == []
    assert _counts(from_word) == counts
    assert [i.actions_text for i in from_word.items] == [i.actions_text for i in from_text.items]
    assert [i.section for i in from_word.items] == [i.section for i in from_text.items]
    assert from_word.title == from_text.title


def test_word_merged_cells():
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Aim", "Actions", "Deadline")):
        cell.text = text
    table.cell(1, 0).merge(table.cell(1, 2)).text = "Community outreach"  # a heading row
    table.cell(2, 0).text = "Partners"
    table.cell(2, 1).text = "Visit EDC"
    table.cell(2, 2).merge(table.cell(3, 2)).text = "July 2025"  # merged down two rows
    table.cell(3, 0).text = "Charities"
    table.cell(3, 1).text = "Find two"
    buffer = io.BytesIO()
    document.save(buffer)
    result = parse_plan_text(docx_to_text(buffer.getvalue()))
    assert result.errors == []
    assert [(i.section, i.aim, len(i.milestones)) for i in result.items] == [
        ("Community outreach", "Partners", 1), ("Community outreach", "Charities", 0)]


# The web import -------------------------------------------------------------------------

def _hidden_text(response) -> str:
    match = re.search(r'name="csv_text" type="hidden" value="([^"]*)"|'
                      r'type="hidden" name="csv_text" value="([^"]*)"|'
                      r'id="csv_text" name="csv_text" type="hidden" value="([^"]*)"',
                      response.get_data(as_text=True))
    assert match, "the preview posts the plan text back"
    return html.unescape(next(group for group in match.groups() if group is not None))


def _db_counts(app):
    with app.app_context():
        items = db.session.scalars(select(PlanItem)).all()
        actions = sum(len(item.actions.splitlines()) for item in items)
        return len(items), actions, db.session.scalar(select(func.count(Milestone.id)))


def test_word_upload_preview_then_import(app, client, lead):
    client.login("lead")
    data = plan_text_to_docx(_packaged("003"))
    preview = client.post("/plans/import", content_type="multipart/form-data", data={
        "title": "Careers plan", "file": (io.BytesIO(data), "Careers plan.docx")})
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "8 aims, 27 actions, 20 dated milestones" in page
    assert "7 actions without a milestone." in page
    assert "No milestone (“Ongoing”)" in page
    assert re.search(r"continued in row \d+", page)
    assert 'name="col_0"' in page and "Gatsby Benchmark" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ActionPlan.id))) == 0
    done = client.post("/plans/import/confirm", data={
        "title": "Careers plan", "period": "", "csv_text": _hidden_text(preview)})
    assert done.status_code == 303
    assert _db_counts(app) == COUNTS_003


def test_pasted_table_takes_the_documents_title(app, client, lead):
    client.login("lead")
    preview = client.post("/plans/import", data={"title": "", "pasted": _packaged("000")})
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert 'value="Dartford Co-operative Learning Trust Action Plan 2022-2024"' in page
    assert 'value="2022-2024"' in page
    assert "Summer term: 1 Jun 2023 (from “Outreach delivered by Summer 2023”)" in page
    assert "Text outside the table (not imported)" in page
    done = client.post("/plans/import/confirm", data={
        "title": "Dartford Co-operative Learning Trust Action Plan 2022-2024",
        "period": "2022-2024", "csv_text": _hidden_text(preview)})
    assert done.status_code == 303
    assert _db_counts(app) == COUNTS_000
    with app.app_context():
        sections = db.session.scalars(select(PlanItem.section).order_by(PlanItem.position)).all()
        assert sections[0] == "Dividend - Community Outreach"
    plan_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Dividend - STEM Enhancement" in plan_page


def test_columns_are_matched_on_the_preview(app, client, lead):
    client.login("lead")
    first = client.post("/plans/import", data={"pasted": _packaged("004")})
    assert first.status_code == 422  # no column is an aim yet: say which
    page = first.get_data(as_text=True)
    assert "Choose the column that holds the aim" in page
    assert "formaction" not in page  # no "Import this plan" button until the columns are right
    text = _hidden_text(first)
    choices = {"col_0": "current_provision", "col_1": "aim", "col_2": "actions"}
    duplicate = client.post("/plans/import", data={
        "title": "DSPL", "csv_text": text, **choices, "col_2": "aim"})
    assert duplicate.status_code == 422
    assert "Two columns are marked as “Aim (or a benchmark)”" in duplicate.get_data(as_text=True)
    second = client.post("/plans/import", data={"title": "DSPL", "csv_text": text, **choices})
    assert second.status_code == 200
    assert "2 aims, 5 actions, 0 dated milestones" in second.get_data(as_text=True)
    assert "added up from £25,000 + £27,000 + £220 + £560" in second.get_data(as_text=True)
    done = client.post("/plans/import/confirm", data={
        "title": "DSPL Strategic Plan", "csv_text": text, **choices})
    assert done.status_code == 303
    assert _db_counts(app) == COUNTS_004
    with app.app_context():
        short_term = db.session.scalars(select(PlanItem).order_by(PlanItem.position)).all()[1]
        assert short_term.cost_pence == 5_278_000 and short_term.current_provision


@pytest.mark.parametrize("filename, data, message", [
    ("plan.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
    ("plan.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old Word or Excel file"),
    ("plan.csv", b"", "The file is empty."),
    ("plan.csv", b"\x00\x01\x02binary", "not a CSV, text or Word file"),
    ("plan.csv", b"just words, no table\n", "no table"),
])
def test_files_that_are_not_plans(app, client, lead, filename, data, message):
    client.login("lead")
    response = client.post("/plans/import", content_type="multipart/form-data", data={
        "title": "x", "file": (io.BytesIO(data), filename)})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ActionPlan.id))) == 0


def test_a_spreadsheet_is_not_a_word_document(app, client, lead):
    buffer = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    client.login("lead")
    response = client.post("/plans/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(buffer.getvalue()), "plan.xlsx")})
    assert response.status_code == 422
    assert "not a Word document" in response.get_data(as_text=True)


def test_too_much_pasted_text_is_refused(app, client, lead):
    client.login("lead")
    response = client.post("/plans/import", data={"title": "x",
                                                  "pasted": "Aim\tLead\n" + "a\tb\n" * 200_000})
    assert response.status_code in (413, 422)
    with app.app_context():
        assert db.session.scalar(select(func.count(ActionPlan.id))) == 0


def test_only_careers_leaders_import(app, client, tutor):
    client.login("tutor")
    assert client.get("/plans/import").status_code == 403
    assert client.post("/plans/import", data={"pasted": "Aim\nx"}).status_code == 403
    assert client.post("/plans/import/confirm", data={"csv_text": "Aim,Lead\nx,y"}
                       ).status_code == 403

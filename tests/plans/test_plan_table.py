"""Reading plan tables (no app needed): cells split into items, tables found in text, columns
mapped, rows continued, deadlines paired with actions."""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.domain.plan_cells import cell_items, extend_lines
from careers_app.domain.plan_columns import (guess_mapping, mapping_from_choices,
                                             mapping_problems)
from careers_app.domain.plan_import import parse_plan_text, period_in
from careers_app.domain.plan_table import PlanFileError, read_plan_text


@pytest.mark.parametrize("cell, items", [
    ("<p>One.</p> <p>Two.</p>", ["One.", "Two."]),
    ('<ul style="list-style-type: none"> <li>• First</li> <li>• Second</li> </ul>',
     ["First", "Second"]),
    ("Line one\nLine two\r\nLine three", ["Line one", "Line two", "Line three"]),
    ("• a\n- b\n* c\n– d", ["a", "b", "c", "d"]),
    ("December 2022                      April 2023", ["December 2022", "April 2023"]),
    ("Aim. • Commission a provider.", ["Aim.", "Commission a provider."]),
    ("<p><b>1. A stable programme.</b> Every school</p>", ["1. A stable programme. Every school"]),
    ("<p>Fish &amp; chips &lt;5</p>", ["Fish & chips <5"]),
    ("Under <5 pupils and 3 > 2", ["Under <5 pupils and 3 > 2"]),
    ("-5 pupils", ["-5 pupils"]),
    ("", []),
    ("   ", []),
])
def test_cell_items(cell, items):
    assert cell_items(cell) == items


def test_a_lower_case_line_carries_on_the_one_above():
    assert extend_lines(["Consider the"], ["introduction of days.", "Next"]) == [
        "Consider the introduction of days.", "Next"]
    assert extend_lines(["Done."], ["Careers' Programme."]) == ["Done.", "Careers' Programme."]


TEXT = (
    "## Careers Action Plan 2025-2027\n"
    "An introduction that is long enough to be a paragraph and ends with a full stop.\n"
    "### Community outreach\n"
    "Aim\tLead\tActions\tMilestones\n"
    "Work with partners\tMAL\t<p>Visit EDC</p>\t<p>July 2025 - visit</p>\n"
    "\n"
    "**STEM enhancement**\n"
    "Aim\tLead\tActions\tMilestones\n"
    "STEM skills\tJDO\t<p>Define skills</p>\t<p>December 2025</p>\n"
    "\t\t<p>more actions</p> <p>Survey students</p>\t\n"
)


def test_tables_headings_and_notes():
    table = read_plan_text(TEXT)
    assert table.title == "Careers Action Plan 2025-2027"
    assert table.headers == ["Aim", "Lead", "Actions", "Milestones"]
    assert table.repeated_headers == [8]
    assert [(row.number, row.section) for row in table.rows] == [
        (5, "Community outreach"), (9, "STEM enhancement"), (10, "STEM enhancement")]
    assert table.notes == [(2, "An introduction that is long enough to be a paragraph and ends "
                               "with a full stop.")]
    assert period_in(table.title) == "2025-2027"


def test_a_plain_line_just_before_a_table_is_its_heading():
    table = read_plan_text("Plan\nA paragraph.\nOutreach\nAim,Lead\nPartners,MAL\n")
    assert table.title == "Plan" and table.rows[0].section == "Outreach"
    assert table.notes == [(2, "A paragraph.")]


def test_rows_continue_and_lower_case_lines_join():
    result = parse_plan_text(TEXT)
    assert result.errors == []
    first, second = result.items
    assert (first.section, first.lead_text) == ("Community outreach", "MAL")
    assert [m.title for m in first.milestones] == ["visit"]
    assert second.continued_rows == [10]
    assert [a.text for a in second.actions] == ["Define skills more actions", "Survey students"]
    # A milestone with no words of its own is named after the aim, and the preview says so.
    assert [(m.title, m.title_from) for m in second.milestones] == [("STEM skills", "aim")]


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("Just a title\nand a line\n", "no table"),
])
def test_unreadable_text(text, message):
    with pytest.raises(PlanFileError, match=message):
        read_plan_text(text)
    assert parse_plan_text(text).errors == [(0, parse_plan_text(text).errors[0][1])]


def test_an_unclosed_quote_is_shown_not_lost():
    # The csv module reads to the end of the text: one cell, kept as a note for the preview.
    result = parse_plan_text('Aim,Lead\n"unclosed,x\n')
    assert result.notes == [(2, "unclosed,x")]
    assert result.errors == [(0, "The table has no aims or benchmarks.")]


def test_a_second_table_with_other_columns_or_extra_cells_is_refused():
    result = parse_plan_text("Aim,Lead\nA,B\nActions,Deadline\nC,D\nE,F,G\n")
    assert [row for row, _ in result.errors] == [3, 5]
    assert "other columns" in result.errors[0][1]
    assert "more cells" in result.errors[1][1]


def test_guess_and_choose_columns():
    headers = ["Gatsby Benchmark", "Current provision", "Key Actions", "Deadline", "Who",
               "Success Criteria", "Notes"]
    assert guess_mapping(headers) == {"benchmark": 0, "current_provision": 1, "actions": 2,
                                      "milestone_date": 3, "lead": 4, "success": 5}
    mapping, problems = mapping_from_choices(["aim", "", "actions", "actions", "wrong"])
    assert mapping == {"aim": 0, "actions": 2}
    assert problems == ["Two columns are marked as “Actions”: choose one.",
                        "The column choice is not valid: choose again."]
    assert mapping_problems({"lead": 0}, 1) == [
        "Choose the column that holds the aim or the Gatsby Benchmark (there is no "
        "“Aim/Benchmark” column)."]
    assert mapping_problems({"aim": 5}, 2) == ["The column choice is not valid: choose again."]


BENCHMARK_PLAN = (
    "Gatsby Benchmark\tKey Actions\tDeadline\tWho\n"
    "<p>5. Encounters with employers.</p>\t<p>Assemblies</p> <p>Lessons</p> <p>Budget</p>"
    "\t<p>July 2020</p> <p>Ongoing</p> <p>Termly</p>\t<p>PM</p> <p>CAL</p> <p>SLT</p>\n"
    "<p>Every student should meet employers.</p>\t<p>Twilight sessions</p>"
    "\t<p>Sept 2019 and ongoing</p>\t<p>SLT</p>\n"
)


def test_deadlines_pair_with_actions_and_unnumbered_rows_continue_the_benchmark():
    result = parse_plan_text(BENCHMARK_PLAN, leads={"slt": 3})
    assert result.errors == []
    (item,) = result.items
    assert (item.benchmark, item.continued_rows) == (5, [3])
    assert item.aim == "Encounters with employers.\nEvery student should meet employers."
    assert [(a.text, a.lead, a.when, a.milestone and a.milestone.day) for a in item.actions] == [
        ("Assemblies", "PM", "", date(2020, 7, 1)),
        ("Lessons", "CAL", "Ongoing", None),
        ("Budget", "SLT", "Termly", None),
        ("Twilight sessions", "", "", date(2019, 9, 1))]
    assert [(m.title, m.title_from, m.ongoing) for m in item.milestones] == [
        ("Assemblies", "action", False), ("Twilight sessions", "action", True)]
    assert item.lead_text == "PM; CAL; SLT" and item.lead_user_id is None  # several leads
    assert item.actions_text.splitlines() == [
        "Assemblies (lead: PM)", "Lessons (Ongoing; lead: CAL)", "Budget (Termly; lead: SLT)",
        "Twilight sessions (ongoing)"]
    assert result.undated_action_count == 2


def test_a_benchmark_column_needs_a_number_in_its_first_row():
    result = parse_plan_text("Gatsby Benchmark,Actions\nEncounters,Talks\n")
    assert result.errors == [(2, "The Gatsby Benchmark column has no benchmark number (1-8).")]


def test_amounts_in_the_text_are_added_up_without_a_cost_column():
    result = parse_plan_text("Aim\tActions\tResources\nTransition\t<p>Workers (£25,000)</p>"
                             " <p>Course £560 +VAT</p>\t<p>Training cost £220.50</p>\n")
    (item,) = result.items
    assert item.cost_pence == 25_000_00 + 560_00 + 220_50
    assert item.cost_note == "added up from £25,000 + £560 + £220.50"

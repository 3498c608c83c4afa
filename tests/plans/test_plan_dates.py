"""Table-driven tests for reading plan dates, pounds and benchmarks (no app needed)."""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.domain.plan_dates import (DateCellError, ImpossibleDateError, MoneyError,
                                           NoDateError, format_pounds, parse_date_cell,
                                           parse_pounds, shift_years, split_benchmark)


@pytest.mark.parametrize("cell, day, month_only, rest", [
    ("November 2022 - Careers Focus Day 1 (Years 7,8,9)", date(2022, 11, 1), True,
     "Careers Focus Day 1 (Years 7,8,9)"),
    ("Sept 2019", date(2019, 9, 1), True, ""),
    ("Sep 2019", date(2019, 9, 1), True, ""),
    ("Dec 2022 - Apprenticeships talk (TEP)", date(2022, 12, 1), True, "Apprenticeships talk (TEP)"),
    ("Feb 2023 – National Careers Week (All Years)", date(2023, 2, 1), True,
     "National Careers Week (All Years)"),
    ("July 2022: MAL to visit EDC", date(2022, 7, 1), True, "MAL to visit EDC"),
    ("Bursary/funding secured by April 2023", date(2023, 4, 1), True,
     "Bursary/funding secured by April 2023"),
    ("3 March 2026", date(2026, 3, 3), False, ""),
    ("3rd Mar 2026", date(2026, 3, 3), False, ""),
    ("19 Jun 2026 - Careers fair", date(2026, 6, 19), False, "Careers fair"),
    ("03/03/2026", date(2026, 3, 3), False, ""),  # British: day first
    ("12/01/2026", date(2026, 1, 12), False, ""),
    ("2026-03-03", date(2026, 3, 3), False, ""),
    ("11/2022", date(2022, 11, 1), True, ""),
    ("  november   2022  ", date(2022, 11, 1), True, ""),
])
def test_dates_that_parse(cell, day, month_only, rest):
    parsed = parse_date_cell(cell)
    assert (parsed.day, parsed.month_only, parsed.rest) == (day, month_only, rest)
    assert parsed.rule == ("month only: taken as the first of the month" if month_only
                           else "exact date")


# Every way the seed plans write a milestone date (issue 13), with how it is read.
@pytest.mark.parametrize("cell, day, rule, rest, ongoing", [
    ("November 2022 - Careers Focus Day 1 (Years 7,8,9)", date(2022, 11, 1),
     "month only: taken as the first of the month", "Careers Focus Day 1 (Years 7,8,9)", False),
    ("Feb 2023", date(2023, 2, 1), "month only: taken as the first of the month", "", False),
    ("Sept 2019 and ongoing", date(2019, 9, 1), "month only: taken as the first of the month",
     "", True),
    ("Sept 2019 ongoing", date(2019, 9, 1), "month only: taken as the first of the month", "",
     True),
    ("by April 2023", date(2023, 4, 1), "month only: taken as the first of the month", "", False),
    ("By 3 March 2026", date(2026, 3, 3), "exact date", "", False),
    ("Summer 2023", date(2023, 6, 1), "Summer term: taken as 1 June", "", False),
    ("summer term 2023", date(2023, 6, 1), "Summer term: taken as 1 June", "", False),
    ("Spring term 2024", date(2024, 3, 1), "Spring term: taken as 1 March", "", False),
    ("Autumn 2022", date(2022, 9, 1), "Autumn term: taken as 1 September", "", False),
    ("Winter 2022", date(2022, 12, 1), "Winter term: taken as 1 December", "", False),
    ("Outreach delivered by Summer 2023", date(2023, 6, 1), "Summer term: taken as 1 June",
     "Outreach delivered by Summer 2023", False),
    ("December 2022 for roadmap work", date(2022, 12, 1),
     "month only: taken as the first of the month", "December 2022 for roadmap work", False),
    ("Careers event and other STEM events in the calendar by December 2022", date(2022, 12, 1),
     "month only: taken as the first of the month",
     "Careers event and other STEM events in the calendar by December 2022", False),
    # The leftmost date wins, whatever its form.
    ("Summer 2023 - review of the May 2023 work", date(2023, 6, 1),
     "Summer term: taken as 1 June", "review of the May 2023 work", False),
])
def test_the_forms_plans_are_written_in(cell, day, rule, rest, ongoing):
    parsed = parse_date_cell(cell)
    assert (parsed.day, parsed.rule, parsed.rest, parsed.ongoing) == (day, rule, rest, ongoing)
    assert parsed.month_only is (rule != "exact date")


@pytest.mark.parametrize("cell", ["", "   ", None, "Ongoing", "ongoing.", "TBC", "n/a", "-"])
def test_cells_meaning_no_milestone(cell):
    assert parse_date_cell(cell) is None


@pytest.mark.parametrize("cell, message, kind", [
    # "Summer 2023" was an error before terms were read (see the table above).
    ("Whenever 2023", "no date we can read", NoDateError),
    ("31/02/2026", "not a real date", ImpossibleDateError),
    ("30 February 2024", "not a real date", ImpossibleDateError),
    ("Sept 1899", "outside", ImpossibleDateError),
    ("Careers fair", "no date we can read", NoDateError),
    ("ongoing for meetings", "no date we can read", NoDateError),
])
def test_cells_that_are_errors(cell, message, kind):
    with pytest.raises(DateCellError, match=message) as raised:
        parse_date_cell(cell)
    assert isinstance(raised.value, kind)


@pytest.mark.parametrize("text, years, moved", [
    ("Action Plan 2022-2024", 4, "Action Plan 2026-2028"),
    ("work-shadowing days in 2019-20.", 7, "work-shadowing days in 2026-27."),
    ("NEET for 2022 - 2023", 4, "NEET for 2026 - 2027"),
    ("November 2022 - Careers Focus Day 1", 4, "November 2026 - Careers Focus Day 1"),
    ("03/03/2026", 1, "03/03/2027"),
    ("costs £2000, £2,000 and £25,000 (Years 7,8,9)", 5,
     "costs £2000, £2,000 and £25,000 (Years 7,8,9)"),
    ("12020 pupils", 1, "12020 pupils"),
])
def test_shift_years(text, years, moved):
    assert shift_years(text, years) == moved


@pytest.mark.parametrize("text, pence", [("", None), ("250", 25000), ("£1,250.50", 125050),
                                         ("0.5", 50), (" £ 12 ", 1200)])
def test_pounds(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["lots", "-5", "1.234", "£1e9"])
def test_bad_pounds(text):
    with pytest.raises(MoneyError):
        parse_pounds(text)


@pytest.mark.parametrize("pence, text", [(None, ""), (25000, "£250"), (125050, "£1,250.50"),
                                         (5, "£0.05")])
def test_format_pounds(pence, text):
    assert format_pounds(pence) == text


@pytest.mark.parametrize("cell, benchmark, aim", [
    ("1. A stable Careers Programme. Every school", 1, "A stable Careers Programme. Every school"),
    ("BM5 Encounters with employers", 5, "Encounters with employers"),
    ("Gatsby Benchmark 3: needs of each pupil", 3, "needs of each pupil"),
    ("Benchmark 8", 8, ""),
    ("10 new partnerships", None, "10 new partnerships"),
    ("9. Not a benchmark", None, "9. Not a benchmark"),
    ("To increase opportunities", None, "To increase opportunities"),
])
def test_split_benchmark(cell, benchmark, aim):
    assert split_benchmark(cell) == (benchmark, aim)

"""Table-driven tests for reading plan dates, pounds and benchmarks (no app needed)."""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.domain.plan_dates import (DateCellError, MoneyError, format_pounds,
                                           parse_date_cell, parse_pounds, split_benchmark)


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


@pytest.mark.parametrize("cell", ["", "   ", None, "Ongoing", "ongoing.", "TBC", "n/a", "-"])
def test_cells_meaning_no_milestone(cell):
    assert parse_date_cell(cell) is None


@pytest.mark.parametrize("cell, message", [
    ("Summer 2023", "no date we can read"),
    ("31/02/2026", "not a real date"),
    ("30 February 2024", "not a real date"),
    ("Sept 1899", "outside"),
    ("Careers fair", "no date we can read"),
])
def test_cells_that_are_errors(cell, message):
    with pytest.raises(DateCellError, match=message):
        parse_date_cell(cell)


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

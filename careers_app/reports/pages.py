"""Report pages shared beyond one view: the filter form every report reads, and the benchmark
dashboard, which is also the staff home page (main.index shows it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import request
from flask_login import current_user

from ..domain.academic import YEAR_GROUPS, academic_year_bounds, academic_year_of
from ..domain.dates import format_date, today_london
from ..domain.rules import BAND_LEGEND, as_of_day
from ..forms import valid_or_400
from ..templating import render
from . import services
from .charts import bar_chart
from .forms import YEARS_BACK, ReportFilterForm


@dataclass
class ReportRequest:
    """What a report page was asked for: its form, academic year, filters, today, and the
    "as at" day (None: today, or the end of a past year) with any note about it."""

    form: ReportFilterForm
    year: int
    filters: services.Filters
    today: date
    as_at: date | None
    note: str = ""

    @property
    def as_of(self) -> date:
        """The day the figures are as at."""
        return as_of_day(self.year, self.as_at or self.today)

    def __iter__(self):  # form, year, filters, today: what the views unpack
        return iter((self.form, self.year, self.filters, self.today))


def _as_at(form: ReportFilterForm, year: int, today: date) -> tuple[date | None, str]:
    """The chosen "as at" day, kept within the year and never after today, with a note when
    it had to be changed."""
    chosen = form.as_at.data
    if chosen is None:
        return None, ""
    if chosen > today:
        return today, (f"Figures cannot be as at a day still to come, so they are as at "
                       f"today, {format_date(today)}.")
    start, end = academic_year_bounds(year)
    if not start <= chosen <= end:
        return None, (f"{format_date(chosen)} is not in the academic year chosen, so the "
                      "figures are as at its last day so far.")
    return chosen, ""


def filter_form(with_tutor_groups: bool = True) -> ReportRequest:
    """The filter form bound to the query string, its year, filters and "as at" day.

    The dashboard passes False and fills in the tutor groups from the roll it has read."""
    today = today_london()
    current_year = academic_year_of(today)
    form = ReportFilterForm(request.args)
    form.set_choices(current_year, [])
    valid_or_400(form)  # an unknown year, SEND code, yes/no value or date is a bad request
    if not request.args.get("year") and form.as_at.data and form.as_at.data <= today:
        form.year.data = str(max(academic_year_of(form.as_at.data), current_year - YEARS_BACK))
    year = form.academic_year()
    form.year.data = str(year)
    as_at, note = _as_at(form, year, today)
    form.as_at.data = as_at
    form.set_choices(current_year, services.tutor_groups(current_user.school_id, year, today,
                                                         as_at) if with_tutor_groups else [])
    return ReportRequest(form, year, form.filters(), today, as_at, note)


def report_args(year: int, filters: services.Filters, as_at: date | None = None,
                **extra) -> dict:
    """The query string that keeps a report's year, filters and "as at" day (for links and
    exports)."""
    dated = {"as_at": as_at.isoformat()} if as_at else {}
    return {"year": year, **filters.as_args(), **dated, **extra}


@dataclass(frozen=True)
class CensusPoint:
    """One of the Careers & Enterprise Company's measurement days, as a link when it has come."""

    day: date
    args: dict | None  # None: the day has not come yet


def census_points(report: ReportRequest) -> list[CensusPoint]:
    """31 December, 31 March and 31 July of the report's academic year."""
    days = (date(report.year, 12, 31), date(report.year + 1, 3, 31), date(report.year + 1, 7, 31))
    return [CensusPoint(day, report_args(report.year, report.filters, day)
                        if day <= report.today else None) for day in days]


def dashboard():
    """The benchmark matrix: /reports/benchmarks, and the staff home page (main.index)."""
    report = filter_form(with_tutor_groups=False)
    form, year, filters, today = report
    matrix = services.benchmark_matrix(current_user.school_id, year, today, filters,
                                       report.as_at)
    form.set_choices(academic_year_of(today), matrix.tutor_groups)
    charts = [bar_chart(rule, {y: matrix.cells[(rule.key, y)] for y in rule.year_groups})
              for rule in matrix.rules]
    return render("reports/benchmarks.html", fragment="results", form=form, matrix=matrix,
                  filters=filters, charts=charts, year=year, legend=BAND_LEGEND,
                  year_groups=YEAR_GROUPS, report=report, census=census_points(report),
                  args=report_args(year, filters, report.as_at))

"""Report pages shared beyond one view: the filter form every report reads, and the benchmark
dashboard, which is also the staff home page (main.index shows it)."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from ..domain.academic import YEAR_GROUPS, academic_year_of
from ..domain.dates import today_london
from ..domain.rules import BAND_LEGEND
from ..forms import valid_or_400
from ..templating import render
from . import services
from .charts import bar_chart
from .forms import ReportFilterForm


def filter_form(with_tutor_groups: bool = True):
    """The filter form bound to the query string, its year and its filters.

    The dashboard passes False and fills in the tutor groups from the roll it has read."""
    today = today_london()
    current_year = academic_year_of(today)
    form = ReportFilterForm(request.args)
    form.set_choices(current_year, [])
    valid_or_400(form)  # an unknown year, SEND code or yes/no value is a bad request
    year = form.academic_year()
    form.year.data = str(year)
    form.set_choices(current_year, services.tutor_groups(current_user.school_id, year, today)
                     if with_tutor_groups else [])
    return form, year, form.filters(), today


def report_args(year: int, filters: services.Filters, **extra) -> dict:
    """The query string that keeps a report's year and filters (for links and exports)."""
    return {"year": year, **filters.as_args(), **extra}


def dashboard():
    """The benchmark matrix: /reports/benchmarks, and the staff home page (main.index)."""
    form, year, filters, today = filter_form(with_tutor_groups=False)
    matrix = services.benchmark_matrix(current_user.school_id, year, today, filters)
    form.set_choices(academic_year_of(today), matrix.tutor_groups)
    charts = [bar_chart(rule, {y: matrix.cells[(rule.key, y)] for y in rule.year_groups})
              for rule in matrix.rules]
    return render("reports/benchmarks.html", fragment="results", form=form, matrix=matrix,
                  filters=filters, charts=charts, year=year, legend=BAND_LEGEND,
                  year_groups=YEAR_GROUPS, args=report_args(year, filters))

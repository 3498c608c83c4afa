"""Benchmark progress reports, gap lists and exports (issue 4). Staff only."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from .. import audit_trail
from ..domain.academic import academic_year_label
from ..domain.academic import year_group as year_group_of
from ..domain.benchmarks import ORGANISATION_KIND_LABELS, kind_label
from ..domain.dates import format_date
from ..domain.progress import still_on_roll
from ..domain.rules import RULES, RULES_BY_KEY, RuleSettings
from ..security import admin_required, require_staff
from ..templating import redirect_after_write, render
from . import services
from .csv_export import csv_response
from .forms import RuleSettingsForm
from .pages import dashboard, filter_form, report_args

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(require_staff)


@bp.get("/benchmarks")
def benchmarks():
    return dashboard()


@bp.get("/benchmarks.csv")
def benchmarks_csv():
    """The matrix as CSV: one row per rule and year group, as at the day chosen."""
    report = filter_form(with_tutor_groups=False)
    _form, year, filters, today = report
    matrix = services.benchmark_matrix(current_user.school_id, year, today, filters,
                                       report.as_at)
    header = ["Academic year", "Rule", "Benchmark", "Rule description", "Year group",
              "Pupils met", "Pupils measured", "Percent", "As at", "In progress"]
    if filters.active:
        header += [f"Filtered ({filters.describe()}) met", "Filtered measured", "Filtered percent"]
    rows = []
    for rule in matrix.rules:
        for year_group in rule.year_groups:
            cell = matrix.cells[(rule.key, year_group)]
            row = [academic_year_label(year), rule.key, rule.label, rule.title, year_group,
                   cell.met, cell.total, "" if cell.percent is None else cell.percent,
                   matrix.as_of.isoformat(), "Yes" if cell.in_progress else ""]
            if filters.active:
                part = matrix.filtered_cell(rule, year_group)
                row += [part.met, part.total, "" if part.percent is None else part.percent]
            rows.append(row)
    return csv_response(f"benchmarks-{academic_year_label(year).replace('/', '-')}.csv",
                        header, rows)


def _rule_or_404(rule_key: str, year_group: int):
    rule = RULES_BY_KEY.get(rule_key)
    if rule is None or year_group not in rule.year_groups:
        abort(404)
    return rule


def _gaps(rule_key: str, year_group: int):
    """The rule, the report asked for, the school's rule settings, and (who has not met it,
    how many are measured)."""
    rule = _rule_or_404(rule_key, year_group)
    report = filter_form()
    _form, year, filters, today = report
    settings = services.school_settings(current_user.school_id)
    return rule, report, settings, services.gap_list(current_user.school_id, rule, year_group,
                                                     year, today, filters, report.as_at, settings)


@bp.get("/benchmarks/<rule_key>/<int:year_group>")
@audit_trail.shows_special_data
def gaps(rule_key: str, year_group: int):
    """Pupils in a year group who have not met a rule, with the quick-log button."""
    rule, report, settings, (gap_rows, measured) = _gaps(rule_key, year_group)
    return render("reports/gaps.html", fragment="results", form=report.form, rule=rule,
                  year_group=year_group, year=report.year, filters=report.filters, gaps=gap_rows,
                  measured=measured, on_roll_ids=still_on_roll(gap_rows), report=report,
                  settings=settings,
                  args=report_args(report.year, report.filters, report.as_at))


@bp.get("/benchmarks/<rule_key>/<int:year_group>.csv")
@audit_trail.shows_special_data
def gaps_csv(rule_key: str, year_group: int):
    rule, report, _settings, (gap_rows, _measured) = _gaps(rule_key, year_group)
    return csv_response(
        f"not-met-{rule.key}-year{year_group}-{academic_year_label(report.year).replace('/', '-')}"
        ".csv", [*_pupil_header(), "Not counted"],
        ([*_pupil_row(g, report.year), g.why_not_counted] for g in gap_rows))


def _pupil_header() -> list[str]:
    return ["UPN", "Surname, forename", "Year group", "Tutor group", "SEND", "Disadvantaged",
            "Looked after", "Left on", "Count so far", "Needed"]


def _pupil_row(gap: services.Gap, year: int) -> list:
    pupil = gap.pupil
    return [pupil.upn, pupil.sort_name, pupil.year_group, pupil.tutor_group or "",
            pupil.send_status if pupil.has_send else "",
            "Yes" if pupil.disadvantaged else "", "Yes" if pupil.looked_after else "",
            format_date(pupil.left_on), gap.count, gap.needed]


@bp.get("/pal")
@audit_trail.shows_special_data
def pal():
    """Provider Access Legislation: per phase, per pupil, providers met and who is short."""
    report = filter_form()
    form, year, filters, today = report
    show_all = request.args.get("show") == "all"
    phases = services.pal_report(current_user.school_id, year, today, filters, report.as_at)
    return render("reports/pal.html", fragment="results", form=form, phases=phases, year=year,
                  filters=filters, show_all=show_all, today=today, report=report,
                  args=report_args(year, filters, report.as_at))


@bp.get("/pal.csv")
@audit_trail.shows_special_data
def pal_csv():
    report = filter_form()
    _form, year, filters, today = report
    phases = services.pal_report(current_user.school_id, year, today, filters, report.as_at)
    rows = ([phase.rule.title, *_pupil_row(g, year), "Met" if g.met else "Short"]
            for phase in phases for g in phase.rows)
    return csv_response(f"provider-access-{academic_year_label(year).replace('/', '-')}.csv",
                        ["Phase", *_pupil_header(), "Status"], rows)


@bp.get("/encounters.csv")
def encounters_csv():
    """Every encounter of a year (up to the "as at" day, when one is chosen) with its
    participants: one row per pupil who took part, with the tutor group they were in then."""
    report = filter_form(with_tutor_groups=False)
    year = report.year
    header = ["Encounter id", "Date", "Title", "Type", "Organisation", "Organisation type",
              "Benchmarks", "Meaningful", "Planned", "UPN", "Pupil", "Year group", "Tutor group"]

    def rows():
        for row, benchmarks in services.encounter_export_rows(current_user.school_id, year,
                                                              report.as_at):
            name = (f"{row.surname}, {row.preferred_forename or row.legal_forename}"
                    if row.upn else "")
            yield [row.id, row.date.isoformat(), row.title, kind_label(row.kind),
                   row.organisation or "",
                   ORGANISATION_KIND_LABELS.get(row.org_kind, "") if row.org_kind else "",
                   " ".join(f"BM{n}" for n in benchmarks), "Yes" if row.meaningful else "No",
                   "Yes" if row.planned else "No", row.upn or "", name,
                   year_group_of(row.cohort, year) if row.upn else "", row.tutor_group or ""]
    return csv_response(f"encounters-{academic_year_label(year).replace('/', '-')}.csv",
                        header, rows())


def _settings_page(form: RuleSettingsForm, status: int = 200):
    return render("reports/settings.html", fragment="settings_form", status=status, form=form,
                  rules=RULES)


@bp.get("/settings")
@admin_required
def settings():
    """The careers leader tunes the thresholds schools may set."""
    current = services.school_settings(current_user.school_id)
    form = RuleSettingsForm()
    form.bm6_pre16.data = current.threshold(RULES_BY_KEY["bm6_pre16"])
    form.bm6_post16.data = current.threshold(RULES_BY_KEY["bm6_post16"])
    form.guidance_needs_level6.data = current.guidance_needs_level6
    return _settings_page(form)


@bp.post("/settings")
@admin_required
def save_settings():
    form = RuleSettingsForm()
    if not form.validate():
        return _settings_page(form, status=422)
    chosen = RuleSettings({"bm6_pre16": form.bm6_pre16.data,
                           "bm6_post16": form.bm6_post16.data},
                          bool(form.guidance_needs_level6.data))
    services.save_school_settings(current_user.school_id, chosen)
    flash("Benchmark settings saved. The dashboard now uses them.", "success")
    return redirect_after_write(url_for("reports.benchmarks"))

"""Work experience placements (issue 16): weeks, the assign table, placements, the import,
the report and chase list, the pupil's evaluation and the employer's feedback form.

Every page here is for staff (pupils get 404) except two: the pupil's own evaluation, which
only the pupil whose placement it is can open, and the employer's feedback form, which has
no login and authenticates by its one-time link.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..domain.academic import academic_year_label, academic_year_of
from ..domain.dates import today_london
from ..domain.rules import as_of_day
from ..forms import int_list, options, valid_or_400
from ..pupils.services import group_options, parse_group
from ..reports.csv_export import csv_response
from ..security import admin_required, public, require_staff
from ..templating import is_fragment_request, redirect_after_write, render
from . import feedback, importer, planning, report, services
from .forms import (AssignForm, EvaluationForm, FeedbackForm, FeedbackLinkForm, HolidaysForm,
                    ImportForm, ListFilterForm, PlacementForm, ReportForm, RowFilterForm,
                    StatusForm, WeekForm, holiday_lines)
from .pages import (answers_from, assign_forms, assign_row, details_from, evaluation_page,
                    feedback_page, fill_details, import_page, placement_page, request_ip,
                    submitted_sheet, week_choices, with_link_headers)

bp = Blueprint("placements", __name__)

PUPIL_ENDPOINTS = {"placements.evaluation", "placements.evaluate"}
PUBLIC_ENDPOINTS = {"placements.feedback_form", "placements.submit_feedback"}


@bp.before_request
def _staff_only():
    """Staff pages, except the pupil's evaluation (own only) and the employer's form."""
    if request.endpoint in PUBLIC_ENDPOINTS | PUPIL_ENDPOINTS:
        return None
    return require_staff()


@bp.errorhandler(429)
def _too_many(_error):
    response = render("errors/error.html", status=429, title="Too many attempts",
                      message="Too many links that do not work have been tried from this "
                              "network. Wait 15 minutes and try again.")
    response.headers["Retry-After"] = str(int(feedback.WINDOW.total_seconds()))
    return response


def _school_id() -> int:
    return current_user.school_id


def _placement_or_404(placement_id: int):
    placement = services.get_placement(_school_id(), placement_id)
    if placement is None:
        abort(404)
    return placement


def _week_or_404(week_id: int):
    week = planning.get_week(_school_id(), week_id)
    if week is None:
        abort(404)
    return week


# The list and the weeks -----------------------------------------------------------------------

@bp.get("/placements")
def index():
    """Every placement, filterable, and the planned weeks."""
    form = ListFilterForm(request.args)
    form.week.choices = week_choices(_school_id())
    valid_or_400(form)
    filters = services.ListFilters(q=(form.q.data or "").strip(), status=form.status.data or "",
                                   week_id=int(form.week.data) if form.week.data else None)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    placements, total = services.list_placements(_school_id(), filters, page)
    return render("placements/index.html", fragment="results", form=form, placements=placements,
                  total=total, page=page, page_size=services.PAGE_SIZE,
                  weeks=planning.week_summaries(_school_id()), today=today_london())


def _week_form_page(form: WeekForm, status: int = 200, problem: str | None = None):
    groups = group_options(_school_id())
    form.group.choices = (
        options([("", "Choose a group")])
        + options(((g.key, g.label) for g in groups if g.kind == "year"), "Year groups")
        + options(((g.key, g.label) for g in groups if g.kind == "tutor"), "Tutor groups"))
    return render("placements/week_form.html", fragment="week_form", status=status, form=form,
                  problem=problem)


@bp.get("/placements/weeks/new")
@admin_required
def new_week():
    """Plan a week: a placement to find for every pupil of a year or tutor group."""
    return _week_form_page(WeekForm())


@bp.post("/placements/weeks")
@admin_required
def create_week():
    form = WeekForm()
    if not form.validate():
        return _week_form_page(form, 422)
    try:
        week, count, skipped = planning.plan_week(
            _school_id(), current_user, form.title.data, form.start_on.data, form.end_on.data,
            parse_group(form.group.data), today_london())
    except services.PlacementInputError as error:
        getattr(form, error.field_name).errors = [error.message]
        return _week_form_page(form, 422)
    already = f" ({skipped} already had a placement on those days)" if skipped else ""
    flash(f"Planned “{week.title}”: {count} placements to find{already}. Type each pupil's "
          "employer.", "success")
    return redirect_after_write(url_for("placements.week", week_id=week.id))


def _assign_page(week, *, errors: dict | None = None, typed: dict | None = None,
                 status: int = 200):
    filters_form = RowFilterForm(request.args)
    valid_or_400(filters_form)
    filters = planning.RowFilters(filters_form.status.data or "",
                                  frozenset(int_list(request.args.getlist("pupil"))))
    rows = planning.week_rows(week, filters, today_london())
    return render("placements/week.html", fragment="assign_table", status=status, week=week,
                  rows=rows, forms=assign_forms(rows, errors or {}, typed or {}),
                  saved_ids=set(), filters_form=filters_form, filters=filters,
                  group_label=planning.week_group_label(week))


@bp.get("/placements/weeks/<int:week_id>")
def week(week_id: int):
    """The assign table: type each pupil's employer, row after row, by keyboard."""
    return _assign_page(_week_or_404(week_id))


@bp.post("/placements/weeks/<int:week_id>/pupils/<int:pupil_id>")
def assign(week_id: int, pupil_id: int):
    """Save one row's employer; htmx gets the row back, and focus moves to the next row."""
    week = _week_or_404(week_id)
    row = planning.week_row(week, pupil_id, today_london())
    if row is None:
        abort(404)
    form = AssignForm()
    error = None if form.validate() else " ".join(form.organisation.errors)
    if error is None:
        try:
            row.placement = planning.assign_employer(week, row, form.organisation.data or "",
                                                     current_user, today_london())
        except services.PlacementInputError as problem:
            error = problem.message
    if is_fragment_request():
        return assign_row(week, row, error, form.organisation.data)
    if error:
        return _assign_page(week, errors={pupil_id: error},
                            typed={pupil_id: form.organisation.data}, status=422)
    return redirect_after_write(url_for("placements.week", week_id=week.id,
                                        _anchor=f"row-{pupil_id}"))


# One placement --------------------------------------------------------------------------------

@bp.get("/placements/<int:placement_id>")
def show(placement_id: int):
    """Everything about one placement: status, checks, contact, feedback, evaluation."""
    return placement_page(_placement_or_404(placement_id))


@bp.get("/placements/<int:placement_id>/edit")
def edit(placement_id: int):
    placement = _placement_or_404(placement_id)
    form = PlacementForm(obj=placement)
    fill_details(form, placement)
    return render("placements/edit.html", fragment="placement_form", form=form,
                  placement=placement, problem=None)


@bp.post("/placements/<int:placement_id>/edit")
def update(placement_id: int):
    placement = _placement_or_404(placement_id)
    form = PlacementForm()
    problem = None
    if form.validate():
        try:
            services.update_details(placement, details_from(form), current_user, today_london())
        except services.PlacementInputError as error:
            problem = _attach(form, error)
        else:
            flash("Placement saved.", "success")
            return redirect_after_write(url_for("placements.show", placement_id=placement.id))
    return render("placements/edit.html", fragment="placement_form", status=422, form=form,
                  placement=placement, problem=problem)


def _attach(form, error: services.PlacementInputError) -> str | None:
    """Put a service's message on its field; a message for the whole form is returned."""
    if error.field_name and error.field_name in form:
        form[error.field_name].errors = [error.message]
        return None
    return error.message


@bp.post("/placements/<int:placement_id>/status")
def set_status(placement_id: int):
    placement = _placement_or_404(placement_id)
    form = StatusForm()
    if form.validate():
        try:
            services.change_status(placement, form.status.data, form.cancel_reason.data or "",
                                   current_user, today_london())
        except services.PlacementInputError as error:
            _attach(form, error)
        else:
            flash(f"Status: {placement.status_label}.", "success")
            return redirect_after_write(url_for("placements.show", placement_id=placement.id))
    return placement_page(placement, status_form=form, status=422)


@bp.post("/placements/<int:placement_id>/feedback-link")
def make_feedback_link(placement_id: int):
    """A one-time link for the employer, shown now and never again."""
    placement = _placement_or_404(placement_id)
    if not FeedbackLinkForm().validate():
        return placement_page(placement, status=422)
    try:
        _link, token = feedback.create_link(placement, current_user.id, today_london())
    except feedback.LinkUnavailable as error:
        return placement_page(placement, link_problem=str(error), status=422)
    url = url_for("placements.feedback_form", token=token, _external=True)
    return with_link_headers(placement_page(placement, new_link=url, status=201))


# Import ---------------------------------------------------------------------------------------

@bp.get("/placements/import")
@admin_required
def import_upload():
    """Import the school's work experience spreadsheet (CSV or Excel)."""
    return import_page(ImportForm())


@bp.post("/placements/import")
@admin_required
def import_check():
    """Upload: the preview with every row error. Confirm: every row written, or none."""
    form = ImportForm()
    if not form.validate():
        return import_page(form, status=422)
    sheet, week, problem = submitted_sheet(form, _school_id())
    if problem:
        return import_page(form, status=422, problem=problem)
    if form.confirm.data != "yes":
        checked = importer.check(_school_id(), sheet, week, today_london())
        return import_page(form, checked=checked, status=200 if checked.can_import else 422)
    try:
        checked = importer.apply(_school_id(), sheet, week, current_user, today_london())
    except importer.ImportRefused as refused:
        return import_page(form, checked=refused.checked, status=422)
    flash(f"Imported {checked.new_count} new and {checked.updated_count} updated placements.",
          "success")
    return redirect_after_write(url_for("placements.week", week_id=week.id) if week
                                else url_for("placements.index"))


# Report ---------------------------------------------------------------------------------------

def _report_year():
    """The report's year from the query string (400 for one not offered), and its form."""
    form = ReportForm(request.args)
    current = academic_year_of(today_london())
    form.year.choices = options([("", "This year")] + [
        (str(y), academic_year_label(y)) for y in range(current, current - 6, -1)])
    valid_or_400(form)
    return form, int(form.year.data) if form.year.data else current


@bp.get("/placements/report")
def report_page():
    """Per year group: completed placements, days of experience, feedback, evaluations; and
    the chase list."""
    (form, year), today = _report_year(), today_london()
    return render("placements/report.html", form=form, year=year, today=today,
                  as_of=as_of_day(year, today),
                  rows=report.year_group_report(_school_id(), year, today),
                  chase=report.chase_list(_school_id(), today))


@bp.get("/placements/report/print")
def report_print():
    (_form, year), today = _report_year(), today_london()
    return render("placements/report_print.html", year=year, today=today,
                  as_of=as_of_day(year, today),
                  rows=report.year_group_report(_school_id(), year, today),
                  chase=report.chase_list(_school_id(), today))


@bp.get("/placements/report.csv")
def report_csv():
    """Every placement of the year, for the spreadsheet (formulas neutralised)."""
    _form, year = _report_year()
    return csv_response(f"placements-{academic_year_label(year).replace('/', '-')}.csv",
                        report.EXPORT_HEADER, report.export_rows(_school_id(), year))


# Settings -------------------------------------------------------------------------------------

@bp.get("/placements/settings")
@admin_required
def settings():
    """The school's holidays, left out of every placement's days."""
    form = HolidaysForm()
    form.holidays.data = holiday_lines(services.holidays(_school_id()))
    return render("placements/settings.html", fragment="settings_form", form=form)


@bp.post("/placements/settings")
@admin_required
def save_settings():
    form = HolidaysForm()
    if not form.validate():
        return render("placements/settings.html", fragment="settings_form", status=422,
                      form=form)
    changed = services.save_holidays(_school_id(), form.ranges)
    flash(f"Holidays saved; {changed} placements' days recounted.", "success")
    return redirect_after_write(url_for("placements.index"))


# The pupil's evaluation -----------------------------------------------------------------------

def _own_placement(placement_id: int):
    """The pupil's own placement; anyone else (staff included) gets 404."""
    pupil = current_user.pupil if current_user.is_pupil else None
    placement = services.own_placement(pupil, placement_id) if pupil else None
    if placement is None or not services.can_evaluate(placement, today_london()):
        abort(404)
    return placement


@bp.get("/me/placements/<int:placement_id>/evaluation")
def evaluation(placement_id: int):
    """The pupil's evaluation form (inline on /me with htmx)."""
    placement = _own_placement(placement_id)
    form = EvaluationForm(prefix=f"w{placement.id}", data={
        "did": placement.evaluation_did, "learnt": placement.evaluation_learnt,
        "advice": placement.evaluation_advice})
    return evaluation_page(placement, form)


@bp.post("/me/placements/<int:placement_id>/evaluation")
def evaluate(placement_id: int):
    placement = _own_placement(placement_id)
    form = EvaluationForm(prefix=f"w{placement.id}")
    if not form.validate():
        return evaluation_page(placement, form, status=422)
    services.save_evaluation(placement, form.did.data, form.learnt.data, form.advice.data,
                             today_london())
    flash("Thank you: your evaluation is saved.", "success")
    # No #anchor: htmx would take a change of anchor alone as "stay on this page".
    return redirect_after_write(url_for("main.me"))


# The employer's feedback (no login) -----------------------------------------------------------

@bp.get("/feedback/<token>")
@public
def feedback_form(token: str):
    """The employer's short form. A bad, used or expired link is the same plain 404."""
    if feedback.refused(request_ip()):
        abort(429)
    found = feedback.find_link(token)
    if found is None:
        abort(404)
    return feedback_page(found, FeedbackForm())


@bp.post("/feedback/<token>")
@public
def submit_feedback(token: str):
    ip = request_ip()
    if feedback.refused(ip):
        abort(429)
    if (request.content_length or 0) > feedback.MAX_BODY_BYTES:
        abort(413)
    found = feedback.find_link(token)
    if found is None:
        feedback.note_failure(ip)
        abort(404)
    form = FeedbackForm()
    if not form.validate():
        return feedback_page(found, form, status=422)
    if not feedback.submit(token, answers_from(form), today_london()):
        abort(404)
    return feedback_page(found, None, status=200, done=True)

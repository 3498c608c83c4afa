"""Pupils: the list, each pupil's page, the admin's edit, leavers' destinations and pupil
logins."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from .. import audit_trail
from ..domain.academic import YEAR_GROUPS, academic_year_of
from ..domain.dates import today_london
from ..domain.destinations import STATUSES, YEARS_AFTER, status_label, year_after_label
from ..domain.progress import has_left
from ..forms import options, valid_or_400
from ..security import admin_required, require_staff
from ..templating import redirect_after_write, render
from . import destinations as destination_services
from . import logins as login_services
from . import services
from .forms import DestinationForm, LoginsForm, PupilFilterForm, PupilForm, yes_no
from .summary import happened_and_coming_up, pupil_summary

bp = Blueprint("pupils", __name__)
bp.before_request(require_staff)


@bp.app_template_filter("destination_status")
def destination_status_filter(status: str | None) -> str:
    return status_label(status or "not_known")


@bp.app_template_global("destination_year_label")
def destination_year_label(year_after: int, left_on: date | None = None) -> str:
    return year_after_label(year_after, academic_year_of(left_on) if left_on else None)


def _filters(form: PupilFilterForm) -> services.PupilFilters:
    return services.PupilFilters(
        q=(form.q.data or "").strip(),
        year_group=int(form.year_group.data) if form.year_group.data else None,
        tutor_group=form.tutor_group.data or "",
        send=form.send.data or "",
        disadvantaged=yes_no(form.disadvantaged.data),
        looked_after=yes_no(form.looked_after.data),
        status=form.status.data or "roll",
    )


@bp.get("/pupils/")
@audit_trail.shows_special_data
def index():
    school_id = current_user.school_id
    form = PupilFilterForm(request.args)
    groups = services.group_options(school_id)
    form.tutor_group.choices = options([("", "All")] + [(g.value, g.value) for g in groups
                                                        if g.kind == "tutor"])
    valid_or_400(form)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    pupils, total = services.search_pupils(school_id, _filters(form), page=page)
    audit_trail.shown_pupils(len(pupils))
    today = today_london()
    # The audit entry is written after the page is rendered (audit_trail's after-request
    # hook): its commit would expire the pupils, and reading them again costs a query each.
    return render("pupils/index.html", fragment="results", form=form, pupils=pupils,
                  total=total, page=page, page_size=services.PAGE_SIZE,
                  left_ids={p.id for p in pupils if has_left(p.left_on, today)},
                  academic_year=academic_year_of(today))


def _pupil_or_404(pupil_id: int):
    return services.pupil_or_404(current_user.school_id, pupil_id)


@bp.get("/pupils/<int:pupil_id>")
@audit_trail.shows_special_data
def show(pupil_id: int):
    pupil = _pupil_or_404(pupil_id)
    today = today_london()
    full_record = services.pupil_record(pupil, for_staff=True)
    # As on /me: what is dated after today has not happened, so it is listed apart.
    record, coming_up = happened_and_coming_up(full_record, today)
    return render("pupils/show.html", pupil=pupil, record=record, coming_up=coming_up,
                  destinations=destination_services.destinations_of(pupil) if pupil.left_on else {},
                  years_after=YEARS_AFTER, summary=pupil_summary(pupil, today, full_record),
                  academic_year=academic_year_of(today))


def _year_choices(current: int) -> list:
    years = list(YEAR_GROUPS)
    if current not in years:
        years.append(current)
    return options((str(y), f"Year {y}") for y in sorted(years))


def _edit_page(form: PupilForm, pupil, current_year: int, status: int = 200):
    form.year_group.choices = _year_choices(current_year)
    return render("pupils/edit.html", fragment="pupil_form", status=status, form=form,
                  pupil=pupil)


@bp.get("/pupils/<int:pupil_id>/edit")
@admin_required
@audit_trail.shows_special_data
def edit(pupil_id: int):
    """An admin corrects a pupil's details and flags (the MIS import normally keeps them)."""
    pupil = _pupil_or_404(pupil_id)
    current_year = pupil.year_group_in(academic_year_of(today_london()))
    return _edit_page(PupilForm(obj=pupil, year_group=str(current_year)), pupil, current_year)


@bp.post("/pupils/<int:pupil_id>/edit")
@admin_required
def update(pupil_id: int):
    pupil = _pupil_or_404(pupil_id)
    academic_year = academic_year_of(today_london())
    current_year = pupil.year_group_in(academic_year)
    form = PupilForm()
    form.year_group.choices = _year_choices(current_year)
    if form.validate():
        try:
            services.update_pupil(pupil, form.pupil_values(academic_year))
        except services.PupilInputError as error:
            form[error.field_name].errors.append(error.message)
        else:
            flash(f"Saved {pupil.display_name}.", "success")
            return redirect_after_write(url_for("pupils.show", pupil_id=pupil.id))
    return _edit_page(form, pupil, current_year, status=422)


# Destinations ---------------------------------------------------------------------------

def _leaver_or_404(pupil_id: int):
    pupil = _pupil_or_404(pupil_id)
    if pupil.left_on is None:
        abort(404)
    return pupil


def _destination_form(pupil) -> DestinationForm:
    form = DestinationForm()
    leaving_year = academic_year_of(pupil.left_on)
    form.year_after.choices = options((str(n), year_after_label(n, leaving_year))
                                      for n in YEARS_AFTER)
    return form


def _destination_page(form: DestinationForm, pupil, status: int = 200):
    return render("pupils/destination.html", fragment="destination_form", status=status,
                  form=form, pupil=pupil)


@bp.get("/pupils/<int:pupil_id>/destination")
def destination_edit(pupil_id: int):
    """Record where a leaver is in one of the three years after leaving."""
    pupil = _leaver_or_404(pupil_id)
    form = _destination_form(pupil)
    wanted = request.args.get("year_after", type=int)
    wanted = wanted if wanted in YEARS_AFTER else 1
    form.year_after.data = str(wanted)
    if (current := destination_services.destinations_of(pupil).get(wanted)) is not None:
        form.status.data = current.status
        form.provider.data = current.provider
        form.checked_on.data = current.checked_on
    return _destination_page(form, pupil)


@bp.post("/pupils/<int:pupil_id>/destination")
def record_destination(pupil_id: int):
    pupil = _leaver_or_404(pupil_id)
    form = _destination_form(pupil)
    if not form.validate():
        return _destination_page(form, pupil, status=422)
    destination_services.record_destination(pupil, int(form.year_after.data), form.status.data,
                                            form.provider.data or "", form.checked_on.data)
    flash(f"Destination recorded for {pupil.display_name}.", "success")
    return redirect_after_write(url_for("pupils.show", pupil_id=pupil.id))


@bp.get("/destinations")
def destinations():
    """Destinations by leaving cohort: percentages, and who is still "not known"."""
    school_id = current_user.school_id
    years = destination_services.leaving_years(school_id)
    leaving_year = request.args.get("leaving_year", type=int)
    if leaving_year not in years:
        leaving_year = years[0] if years else None
    year_after = request.args.get("year_after", type=int)
    if year_after not in YEARS_AFTER:
        year_after = 1
    report = (destination_services.destination_report(school_id, leaving_year, year_after)
              if leaving_year is not None else None)
    return render("pupils/destinations.html", fragment="report", years=years,
                  leaving_year=leaving_year, year_after=year_after, report=report,
                  years_after=YEARS_AFTER, statuses=STATUSES)


# Pupil logins ---------------------------------------------------------------------------

def _logins_form() -> LoginsForm:
    form = LoginsForm()
    groups = services.group_options(current_user.school_id)
    form.group.choices = (
        options([("", "Choose a group")])
        + options(((g.key, g.label) for g in groups if g.kind == "tutor"), "Tutor groups")
        + options(((g.key, g.label) for g in groups if g.kind == "year"), "Year groups"))
    return form


def _logins_page(form: LoginsForm, group_error: str | None = None, status: int = 200):
    return render("pupils/logins.html", fragment="logins_form", status=status, form=form,
                  group_error=group_error)


@bp.get("/pupils/logins")
@admin_required
def logins():
    """Create login accounts for a whole tutor or year group, with a printable password sheet."""
    return _logins_page(_logins_form())


@bp.post("/pupils/logins")
@admin_required
def create_logins():
    form = _logins_form()
    if not form.validate():
        return _logins_page(form, status=422)
    group = services.parse_group(form.group.data)
    if group is None:
        return _logins_page(form, "Choose a tutor group or year group.", status=422)
    pupils = services.pupils_in_group(current_user.school_id, group)
    slips, skipped = login_services.create_pupil_logins(
        current_user.school_id, pupils, reset_existing=form.reset_existing.data)
    # Shown once, straight from the POST: the passwords are never stored in clear.
    return render("pupils/login_sheet.html", slips=slips, skipped=skipped, group=group)

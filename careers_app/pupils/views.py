from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from .. import audit_trail
from ..domain.academic import YEAR_GROUPS, academic_year_of
from ..domain.dates import today_london
from ..domain.destinations import YEARS_AFTER
from ..domain.progress import has_left
from ..forms import options, valid_or_400
from ..main.services import pupil_summary
from ..roster import services as roster_services
from ..security import admin_required, require_staff
from ..templating import redirect_after_write, render
from . import services
from .forms import PupilFilterForm, PupilForm, yes_no

bp = Blueprint("pupils", __name__, url_prefix="/pupils")
bp.before_request(require_staff)


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


@bp.get("/")
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
    pupil = services.get_pupil(current_user.school_id, pupil_id)
    if pupil is None:
        abort(404)
    return pupil


@bp.get("/<int:pupil_id>")
@audit_trail.shows_special_data
def show(pupil_id: int):
    pupil = _pupil_or_404(pupil_id)
    today = today_london()
    return render("pupils/show.html", pupil=pupil,
                  record=services.pupil_record(pupil, for_staff=True),
                  destinations=roster_services.destinations_of(pupil) if pupil.left_on else {},
                  years_after=YEARS_AFTER, summary=pupil_summary(pupil, today),
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


@bp.get("/<int:pupil_id>/edit")
@admin_required
@audit_trail.shows_special_data
def edit(pupil_id: int):
    """An admin corrects a pupil's details and flags (the MIS import normally keeps them)."""
    pupil = _pupil_or_404(pupil_id)
    current_year = pupil.year_group_in(academic_year_of(today_london()))
    return _edit_page(PupilForm(obj=pupil, year_group=str(current_year)), pupil, current_year)


@bp.post("/<int:pupil_id>/edit")
@admin_required
def update(pupil_id: int):
    pupil = _pupil_or_404(pupil_id)
    academic_year = academic_year_of(today_london())
    current_year = pupil.year_group_in(academic_year)
    form = PupilForm()
    form.year_group.choices = _year_choices(current_year)
    if form.validate():
        try:
            roster_services.update_pupil(pupil, form.pupil_values(academic_year))
        except roster_services.PupilInputError as error:
            form[error.field_name].errors.append(error.message)
        else:
            flash(f"Saved {pupil.display_name}.", "success")
            return redirect_after_write(url_for("pupils.show", pupil_id=pupil.id))
    return _edit_page(form, pupil, current_year, status=422)

from __future__ import annotations

import json
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..domain.benchmarks import EncounterKind, OrganisationKind
from ..domain.dates import today_london
from ..forms import int_list, options, valid_or_400
from ..pupils.services import group_options, parse_group, pupils_by_ids, pupils_in_group
from ..security import admin_required, require_staff
from ..templating import is_fragment_request, redirect_after_write, render
from . import services
from .forms import EncounterFilterForm, EncounterForm, MeaningfulDefaultsForm
from .settings import meaningful_defaults, save_meaningful_defaults

bp = Blueprint("encounters", __name__, url_prefix="/encounters")
bp.before_request(require_staff)


def _school_id() -> int:
    return current_user.school_id


def _details(form: EncounterForm) -> services.EncounterDetails:
    return services.EncounterDetails(
        title=form.title.data or "",
        kind=EncounterKind(form.kind.data),
        date=form.date.data,
        organisation_name=form.organisation.data or "",
        organisation_kind=OrganisationKind(form.organisation_kind.data)
        if form.organisation_kind.data else None,
        meaningful=form.meaningful.data,
        notes=form.notes.data or "",
        benchmarks=tuple(form.benchmarks.data or ()) if current_user.is_admin else (),
        offered=bool(form.offered.data),
    )


def _plan_link(form: EncounterForm) -> str | None:
    """For a future date: the planned-event form with what was typed already filled in."""
    if form.date.data is None or form.date.data <= today_london():
        return None
    group = parse_group(form.group.data)
    return url_for("events.new", title=form.title.data or "", kind=form.kind.data,
                   date=form.date.data.isoformat(), organisation=form.organisation.data or "",
                   invited_groups=[group.key] if group else [])


def _checklist(group_key: str | None, ticked: set[int] | None, extra_ids=()):
    """Pupils to show in the checklist: the chosen group, plus anyone else already ticked."""
    group = parse_group(group_key)
    pupils = pupils_in_group(_school_id(), group) if group else []
    shown = {p.id for p in pupils}
    others = [p for p in pupils_by_ids(_school_id(), set(extra_ids) - shown)]
    pupils = others + pupils
    if ticked is None:  # a fresh list: everyone starts ticked
        ticked = {p.id for p in pupils}
    return group, pupils, ticked


def _default_group_key(options) -> str:
    requested = request.args.get("group")
    if parse_group(requested):
        return requested
    mine = current_user.tutor_group
    if mine and any(o.kind == "tutor" and o.value == mine for o in options):
        return f"tg:{mine}"
    return ""


def _form_page(form: EncounterForm, *, encounter=None, status: int = 200, ticked=None,
               extra_ids=(), pupil_error: str | None = None, defaults=None):
    """The quick log or edit form. A new log for a whole year group starts "offered"."""
    groups = group_options(_school_id())
    form.group.choices = (
        options([("", "Choose a group")])
        + options(((o.key, o.label) for o in groups if o.kind == "tutor"), "Tutor groups")
        + options(((o.key, o.label) for o in groups if o.kind == "year"), "Year groups"))
    if not form.group.data:
        form.group.data = _default_group_key(groups)
    group, pupils, ticked = _checklist(form.group.data, ticked, extra_ids)
    if status == 200 and encounter is None:
        form.offered.data = bool(group and group.kind == "year")
    known = encounter.organisation.name if encounter and encounter.organisation else None
    return render("encounters/form.html", fragment="encounter_form", status=status, form=form,
                  encounter=encounter, group=group, pupils=pupils, ticked=ticked,
                  pupil_error=pupil_error, known_organisation=known, plan_link=_plan_link(form),
                  # A plain string: WTForms escapes its quotes inside the attribute.
                  meaningful_defaults=json.dumps(defaults, sort_keys=True) if defaults else "")


def _fresh(form: EncounterForm) -> dict[str, bool]:
    """A new quick log: its double-submit key, and "meaningful" as the school set it."""
    form.submission_key.data = secrets.token_urlsafe(24)
    defaults = meaningful_defaults(_school_id())
    form.meaningful.data = defaults.get(form.kind.data, False)
    return defaults


def _invalid(form, *, encounter=None, extra_ids=(), pupil_error: str | None = None):
    """Re-render the form with its messages (422); nothing has been written."""
    ticked = set(int_list(request.form.getlist("pupil_ids")))
    return _form_page(form, encounter=encounter, status=422, ticked=ticked,
                      extra_ids=set(extra_ids) | ticked, pupil_error=pupil_error)


def _submitted_pupils() -> tuple[list[int], str | None]:
    ids = int_list(request.form.getlist("pupil_ids"))
    return ids, (None if ids else "Tick at least one pupil who took part.")


@bp.get("/new")
def new():
    """The quick log: defaults to today, an employer talk and my tutor group, all ticked."""
    form = EncounterForm()
    defaults = _fresh(form)
    # A report's "log an encounter for these pupils" link names them: ?pupil=1&pupil=2
    chosen = int_list(request.args.getlist("pupil"))
    if chosen:
        form.group.data = ""
        return _form_page(form, ticked=set(chosen), extra_ids=chosen, defaults=defaults)
    return _form_page(form, defaults=defaults)


@bp.post("/new")
def create():
    form = EncounterForm()
    if request.form.get("show_pupils"):  # the no-JavaScript way to change group
        return _form_page(form)
    pupil_ids, pupil_error = _submitted_pupils()
    if not form.validate() or pupil_error:
        return _invalid(form, pupil_error=pupil_error)
    try:
        result = services.log_encounter_for_group(
            school_id=_school_id(), user=current_user, details=_details(form),
            pupil_ids=pupil_ids, submission_key=form.submission_key.data)
    except services.EncounterInputError as error:
        return _invalid(form, pupil_error=error.message)
    return redirect_after_write(url_for("encounters.logged", encounter_id=result.encounter_id))


@bp.get("/pupil-checklist")
def pupil_checklist():
    """htmx: the checklist for another group, everyone ticked. Full page: the quick log."""
    if not is_fragment_request():
        return redirect(url_for("encounters.new", group=request.args.get("group", "")))
    group, pupils, ticked = _checklist(request.args.get("group"), None)
    return render("encounters/form.html", fragment="pupil_checklist", group=group, pupils=pupils,
                  ticked=ticked, pupil_error=None, form=None)


@bp.get("/organisations")
def organisation_options():
    """htmx type-ahead: <option>s for the organisation datalist."""
    text = request.args.get("organisation", "")[:200]
    organisations = services.suggest_organisations(_school_id(), text)
    if not is_fragment_request():
        return render("encounters/organisations.html", organisations=organisations, text=text)
    return render("encounters/organisations.html", fragment="options", organisations=organisations)


@bp.get("/<int:encounter_id>/logged")
def logged(encounter_id: int):
    """Confirmation after the quick log, with Undo for a few minutes."""
    encounter = services.get_encounter(_school_id(), encounter_id, include_deleted=True)
    if encounter is None:
        abort(404)
    count = len(encounter.participations)
    undo = services.can_undo(current_user, encounter, current_app.config["UNDO_WINDOW"])
    group = request.args.get("group") or (f"tg:{current_user.tutor_group}"
                                          if current_user.tutor_group else "")
    return render("encounters/logged.html", encounter=encounter, count=count, can_undo=undo,
                  group=group)


@bp.post("/<int:encounter_id>/undo")
def undo(encounter_id: int):
    encounter = services.get_encounter(_school_id(), encounter_id)
    if encounter is None:
        abort(404)
    if not services.can_undo(current_user, encounter, current_app.config["UNDO_WINDOW"]):
        flash("It is too late to undo that. Open the encounter to delete it.", "error")
        return redirect_after_write(url_for("encounters.show", encounter_id=encounter.id))
    services.soft_delete(encounter)
    flash(f"Undone: “{encounter.title}” is no longer on any pupil's record.", "success")
    return redirect_after_write(url_for("encounters.new"))


@bp.get("/")
def index():
    form = EncounterFilterForm(request.args)
    valid_or_400(form)
    filters = services.EncounterFilters(
        q=(form.q.data or "").strip(),
        year_group=int(form.year_group.data) if form.year_group.data else None,
        kind=EncounterKind(form.kind.data) if form.kind.data else None,
        date_from=form.date_from.data, date_to=form.date_to.data)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    rows, total = services.list_encounters(_school_id(), filters, page)
    return render("encounters/index.html", fragment="results", form=form, rows=rows, total=total,
                  page=page, page_size=services.PAGE_SIZE)


@bp.get("/<int:encounter_id>")
def show(encounter_id: int):
    encounter = services.get_encounter(_school_id(), encounter_id)
    if encounter is None:
        abort(404)
    return render("encounters/show.html", encounter=encounter,
                  pupils=services.participants(encounter),
                  can_change=services.can_change(current_user, encounter))


def _changeable(encounter_id: int):
    encounter = services.get_encounter(_school_id(), encounter_id)
    if encounter is None:
        abort(404)
    if not services.can_change(current_user, encounter):
        abort(403)
    return encounter


@bp.get("/<int:encounter_id>/edit")
def edit(encounter_id: int):
    encounter = _changeable(encounter_id)
    current_ids = {part.pupil_id for part in encounter.participations}
    form = EncounterForm(obj=encounter, organisation=encounter.organisation.name
                         if encounter.organisation else "",
                         benchmarks=list(encounter.benchmarks), group="",
                         offered=bool(encounter.offers))
    form.kind.data = encounter.kind.value
    return _form_page(form, encounter=encounter, ticked=current_ids, extra_ids=current_ids)


@bp.post("/<int:encounter_id>/edit")
def update(encounter_id: int):
    encounter = _changeable(encounter_id)
    current_ids = {part.pupil_id for part in encounter.participations}
    form = EncounterForm()
    pupil_ids, pupil_error = _submitted_pupils()
    if request.form.get("show_pupils"):
        return _form_page(form, encounter=encounter, ticked=set(pupil_ids), extra_ids=pupil_ids)
    if not form.validate() or pupil_error:
        return _invalid(form, encounter=encounter, extra_ids=current_ids, pupil_error=pupil_error)
    try:
        services.update_encounter(encounter, _details(form), pupil_ids)
    except services.EncounterInputError as error:
        return _invalid(form, encounter=encounter, extra_ids=current_ids, pupil_error=error.message)
    flash("Encounter updated.", "success")
    return redirect_after_write(url_for("encounters.show", encounter_id=encounter.id))


@bp.get("/<int:encounter_id>/delete")
def delete(encounter_id: int):
    """The confirmation page; the POST below deletes."""
    encounter = _changeable(encounter_id)
    return render("encounters/delete.html", encounter=encounter,
                  count=len(encounter.participations))


@bp.post("/<int:encounter_id>/delete")
def delete_confirmed(encounter_id: int):
    encounter = _changeable(encounter_id)
    services.soft_delete(encounter)
    flash(f"Deleted “{encounter.title}”.", "success")
    return redirect_after_write(url_for("encounters.index"))


@bp.get("/settings")
@admin_required
def settings():
    """Careers leaders: which kinds of encounter the quick log starts as "meaningful"."""
    chosen = meaningful_defaults(_school_id())
    form = MeaningfulDefaultsForm(kinds=[kind for kind, ticked in chosen.items() if ticked])
    return render("encounters/settings.html", fragment="settings_form", form=form)


@bp.post("/settings")
@admin_required
def save_settings():
    form = MeaningfulDefaultsForm()
    if not form.validate():
        return render("encounters/settings.html", fragment="settings_form", status=422, form=form)
    save_meaningful_defaults(_school_id(), form.kinds.data or [])
    flash("Quick log settings saved.", "success")
    return redirect_after_write(url_for("encounters.settings"))

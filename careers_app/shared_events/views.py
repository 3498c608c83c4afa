"""Shared events: /shared-events. Planned by a group lead or a member school's careers
leader; seen by staff of the invited schools (each registers its own pupils on its own
planned event) and by nobody else."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, url_for
from flask_login import current_user

from ..domain.benchmarks import EncounterKind
from ..domain.dates import format_date, today_london
from ..domain.errors import InputError
from ..extensions import login_manager
from ..forms import options
from ..security import refuse
from ..templating import redirect_after_write, render
from . import codes, services
from .forms import SharedEventForm

bp = Blueprint("shared_events", __name__, url_prefix="/shared-events")


@bp.before_request
def _staff_or_group_lead():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not (current_user.is_staff or current_user.is_group_lead):
        refuse(404)
    return None


def _form(form: SharedEventForm | None = None) -> SharedEventForm:
    form = form or SharedEventForm()
    groups = services.planning_groups(current_user)
    schools = services.group_schools(groups)
    form.group_id.choices = options((g.id, g.name) for g in groups)
    form.host_school_id.choices = options(schools)
    form.school_ids.choices = options(schools)
    if form.host_school_id.data is None and current_user.is_staff:
        form.host_school_id.data = current_user.school_id
    return form


def _details(form: SharedEventForm) -> services.SharedEventDetails:
    return services.SharedEventDetails(
        group_id=form.group_id.data, host_school_id=form.host_school_id.data,
        title=form.title.data or "", kind=EncounterKind(form.kind.data), date=form.date.data,
        start_time=form.start_time.data, end_time=form.end_time.data,
        school_ids=list(form.school_ids.data or []),
        year_groups=[int(y) for y in form.year_groups.data or []],
        location=form.location.data or "", organisation_name=form.organisation.data or "")


def _visible_or_404(shared_event_id: int):
    event = services.get_event(shared_event_id)
    if event is None or not services.can_see(current_user, event):
        refuse(404)
    return event


def _managed(shared_event_id: int):
    event = _visible_or_404(shared_event_id)
    if not services.can_manage(current_user, event):
        refuse(403)
    return event


@bp.get("")
def index():
    return render("shared_events/index.html", events=services.visible_events(current_user),
                  can_plan=bool(services.planning_groups(current_user)))


def _form_page(form, event=None, status=200):
    return render("shared_events/form.html", fragment="event_form", status=status, form=form,
                  event=event)


def _save(form: SharedEventForm, event=None):
    if not form.validate():
        return _form_page(form, event, 422)
    try:
        if event is None:
            event = services.plan_shared_event(current_user, _details(form),
                                               current_app.config["SECRET_KEY"])
        else:
            services.update_shared_event(current_user, event, _details(form))
    except InputError as error:
        form[error.field_name].errors = [error.message]
        return _form_page(form, event, 422)
    flash(f"“{event.title}” is planned for {format_date(event.date)}. It is on each invited "
          "school's planned events.", "success")
    return redirect_after_write(url_for("shared_events.show", shared_event_id=event.id))


@bp.get("/new")
def new():
    if not services.planning_groups(current_user):
        refuse(403)
    return _form_page(_form())


@bp.post("/new")
def create():
    if not services.planning_groups(current_user):
        refuse(403)
    return _save(_form())


@bp.get("/<int:shared_event_id>")
def show(shared_event_id: int):
    event = _visible_or_404(shared_event_id)
    return render("shared_events/show.html", event=event,
                  attendance=services.attendance(event),
                  own=services.school_encounter(event, current_user.school_id)
                  if current_user.is_staff else None,
                  can_manage=services.can_manage(current_user, event))


@bp.get("/<int:shared_event_id>/edit")
def edit(shared_event_id: int):
    event = _managed(shared_event_id)
    form = _form(SharedEventForm(obj=event, organisation=event.organisation_name))
    form.kind.data = event.kind.value
    form.school_ids.data = sorted(event.school_ids)
    form.year_groups.data = [str(y) for y in event.year_group_list]
    return _form_page(form, event)


@bp.post("/<int:shared_event_id>/edit")
def update(shared_event_id: int):
    return _save(_form(), _managed(shared_event_id))


@bp.get("/<int:shared_event_id>/cancel")
def cancel(shared_event_id: int):
    """The confirmation page; the POST below cancels."""
    return render("shared_events/cancel.html", event=_managed(shared_event_id))


@bp.post("/<int:shared_event_id>/cancel")
def cancel_confirmed(shared_event_id: int):
    event = _managed(shared_event_id)
    services.cancel_shared_event(event)
    flash(f"Cancelled “{event.title}” for every invited school.", "success")
    return redirect_after_write(url_for("shared_events.index"))


@bp.get("/<int:shared_event_id>/code")
def code(shared_event_id: int):
    """The check-in code, large, for the screen at the event."""
    event = _visible_or_404(shared_event_id)
    value = codes.code_for(current_app.config["SECRET_KEY"], event.checkin_salt)
    return render("shared_events/code.html", event=event, code=codes.shown(value),
                  today=today_london(), can_manage=services.can_manage(current_user, event))


@bp.post("/<int:shared_event_id>/code/new")
def renew_code(shared_event_id: int):
    event = _managed(shared_event_id)
    services.new_code(event, current_app.config["SECRET_KEY"])
    flash("A new check-in code is ready. The old one no longer works.", "success")
    return redirect_after_write(url_for("shared_events.code", shared_event_id=shared_event_id))

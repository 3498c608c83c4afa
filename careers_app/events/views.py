"""Planned events: /plans/events. Staff plan them; on the day staff take the register."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..domain.benchmarks import EncounterKind
from ..domain.dates import today_london
from ..encounters.services import EncounterInputError
from ..forms import int_list, options
from ..pupils.services import group_options
from ..security import require_staff
from ..templating import redirect_after_write, render
from . import services
from .forms import EventForm, prefill

bp = Blueprint("events", __name__, url_prefix="/plans/events")
bp.before_request(require_staff)


def _form(form: EventForm | None = None) -> EventForm:
    form = form or EventForm()
    groups = group_options(current_user.school_id)
    form.invited_groups.choices = options((g.key, g.label) for g in groups)
    return form


def _details(form: EventForm) -> services.EventDetails:
    return services.EventDetails(
        title=form.title.data or "", kind=EncounterKind(form.kind.data), date=form.date.data,
        start_time=form.start_time.data, end_time=form.end_time.data,
        location=form.location.data or "", organisation_name=form.organisation.data or "",
        invited_groups=list(form.invited_groups.data or []))


def _event_or_404(encounter_id: int):
    event = services.get_event(current_user.school_id, encounter_id)
    if event is None:
        abort(404)
    return event


@bp.get("")
def index():
    planned, held = services.calendar_events(current_user.school_id)
    return render("events/index.html", planned=planned, held=held[-20:])


def _form_page(form, event=None, status=200):
    return render("events/form.html", fragment="event_form", status=status, form=form,
                  event=event)


def _save(form: EventForm, event=None):
    if not form.validate():
        return _form_page(form, event, 422)
    try:
        if event is None:
            event = services.plan_event(current_user.school_id, current_user, _details(form))
        else:
            services.update_event(event, _details(form))
    except services.EventInputError as error:
        form[error.field_name].errors = [error.message]
        return _form_page(form, event, 422)
    flash(f"“{event.title}” is planned for {event.date.strftime('%-d %b %Y')}.", "success")
    return redirect_after_write(url_for("events.show", encounter_id=event.id))


@bp.get("/new")
def new():
    """The planned-event form; the quick log links here with a future date's details."""
    return _form_page(_form(EventForm(formdata=None, data=prefill(request.args))))


@bp.post("/new")
def create():
    return _save(_form())


@bp.get("/<int:encounter_id>")
def show(encounter_id: int):
    event = _event_or_404(encounter_id)
    return render("events/show.html", event=event, groups=services.invited_groups(event),
                  can_change=services.can_change(current_user, event),
                  count=len(event.participations), today=today_london())


def _changeable_event(encounter_id: int):
    event = _event_or_404(encounter_id)
    if not services.can_change(current_user, event) or not event.planned:
        abort(403)
    return event


@bp.get("/<int:encounter_id>/edit")
def edit(encounter_id: int):
    event = _changeable_event(encounter_id)
    form = _form(EventForm(obj=event, organisation=event.organisation.name
                           if event.organisation else ""))
    form.kind.data = event.kind.value
    form.invited_groups.data = (event.invited_groups or "").splitlines()
    return _form_page(form, event)


@bp.post("/<int:encounter_id>/edit")
def update(encounter_id: int):
    return _save(_form(), _changeable_event(encounter_id))


@bp.get("/<int:encounter_id>/cancel")
def cancel(encounter_id: int):
    """The confirmation page; the POST below cancels."""
    return render("events/cancel.html", event=_changeable_event(encounter_id))


@bp.post("/<int:encounter_id>/cancel")
def cancel_confirmed(encounter_id: int):
    event = _changeable_event(encounter_id)
    services.cancel_event(event)
    flash(f"Cancelled “{event.title}”. It leaves subscribed calendars.", "success")
    return redirect_after_write(url_for("events.index"))


def _register_page(event, pupils, ticked: set[int], error: str | None = None):
    return render("events/register.html", fragment="register_form",
                  status=422 if error else 200, event=event, pupils=pupils, ticked=ticked,
                  error=error, too_early=event.date > today_london(),
                  checked_in=services.checked_in(event))


@bp.get("/<int:encounter_id>/register")
def register(encounter_id: int):
    """Take the register from the invited groups; only then does the event count."""
    event = _event_or_404(encounter_id)
    pupils = services.invited_pupils(event)
    already = {p.pupil_id for p in event.participations}
    return _register_page(event, pupils, already or {p.id for p in pupils})


@bp.post("/<int:encounter_id>/register")
def take_register(encounter_id: int):
    event = _event_or_404(encounter_id)
    ticked = set(int_list(request.form.getlist("pupil_ids")))
    try:
        services.take_register(event, sorted(ticked), today_london())
    except (services.EventInputError, EncounterInputError) as problem:
        return _register_page(event, services.invited_pupils(event), ticked, problem.message)
    flash(f"Register taken: {len(ticked)} pupils. “{event.title}” now counts "
          "towards their benchmarks.", "success")
    return redirect_after_write(url_for("encounters.show", encounter_id=event.id))

"""Planned events: /plans/events. Staff plan them; on the day staff take the register."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user
from wtforms import SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.benchmarks import EncounterKind
from ..domain.dates import today_london
from ..encounters.forms import KIND_CHOICES
from ..encounters.services import EncounterInputError
from ..forms import DayField, Form, MultiCheckboxField, int_list, options
from ..pupils.services import group_options
from ..templating import render
from . import event_services as services
from .views import _done, bp


class EventForm(Form):
    title = StringField("Title", validators=[DataRequired("Give the event a title."),
                                             Length(max=200)],
                        description='For example "Careers fair".')
    kind = SelectField("Type", choices=KIND_CHOICES, default=EncounterKind.CAREERS_FAIR.value)
    date = DayField("Date", validators=[DataRequired("Enter the date of the event.")])
    start_time = TimeField("Start time", validators=[DataRequired("Enter the start time.")])
    end_time = TimeField("End time", validators=[DataRequired("Enter the end time.")])
    location = StringField("Where", validators=[Optional(), Length(max=200)],
                           description='For example "Sports hall".')
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    invited_groups = MultiCheckboxField("Invited groups", validate_choice=False)


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


@bp.get("/events")
def events():
    planned, held = services.calendar_events(current_user.school_id)
    return render("plans/events.html", planned=planned, held=held[-20:])


def _form_page(form, event=None, status=200):
    return render("plans/event_form.html", fragment="event_form", status=status, form=form,
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
    return _done(url_for("plans.event", encounter_id=event.id))


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = _form()
    if request.method == "POST":
        return _save(form)
    return _form_page(form)


@bp.get("/events/<int:encounter_id>")
def event(encounter_id: int):
    event = _event_or_404(encounter_id)
    return render("plans/event.html", event=event, groups=services.invited_groups(event),
                  can_change=services.can_change(current_user, event),
                  count=len(event.participations), today=today_london())


@bp.route("/events/<int:encounter_id>/edit", methods=["GET", "POST"])
def edit_event(encounter_id: int):
    event = _event_or_404(encounter_id)
    if not services.can_change(current_user, event) or not event.planned:
        abort(403)
    if request.method == "POST":
        return _save(_form(), event)
    form = _form(EventForm(obj=event, organisation=event.organisation.name
                           if event.organisation else ""))
    form.kind.data = event.kind.value
    form.invited_groups.data = (event.invited_groups or "").splitlines()
    return _form_page(form, event)


@bp.route("/events/<int:encounter_id>/cancel", methods=["GET", "POST"])
def cancel_event(encounter_id: int):
    event = _event_or_404(encounter_id)
    if not services.can_change(current_user, event) or not event.planned:
        abort(403)
    if request.method == "GET":
        return render("plans/event_cancel.html", event=event)
    services.cancel_event(event)
    flash(f"Cancelled “{event.title}”. It leaves subscribed calendars.", "success")
    return _done(url_for("plans.events"))


@bp.route("/events/<int:encounter_id>/register", methods=["GET", "POST"])
def register(encounter_id: int):
    """Take the register from the invited groups; only then does the event count."""
    event = _event_or_404(encounter_id)
    pupils = services.invited_pupils(event)
    today = today_london()
    error = None
    if request.method == "POST":
        ticked = set(int_list(request.form.getlist("pupil_ids")))
        try:
            services.take_register(event, sorted(ticked), today)
        except (services.EventInputError, EncounterInputError) as problem:
            error = problem.message
        else:
            flash(f"Register taken: {len(ticked)} pupils. “{event.title}” now counts "
                  "towards their benchmarks.", "success")
            return _done(url_for("encounters.show", encounter_id=event.id))
    else:
        already = {p.pupil_id for p in event.participations}
        ticked = already or {p.id for p in pupils}
    return render("plans/register.html", fragment="register_form",
                  status=422 if error else 200, event=event, pupils=pupils, ticked=ticked,
                  error=error, too_early=event.date > today)

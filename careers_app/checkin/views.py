"""A pupil's self check-in at a shared event: /checkin, on their phone."""
from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user

from ..domain.dates import today_london
from ..security import refuse
from ..templating import render
from . import services
from .forms import CheckinForm

bp = Blueprint("checkin", __name__, url_prefix="/checkin")


@bp.before_request
def _pupils_only():
    # The app's deny-by-default has already sent anonymous visitors to the login page.
    if not current_user.is_pupil or current_user.pupil is None:
        refuse(404)


def _page(form: CheckinForm, outcome: services.Outcome | None = None, status: int = 200):
    pupil = current_user.pupil
    return render("checkin/index.html", fragment="checkin_form", status=status, form=form,
                  outcome=outcome, events=services.my_events(pupil, today_london()))


@bp.get("")
def index():
    return _page(CheckinForm())


@bp.post("")
def check_in():
    form = CheckinForm()
    if not form.validate():
        return _page(form, status=422)
    outcome = services.check_in(current_user.pupil, form.code.data or "",
                                request.remote_addr or "", current_app.config["SECRET_KEY"],
                                today_london())
    status = {"refused": 422, "already": 200, "checked_in": 200}[outcome.status]
    if outcome.status == "refused":
        form.code.errors = [outcome.message]
    return _page(form if outcome.status == "refused" else CheckinForm(formdata=None),
                 outcome, status)

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..reports.services import own_progress
from ..reports.views import dashboard
from ..extensions import db
from ..pupils.services import pupil_record
from ..security import public
from ..templating import render

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Staff land on the dashboard; a pupil lands on their own record."""
    if current_user.is_pupil:
        return redirect(url_for("main.me"))
    return dashboard()


@bp.get("/me")
def me():
    """A pupil's own record, and only their own."""
    if not current_user.is_pupil or current_user.pupil is None:
        abort(404)
    pupil = current_user.pupil
    today = today_london()
    return render("main/me.html", pupil=pupil, record=pupil_record(pupil),
                  academic_year=academic_year_of(today), progress=own_progress(pupil, today))


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

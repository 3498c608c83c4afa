from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text
from wtforms import TextAreaField
from wtforms.validators import Length

from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..reports.services import own_progress
from ..reports.views import dashboard
from ..extensions import db
from ..forms import Form
from ..pupils.services import own_participation, pupil_record, save_reflection
from ..security import public
from ..templating import is_fragment_request, render

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


class ReflectionForm(Form):
    reflection = TextAreaField(
        "What did you learn, and what might you do next?",
        validators=[Length(max=2000, message="Keep it under 2,000 characters.")],
        render_kw={"rows": 4})


def _own_pupil():
    if not current_user.is_pupil or current_user.pupil is None:
        abort(404)
    return current_user.pupil


@bp.route("/me/reflections/<int:encounter_id>", methods=["GET", "POST"])
def reflection(encounter_id: int):
    """A pupil writes their reflection on an encounter they took part in (only their own)."""
    pupil = _own_pupil()
    participation = own_participation(pupil, encounter_id)
    if participation is None:
        abort(404)
    encounter = participation.encounter
    prefix = f"e{encounter.id}"  # one form per encounter can be open on /me at once
    form = ReflectionForm(prefix=prefix, data={"reflection": participation.reflection})
    if request.method == "POST":
        form = ReflectionForm(prefix=prefix)
        if form.validate():
            save_reflection(participation, form.reflection.data or "")
            if is_fragment_request():
                return render("main/reflection.html", fragment="reflection_display",
                              encounter=encounter, reflection=participation.reflection)
            flash("Your reflection is saved.", "success")
            return redirect(url_for("main.me", _anchor=f"reflection-{encounter.id}"), 303)
    return render("main/reflection.html", fragment="reflection_form",
                  status=422 if form.errors else 200, form=form, encounter=encounter)


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

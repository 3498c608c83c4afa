from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..extensions import db
from ..placements.services import for_me as my_placements
from ..pupils.services import own_participation, pupil_record, save_reflection
from ..pupils.summary import happened_and_coming_up, has_happened, pupil_summary
from ..reports.pages import dashboard
from .services import tutor_group_progress
from ..security import public
from ..templating import is_fragment_request, redirect_after_write, render
from .forms import ReflectionForm

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """A tutor lands on their own tutor group, the careers leader (and staff without a group)
    on the dashboard, a pupil on their own record, a group lead on the trust dashboard."""
    if current_user.is_pupil:
        return redirect(url_for("main.me"))
    if current_user.is_group_lead:  # figures across the group's schools, nothing of a school's
        return redirect(url_for("groups.dashboard"))
    if current_user.is_admin or not current_user.tutor_group:
        return dashboard()
    group = tutor_group_progress(current_user.school_id, current_user.tutor_group, today_london())
    return render("main/tutor_home.html", group=group)


@bp.get("/me")
def me():
    """A pupil's own record, and only their own."""
    if not current_user.is_pupil or current_user.pupil is None:
        abort(404)
    pupil = current_user.pupil
    today = today_london()
    whole = pupil_record(pupil)
    record, coming_up = happened_and_coming_up(whole, today)
    return render("main/me.html", pupil=pupil, record=record, coming_up=coming_up,
                  academic_year=academic_year_of(today),
                  summary=pupil_summary(pupil, today, whole),
                  placements=my_placements(pupil, today))


def _own_pupil():
    if not current_user.is_pupil or current_user.pupil is None:
        abort(404)
    return current_user.pupil


def _own_participation(encounter_id: int):
    """The pupil's own part in an encounter that has happened (a future one has nothing to
    reflect on yet), or 404."""
    participation = own_participation(_own_pupil(), encounter_id)
    if participation is None or not has_happened(participation.encounter, today_london()):
        abort(404)
    return participation


def _form_prefix(encounter) -> str:
    return f"e{encounter.id}"  # one form per encounter can be open on /me at once


def _reflection_page(form: ReflectionForm, encounter, status: int = 200):
    return render("main/reflection.html", fragment="reflection_form", status=status, form=form,
                  encounter=encounter)


@bp.get("/me/reflections/<int:encounter_id>")
def reflection(encounter_id: int):
    """A pupil writes their reflection on an encounter they took part in (only their own)."""
    participation = _own_participation(encounter_id)
    encounter = participation.encounter
    form = ReflectionForm(prefix=_form_prefix(encounter),
                          data={"reflection": participation.reflection})
    return _reflection_page(form, encounter)


@bp.post("/me/reflections/<int:encounter_id>")
def write_reflection(encounter_id: int):
    participation = _own_participation(encounter_id)
    encounter = participation.encounter
    form = ReflectionForm(prefix=_form_prefix(encounter))
    if not form.validate():
        return _reflection_page(form, encounter, status=422)
    save_reflection(participation, form.reflection.data or "")
    target = url_for("main.me", _anchor=f"reflection-{encounter.id}")
    if is_fragment_request():  # the saved reflection replaces the form in place
        return redirect_after_write(target, render(
            "main/reflection.html", fragment="reflection_display", encounter=encounter,
            reflection=participation.reflection))
    flash("Your reflection is saved.", "success")
    return redirect_after_write(target)


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

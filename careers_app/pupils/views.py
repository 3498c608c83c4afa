from flask import Blueprint, abort, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional


from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..encounters.forms import YEAR_GROUP_CHOICES
from ..forms import options
from ..security import require_staff
from ..templating import render
from . import services

bp = Blueprint("pupils", __name__, url_prefix="/pupils")
bp.before_request(require_staff)


class PupilFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)],
                    description="Name or UPN")
    year_group = SelectField("Year group", choices=YEAR_GROUP_CHOICES, default="")
    tutor_group = SelectField("Tutor group", validate_choice=False, default="")


@bp.get("/")
def index():
    school_id = current_user.school_id
    form = PupilFilterForm(request.args)
    groups = services.group_options(school_id)
    form.tutor_group.choices = options([("", "All")] + [(g.value, g.value) for g in groups
                                                        if g.kind == "tutor"])
    form.validate()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    pupils, total = services.search_pupils(
        school_id,
        q=(form.q.data or "") if not form.q.errors else "",
        year_group=int(form.year_group.data) if form.year_group.data and not form.year_group.errors
        else None,
        tutor_group=form.tutor_group.data or "",
        page=page)
    return render("pupils/index.html", fragment="results", form=form, pupils=pupils, total=total,
                  page=page, page_size=services.PAGE_SIZE,
                  academic_year=academic_year_of(today_london()))


@bp.get("/<int:pupil_id>")
def show(pupil_id: int):
    pupil = services.get_pupil(current_user.school_id, pupil_id)
    if pupil is None:
        abort(404)
    return render("pupils/show.html", pupil=pupil, record=services.pupil_record(pupil),
                  academic_year=academic_year_of(today_london()))

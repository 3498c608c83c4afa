"""Personal guidance interviews (Benchmark 8): recorded from the pupil's page.

A guidance interview is an encounter with one pupil; the encounters service records it.
"""
from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_login import current_user

from ..domain.academic import academic_year_of
from ..domain.dates import today_london
from ..encounters import services
from ..pupils.services import pupil_or_404
from ..security import require_staff
from ..templating import redirect_after_write, render
from .forms import GuidanceForm

bp = Blueprint("guidance", __name__, url_prefix="/pupils")
bp.before_request(require_staff)


def _guidance_page(form: GuidanceForm, pupil, status: int = 200):
    return render("guidance/new.html", fragment="guidance_form", status=status, form=form,
                  pupil=pupil, academic_year=academic_year_of(today_london()))


@bp.get("/<int:pupil_id>/guidance/new")
def new(pupil_id: int):
    """Record a guidance interview with one pupil: adviser, notes, agreed actions."""
    return _guidance_page(GuidanceForm(), pupil_or_404(current_user.school_id, pupil_id))


@bp.post("/<int:pupil_id>/guidance/new")
def record(pupil_id: int):
    pupil = pupil_or_404(current_user.school_id, pupil_id)
    form = GuidanceForm()
    if not form.validate():
        return _guidance_page(form, pupil, status=422)
    services.record_guidance(pupil, current_user, services.GuidanceDetails(
        date=form.date.data, adviser_name=form.adviser_name.data,
        adviser_level6=form.adviser_level6.data, notes=form.notes.data or "",
        notes_staff_only=form.notes_staff_only.data,
        agreed_actions=form.agreed_actions.data or "", meaningful=form.meaningful.data))
    flash(f"Guidance interview recorded for {pupil.display_name}.", "success")
    return redirect_after_write(url_for("pupils.show", pupil_id=pupil.id))

"""Admin pages for subject-access exports, erasure and the retention job."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, make_response, request, url_for
from flask_login import current_user

from .. import audit_trail
from ..database import write_transaction
from ..pupils.services import pupil_or_404
from ..security import admin_required
from ..templating import redirect_after_write, render
from . import services

bp = Blueprint("privacy", __name__)


def _pupil(pupil_id: int):
    return pupil_or_404(current_user.school_id, pupil_id)


@bp.get("/pupils/<int:pupil_id>/export")
@admin_required
def export(pupil_id: int):
    """Subject-access export: everything about one pupil, as a JSON download."""
    pupil = _pupil(pupil_id)
    data = services.subject_access_export(pupil)
    with write_transaction():
        audit_trail.record("export", entity="pupil", entity_id=pupil.id)
    response = make_response(json.dumps(data, indent=2, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = f'attachment; filename="pupil-{pupil.upn}.json"'
    return response


@bp.get("/pupils/<int:pupil_id>/erase")
@admin_required
def erase(pupil_id: int):
    """Erase a pupil after the admin types their UPN to confirm (the POST below)."""
    return render("privacy/erase.html", pupil=_pupil(pupil_id), error=None)


@bp.post("/pupils/<int:pupil_id>/erase")
@admin_required
def erase_confirmed(pupil_id: int):
    pupil = _pupil(pupil_id)
    if request.form.get("confirm_upn", "").strip().upper() != pupil.upn:
        return render("privacy/erase.html", status=422, pupil=pupil,
                      error="Type the pupil's UPN exactly as shown to confirm.")
    name = pupil.display_name
    services.erase_pupil(pupil)
    flash(f"{name} has been erased from Careers Tracker.", "success")
    return redirect_after_write(url_for("pupils.index"))


def _retention_years() -> int:
    return int(current_app.config.get("RETENTION_YEARS", 6))


@bp.get("/admin/retention")
@admin_required
def retention():
    """Dry run first: who would be anonymised. Then apply on a second, explicit step."""
    plan = services.retention_plan(current_user.school_id, _retention_years())
    return render("privacy/retention.html", plan=plan, years=_retention_years())


@bp.post("/admin/retention")
@admin_required
def apply_retention():
    plan = services.retention_plan(current_user.school_id, _retention_years())
    count = services.anonymise(plan)
    flash(f"Anonymised {count} former pupils.", "success")
    return redirect_after_write(url_for("privacy.retention"))

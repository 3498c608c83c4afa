"""Import an action plan from CSV: upload, preview (with every date as it was read), confirm.

The preview re-posts the CSV text itself, so nothing is kept on the server between the two
steps; the confirmed import is parsed again and written in one transaction, or not at all.
"""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..database import write_transaction
from ..domain.csv_files import decode
from ..domain.errors import InputError
from ..domain.plan_import import parse_plan_csv
from ..extensions import db
from ..models.plans import ActionPlan, Milestone, PlanItem
from ..templating import render
from . import services
from .forms import ImportForm
from .views import _done, bp

MAX_BYTES = 2 * 1024 * 1024


def _leads(school_id: int) -> dict[str, int]:
    leads = {}
    for user in services.staff_users(school_id):
        leads.setdefault(user.display_name.lower(), user.id)
        leads.setdefault(user.username.lower(), user.id)
    return leads


def write_import(school_id: int, owner_id: int | None, title: str, period: str, result
                 ) -> ActionPlan:
    """Everything in one transaction."""
    with write_transaction():
        plan = ActionPlan(school_id=school_id, title=" ".join(title.split()),
                          period=" ".join(period.split()), owner_id=owner_id)
        db.session.add(plan)
        for position, parsed in enumerate(result.items, start=1):
            item = PlanItem(
                school_id=school_id, position=position, benchmark=parsed.benchmark,
                aim=parsed.aim, actions=parsed.actions,
                lead_user_id=parsed.lead_user_id,
                lead_name="" if parsed.lead_user_id else parsed.lead_text,
                resources=parsed.resources, cost_pence=parsed.cost_pence,
                success_criteria=parsed.success_criteria, outcomes=parsed.outcomes)
            item.milestones = [Milestone(school_id=school_id, title=m.title, date=m.day)
                               for m in parsed.milestones]
            plan.items.append(item)
    return plan


def _submitted_csv(form, upload) -> tuple[str, str | None]:
    """The CSV text from a new upload, else the copy the preview posted back; or a problem."""
    if upload is not None:
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return "", "The file is larger than 2 MB."
        try:
            text, _encoding = decode(data)
        except InputError as error:
            return "", error.message
    else:
        text = form.csv_text.data or ""
    return (text, None) if text.strip() else ("", "Choose a CSV file.")


@bp.route("/import", methods=["GET", "POST"])
def import_plan():
    if not services.can_create_plans(current_user):
        abort(403)
    form = ImportForm()
    if request.method == "GET":
        return render("plans/import.html", fragment="import_form", form=form, result=None)
    if not form.validate():
        return render("plans/import.html", fragment="import_form", status=422, form=form,
                      result=None)
    upload = request.files.get("file")
    fresh_upload = bool(upload and upload.filename)
    text, problem = _submitted_csv(form, upload if fresh_upload else None)
    if problem:
        form.file.errors = [problem]
        return render("plans/import.html", fragment="import_form", status=422, form=form,
                      result=None)
    result = parse_plan_csv(text, _leads(current_user.school_id))
    form.csv_text.data = text
    if result.errors or not result.items:
        if not result.errors:
            result.errors.append((0, "The file has no aims or benchmarks."))
        return render("plans/import.html", fragment="import_form", status=422, form=form,
                      result=result)
    if not form.confirm.data or fresh_upload:
        form.confirm.data = False
        return render("plans/import.html", fragment="import_form", form=form, result=result,
                      preview=True)
    plan = write_import(current_user.school_id, current_user.id, form.title.data,
                        form.period.data or "", result)
    flash(f"Imported “{plan.title}”: {len(result.items)} aims and {result.milestone_count} "
          "milestones.", "success")
    return _done(url_for("plans.show", plan_id=plan.id))

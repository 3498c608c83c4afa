"""Benchmark audit of practice (issue 6). Staff read the results; careers leaders run audits."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..domain.academic import academic_year_of
from ..domain.audit_criteria import (RATING_LABELS, Rating, Thresholds, describe_change,
                                     rating_label)
from ..domain.dates import today_london
from ..security import admin_required, require_staff
from ..templating import is_fragment_request, redirect_after_write, render
from . import services
from .forms import AnswerForm, AuditSettingsForm, PlanChoiceForm, StartAuditForm

bp = Blueprint("benchmark_audit", __name__, url_prefix="/audit")
bp.before_request(require_staff)

NOT_ACHIEVED = (Rating.NOT.value, Rating.PARTIAL.value)


@bp.context_processor
def _audit_helpers():
    return {"rating_label": rating_label, "describe_change": describe_change,
            "rating_labels": RATING_LABELS, "not_achieved": NOT_ACHIEVED}


def _school_id() -> int:
    return current_user.school_id


def _audit_or_404(audit_id: int):
    audit = services.get_audit(_school_id(), audit_id)
    if audit is None:
        abort(404)
    return audit


# The list and starting an audit -------------------------------------------------------------

@bp.get("")
def index():
    """Every audit of the school, newest first, with its overall score."""
    return render("benchmark_audit/index.html", summaries=services.list_audits(_school_id()))


def _start_page(form: StartAuditForm, previous, status: int = 200):
    return render("benchmark_audit/new.html", fragment="start_form", status=status, form=form,
                  previous=previous)


@bp.get("/new")
@admin_required
def new():
    form = StartAuditForm()
    previous = services.latest_audit(_school_id())
    form.copy_previous.data = previous is not None
    return _start_page(form, previous)


@bp.post("/new")
@admin_required
def start():
    form = StartAuditForm()
    previous = services.latest_audit(_school_id())
    if not form.validate():
        return _start_page(form, previous, status=422)
    audit = services.start_audit(_school_id(), current_user, form.title.data or "",
                                 academic_year_of(today_london()),
                                 bool(form.copy_previous.data) and previous is not None)
    flash(f"Audit “{audit.title}” started. Answer each criterion; your answers save as you go.",
          "success")
    return redirect_after_write(url_for("benchmark_audit.answer", audit_id=audit.id))


# Answering ----------------------------------------------------------------------------------

def _answer_form(answer, measured, formdata=None):
    form = AnswerForm(formdata=formdata, prefix=answer.criterion_key)
    if formdata is None:
        suggested = measured.suggested if measured is not None else ""
        form.rating.data = answer.rating or suggested or None
        form.evidence.data = answer.evidence
    return form


def _measure(audit):
    return services.measure_evidence(_school_id(), audit.academic_year, today_london())


@bp.get("/<int:audit_id>/answer")
@admin_required
def answer(audit_id: int):
    """Every criterion with its measured evidence, each saved on its own."""
    audit = _audit_or_404(audit_id)
    measured = _measure(audit)
    results, _previous = services.results(audit)
    forms = {a.criterion_key: _answer_form(a, measured.get(a.criterion_key))
             for a in audit.answers}
    return render("benchmark_audit/answer.html", audit=audit, results=results, forms=forms,
                  measured=measured, benchmarks=services.benchmarks())


def _answer_or_404(audit, key: str):
    found = services.get_answer(audit, key)
    if found is None:
        abort(404)
    return found


def _criterion_page(audit, found, form, measured, *, saved: bool = False, status: int = 200):
    results, _previous = services.results(audit)
    return render("benchmark_audit/criterion.html", fragment="criterion", status=status,
                  audit=audit, answer=found, form=form, measured=measured, saved=saved,
                  results=results, oob=is_fragment_request())


def _criterion(audit_id: int, key: str):
    """The audit, its answer for `key` and the evidence measured for it; or 404."""
    audit = _audit_or_404(audit_id)
    return audit, _answer_or_404(audit, key), _measure(audit).get(key)


@bp.get("/<int:audit_id>/criteria/<key>")
@admin_required
def criterion(audit_id: int, key: str):
    """One criterion: the inline form (htmx swaps it in place) or a page of its own."""
    audit, found, measured = _criterion(audit_id, key)
    return _criterion_page(audit, found, _answer_form(found, measured), measured)


@bp.post("/<int:audit_id>/criteria/<key>")
@admin_required
def save_criterion(audit_id: int, key: str):
    audit, found, measured = _criterion(audit_id, key)
    form = AnswerForm(prefix=key)
    if not form.validate():
        return _criterion_page(audit, found, form, measured, status=422)
    services.save_answer(audit, found, form.rating.data, form.evidence.data or "",
                         current_user, measured)
    target = url_for("benchmark_audit.answer", audit_id=audit.id, _anchor=f"criterion-{key}")
    if is_fragment_request():  # the saved answer replaces the form in place
        return redirect_after_write(target, _criterion_page(
            audit, found, _answer_form(found, measured), measured, saved=True))
    flash("Answer saved.", "success")
    return redirect_after_write(target)


# Results ------------------------------------------------------------------------------------

def _plan_chooser(audit):
    plans = services.school_plans(_school_id())
    chooser = PlanChoiceForm(request.args)
    chooser.set_choices(plans, services.audit_plan_title(audit))
    ids = {str(p.id) for p in plans}
    if chooser.plan.data not in ids | {"new"}:
        chooser.plan.data = str(plans[0].id) if plans else "new"
    return chooser


def _results_page(audit, status: int = 200, problem: str | None = None):
    results, previous = services.results(audit)
    return render("benchmark_audit/show.html", status=status, audit=audit, results=results,
                  previous=previous, chooser=_plan_chooser(audit), problem=problem)


@bp.get("/<int:audit_id>")
def show(audit_id: int):
    """Each benchmark's score, the change since the previous audit, and every answer."""
    return _results_page(_audit_or_404(audit_id))


@bp.get("/<int:audit_id>/print")
def print_report(audit_id: int):
    audit = _audit_or_404(audit_id)
    results, previous = services.results(audit)
    return render("benchmark_audit/print.html", audit=audit, results=results, previous=previous,
                  today=today_london())


@bp.post("/<int:audit_id>/criteria/<key>/plan-item")
@admin_required
def plan_item(audit_id: int, key: str):
    """One click: an action-plan item whose aim is this criterion, then open it."""
    audit = _audit_or_404(audit_id)
    found = _answer_or_404(audit, key)
    if not found.answered or found.rating not in NOT_ACHIEVED:
        return _results_page(audit, 422, "Only a criterion rated Not achieved or Partially "
                                         "achieved can become an action-plan item.")
    plans = services.school_plans(_school_id())
    wanted = (request.form.get("plan") or "").strip()
    if wanted == "new":
        plan = None
    elif wanted:
        plan = next((p for p in plans if str(p.id) == wanted), None)
        if plan is None:
            return _results_page(audit, 422, "That action plan no longer exists. Choose another.")
    else:
        plan = plans[0] if plans else None
    item = services.create_plan_item(audit, found, plan, current_user)
    flash("Action-plan item created from the audit. Add its actions, lead and milestones.",
          "success")
    return redirect_after_write(url_for("plans.item", item_id=item.id))


# Settings -----------------------------------------------------------------------------------

def _settings_page(form: AuditSettingsForm, status: int = 200):
    return render("benchmark_audit/settings.html", fragment="settings_form", status=status,
                  form=form)


@bp.get("/settings")
@admin_required
def settings():
    """Benchmark 1 facts (Careers Leader, governor link, programme web page, last review)
    and the thresholds that suggest a rating from a measured figure."""
    form = AuditSettingsForm()
    current = services.load_settings(_school_id())
    form.careers_leader.data = current.careers_leader
    form.governor_link.data = current.governor_link
    form.programme_url.data = current.programme_url
    form.last_review.data = current.last_review
    form.achieved.data = current.thresholds.achieved
    form.partial_above.data = current.thresholds.partial_above
    return _settings_page(form)


@bp.post("/settings")
@admin_required
def save_settings():
    form = AuditSettingsForm()
    if not form.validate():
        return _settings_page(form, status=422)
    services.save_settings(_school_id(), services.AuditSettings(
        form.careers_leader.data or "", form.governor_link.data or "",
        form.programme_url.data or "", form.last_review.data,
        Thresholds(form.achieved.data, form.partial_above.data)))
    flash("Audit settings saved.", "success")
    return redirect_after_write(url_for("benchmark_audit.index"))

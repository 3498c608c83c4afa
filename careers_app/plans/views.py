"""Careers action plans, their items and milestones, and the plan import (issue 5)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..domain.benchmarks import BY_NUMBER
from ..domain.dates import today_london
from ..domain.plan_dates import format_pounds
from ..forms import options
from ..security import refuse, require_staff
from ..templating import is_fragment_request, redirect_after_write, render
from . import importer, services
from .forms import ItemForm, MilestoneForm, PlanForm, StatusForm

bp = Blueprint("plans", __name__, url_prefix="/plans")
# A group lead (no school access) keeps the group's plans through these pages; the lookups
# below then find only the plans of the groups they lead (services.readable_plans).
GROUP_PLAN_ENDPOINTS = frozenset({
    "plans.show", "plans.print_view", "plans.edit", "plans.update", "plans.delete",
    "plans.delete_confirmed", "plans.new_item", "plans.create_item", "plans.item",
    "plans.edit_item", "plans.update_item", "plans.delete_item", "plans.delete_item_confirmed",
    "plans.status", "plans.save_status", "plans.new_milestone", "plans.create_milestone",
    "plans.milestone", "plans.edit_milestone", "plans.update_milestone",
    "plans.toggle_milestone", "plans.delete_milestone"})


@bp.before_request
def _staff_or_group_lead():
    if (current_user.is_authenticated and current_user.is_group_lead
            and request.endpoint in GROUP_PLAN_ENDPOINTS):
        return None
    return require_staff()


bp.add_app_template_filter(format_pounds, "pounds")
# The plan import's three steps live in importer.py; they are routes of this blueprint.
bp.add_url_rule("/import", view_func=importer.import_plan, methods=["GET"])
bp.add_url_rule("/import", view_func=importer.import_preview, methods=["POST"])
bp.add_url_rule("/import/confirm", view_func=importer.import_confirm, methods=["POST"])


@bp.context_processor
def _plan_helpers():
    return {"perms": services.Permissions(current_user), "today": today_london(),
            "is_overdue": services.is_overdue}


def _school_id() -> int:
    return current_user.school_id


def _staff_choices(blank: str, plan=None):
    if plan is not None and plan.group_id is not None:  # a group's plan: leads in words
        return options([(0, blank)])
    return options([(0, blank)] + [(u.id, u.display_name)
                                   for u in services.staff_users(_school_id())])


# Plans ------------------------------------------------------------------------------------

@bp.get("")
def index():
    """Every plan of the school, with milestone counts."""
    return render("plans/index.html", summaries=services.list_plans(_school_id()),
                  group_summaries=services.member_group_plans(_school_id()))


def _plan_or_404(plan_id: int, *, full: bool = False):
    plan = services.visible_plan(current_user, plan_id, full=full)
    if plan is None:
        refuse(404)
    return plan


def _editable_plan(plan_id: int):
    plan = _plan_or_404(plan_id)
    if not services.can_edit_plan(current_user, plan):
        abort(403)
    return plan


def _plan_details(form: PlanForm) -> services.PlanDetails:
    return services.PlanDetails(title=form.title.data or "", period=form.period.data or "",
                                owner_id=form.owner_id.data or None)


def _may_create_plans() -> None:
    if not services.can_create_plans(current_user):
        abort(403)


def _plan_form(obj=None) -> PlanForm:
    form = PlanForm(obj=obj)
    if obj is not None and obj.group_id is not None:
        form.owner_id.choices = options([(0, "No owner")] + [
            (u.id, u.display_name) for u in services.group_leads(obj.group_id)])
    else:
        form.owner_id.choices = _staff_choices("No owner")
    return form


def _plan_form_page(form: PlanForm, plan=None, status: int = 200):
    return render("plans/plan_form.html", fragment="plan_form", status=status, form=form,
                  plan=plan)


@bp.get("/new")
def new():
    _may_create_plans()
    form = _plan_form()
    form.owner_id.data = current_user.id
    return _plan_form_page(form)


@bp.post("/new")
def create():
    _may_create_plans()
    form = _plan_form()
    if not form.validate():
        return _plan_form_page(form, status=422)
    plan = services.create_plan(_school_id(), _plan_details(form))
    flash(f"Plan “{plan.title}” created. Add its aims or benchmarks next.", "success")
    return redirect_after_write(url_for("plans.show", plan_id=plan.id))


@bp.get("/<int:plan_id>")
def show(plan_id: int):
    plan = _plan_or_404(plan_id, full=True)
    return render("plans/show.html", plan=plan, benchmarks=BY_NUMBER)


@bp.get("/<int:plan_id>/edit")
def edit(plan_id: int):
    plan = _editable_plan(plan_id)
    form = _plan_form(obj=plan)
    form.owner_id.data = plan.owner_id or 0
    return _plan_form_page(form, plan)


@bp.post("/<int:plan_id>/edit")
def update(plan_id: int):
    plan = _editable_plan(plan_id)
    form = _plan_form(plan)
    if not form.validate():
        return _plan_form_page(form, plan, status=422)
    services.update_plan(plan, _plan_details(form))
    flash("Plan updated.", "success")
    return redirect_after_write(url_for("plans.show", plan_id=plan.id))


@bp.get("/<int:plan_id>/delete")
def delete(plan_id: int):
    """The confirmation page; the POST below deletes."""
    return render("plans/delete.html", plan=_editable_plan(plan_id))


@bp.post("/<int:plan_id>/delete")
def delete_confirmed(plan_id: int):
    plan = _editable_plan(plan_id)
    title, back = plan.title, "groups.plans" if plan.group_id else "plans.index"
    services.delete_plan(plan)
    flash(f"Deleted the plan “{title}” and its milestones.", "success")
    return redirect_after_write(url_for(back))


@bp.get("/<int:plan_id>/print")
def print_view(plan_id: int):
    """The whole plan as one table, laid out for A4 landscape."""
    plan = _plan_or_404(plan_id, full=True)
    return render("plans/print.html", plan=plan)


# Items ------------------------------------------------------------------------------------

def _item_or_404(item_id: int):
    item = services.visible_item(current_user, item_id)
    if item is None:
        refuse(404)
    return item


def _editable_item(item_id: int):
    item = _item_or_404(item_id)
    if not services.can_edit_plan(current_user, item.plan):
        abort(403)
    return item


def _item_details(form: ItemForm) -> services.ItemDetails:
    return services.ItemDetails(
        benchmark=int(form.benchmark.data) if form.benchmark.data else None,
        aim=form.aim.data or "", actions=form.actions.data or "",
        lead_user_id=form.lead_user_id.data or None, lead_name=form.lead_name.data or "",
        resources=form.resources.data or "", cost_pence=getattr(form, "cost_pence", None),
        success_criteria=form.success_criteria.data or "", outcomes=form.outcomes.data or "",
        section=form.section.data or "", current_provision=form.current_provision.data or "")


def _item_page(item, status: int = 200):
    return render("plans/item.html", fragment="item", status=status, item=item, plan=item.plan)


def _item_form_page(form: ItemForm, *, plan, item=None, status: int = 200):
    return render("plans/item_form.html", fragment="item_form", status=status, form=form,
                  plan=plan, item=item)


def _save_item(form: ItemForm, *, plan, item=None):
    created = item is None
    form.lead_user_id.choices = _staff_choices("Not a member of staff", plan)
    if not form.validate():
        return _item_form_page(form, plan=plan, item=item, status=422)
    try:
        if created:
            item = services.add_item(plan, _item_details(form))
        else:
            services.update_item(item, _item_details(form))
    except services.PlanInputError as error:
        form[error.field_name].errors = [error.message]
        return _item_form_page(form, plan=plan, item=item, status=422)
    target = url_for("plans.show", plan_id=plan.id, _anchor=f"item-{item.id}")
    if created:
        flash("Added to the plan.", "success")
        return redirect_after_write(target)
    return redirect_after_write(target, _item_page(item))


@bp.get("/<int:plan_id>/items/new")
def new_item(plan_id: int):
    plan = _editable_plan(plan_id)
    form = ItemForm()
    form.lead_user_id.choices = _staff_choices("Not a member of staff", plan)
    return _item_form_page(form, plan=plan)


@bp.post("/<int:plan_id>/items/new")
def create_item(plan_id: int):
    return _save_item(ItemForm(), plan=_editable_plan(plan_id))


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    """One item on its own (htmx: the item's block, e.g. after Cancel in an inline edit)."""
    return _item_page(_item_or_404(item_id))


@bp.get("/items/<int:item_id>/edit")
def edit_item(item_id: int):
    item = _editable_item(item_id)
    form = ItemForm(obj=item)
    form.benchmark.data = str(item.benchmark) if item.benchmark else ""
    form.lead_user_id.data = item.lead_user_id or 0
    form.cost.data = format_pounds(item.cost_pence).lstrip("£")
    form.lead_user_id.choices = _staff_choices("Not a member of staff", item.plan)
    return _item_form_page(form, plan=item.plan, item=item)


@bp.post("/items/<int:item_id>/edit")
def update_item(item_id: int):
    item = _editable_item(item_id)
    return _save_item(ItemForm(), plan=item.plan, item=item)


@bp.get("/items/<int:item_id>/delete")
def delete_item(item_id: int):
    """The confirmation page; the POST below deletes."""
    item = _editable_item(item_id)
    return render("plans/delete_item.html", item=item, plan=item.plan)


@bp.post("/items/<int:item_id>/delete")
def delete_item_confirmed(item_id: int):
    item = _editable_item(item_id)
    plan_id = item.plan_id
    services.delete_item(item)
    flash("Deleted the aim and its milestones.", "success")
    return redirect_after_write(url_for("plans.show", plan_id=plan_id))


def _status_item(item_id: int):
    """RAG status with a dated note: the plan's editors and the item's lead."""
    item = _item_or_404(item_id)
    if not services.can_update_item(current_user, item):
        abort(403)
    return item


def _status_page(form: StatusForm, item, status: int = 200):
    return render("plans/status_form.html", fragment="status_form", status=status, form=form,
                  item=item, plan=item.plan)


@bp.get("/items/<int:item_id>/status")
def status(item_id: int):
    item = _status_item(item_id)
    return _status_page(StatusForm(rag=item.rag, status_note=item.status_note), item)


@bp.post("/items/<int:item_id>/status")
def save_status(item_id: int):
    item = _status_item(item_id)
    form = StatusForm()
    if not form.validate():
        return _status_page(form, item, status=422)
    services.update_status(item, form.rag.data or "", form.status_note.data or "",
                           form.status_date.data)
    return redirect_after_write(
        url_for("plans.show", plan_id=item.plan_id, _anchor=f"item-{item.id}"), _item_page(item))


# Milestones -------------------------------------------------------------------------------

def _milestone_or_404(milestone_id: int):
    milestone = services.visible_milestone(current_user, milestone_id)
    if milestone is None:
        refuse(404)
    return milestone


def _updatable_milestone(milestone_id: int):
    milestone = _milestone_or_404(milestone_id)
    if not services.can_update_item(current_user, milestone.item):
        abort(403)
    return milestone


def _milestone_details(form: MilestoneForm) -> services.MilestoneDetails:
    return services.MilestoneDetails(title=form.title.data or "", date=form.date.data,
                                     start_time=form.start_time.data, end_time=form.end_time.data)


def _context() -> str:
    value = request.values.get("context", "")
    return value if value in ("mine", "plan") else "plan"


def _milestone_page(milestone, status: int = 200):
    return render("plans/milestone.html", fragment="milestone", status=status,
                  milestone=milestone, item=milestone.item, context=_context())


def _milestone_target(milestone) -> str:
    if _context() == "mine":
        return url_for("plans.mine")
    return url_for("plans.show", plan_id=milestone.item.plan_id,
                   _anchor=f"milestone-{milestone.id}")


def _milestone_form_page(form, *, item, milestone=None, status: int = 200):
    form.context.data = _context()
    return render("plans/milestone_form.html", fragment="milestone_form", status=status,
                  form=form, item=item, milestone=milestone, plan=item.plan)


def _save_milestone(form: MilestoneForm, *, item, milestone=None):
    created = milestone is None
    if not form.validate():
        return _milestone_form_page(form, item=item, milestone=milestone, status=422)
    try:
        if created:
            milestone = services.add_milestone(item, _milestone_details(form))
        else:
            services.update_milestone(milestone, _milestone_details(form))
    except services.PlanInputError as error:
        form[error.field_name].errors = [error.message]
        return _milestone_form_page(form, item=item, milestone=milestone, status=422)
    if created:
        # A new milestone may land anywhere in the date order: refresh the whole item.
        response = _item_page(item)
        response.headers["HX-Retarget"] = f"#item-{item.id}"
        response.headers["HX-Reswap"] = "outerHTML"
        return redirect_after_write(
            url_for("plans.show", plan_id=item.plan_id, _anchor=f"item-{item.id}"), response)
    return redirect_after_write(_milestone_target(milestone), _milestone_page(milestone))


def _item_for_new_milestone(item_id: int):
    item = _item_or_404(item_id)
    if not services.can_update_item(current_user, item):
        abort(403)
    return item


@bp.get("/items/<int:item_id>/milestones/new")
def new_milestone(item_id: int):
    return _milestone_form_page(MilestoneForm(), item=_item_for_new_milestone(item_id))


@bp.post("/items/<int:item_id>/milestones/new")
def create_milestone(item_id: int):
    return _save_milestone(MilestoneForm(), item=_item_for_new_milestone(item_id))


@bp.get("/milestones/<int:milestone_id>")
def milestone(milestone_id: int):
    return _milestone_page(_milestone_or_404(milestone_id))


@bp.get("/milestones/<int:milestone_id>/edit")
def edit_milestone(milestone_id: int):
    milestone = _updatable_milestone(milestone_id)
    return _milestone_form_page(MilestoneForm(obj=milestone), item=milestone.item,
                                milestone=milestone)


@bp.post("/milestones/<int:milestone_id>/edit")
def update_milestone(milestone_id: int):
    milestone = _updatable_milestone(milestone_id)
    return _save_milestone(MilestoneForm(), item=milestone.item, milestone=milestone)


@bp.post("/milestones/<int:milestone_id>/toggle")
def toggle_milestone(milestone_id: int):
    """One click ticks a milestone off (or back on)."""
    milestone = _updatable_milestone(milestone_id)
    done = request.form.get("done") == "1"
    services.set_done(milestone, done)
    if not is_fragment_request():
        flash(f"“{milestone.title}” marked {'done' if done else 'not done'}.", "success")
    return redirect_after_write(_milestone_target(milestone), _milestone_page(milestone))


@bp.post("/milestones/<int:milestone_id>/delete")
def delete_milestone(milestone_id: int):
    milestone = _updatable_milestone(milestone_id)
    item = milestone.item
    services.delete_milestone(milestone)
    flash("Milestone deleted.", "success")
    return redirect_after_write(
        url_for("plans.show", plan_id=item.plan_id, _anchor=f"item-{item.id}"))


@bp.get("/mine")
def mine():
    """My milestones: everything where I am the lead, overdue first."""
    milestones = services.my_milestones(current_user)
    return render("plans/mine.html", fragment="my_milestones", milestones=milestones,
                  context="mine")


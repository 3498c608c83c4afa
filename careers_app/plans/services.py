"""Action plans, their items and milestones. Every write is one transaction.

Anything a calendar shows about a milestone (its own fields, and its item's heading and lead,
and its plan's title) raises the milestone's SEQUENCE when it changes, so subscribed calendars
replace the event instead of ignoring it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..database import write_transaction
from ..domain.dates import today_london
from ..errors import InputError
from ..extensions import db
from ..models import User
from ..models.base import utcnow
from ..models.plans import ActionPlan, Milestone, PlanItem, Rag
from ..models.user import STAFF_ROLES


class PlanInputError(InputError):
    """A problem with submitted plan data, tied to a form field."""


# Permissions ------------------------------------------------------------------------------

def can_create_plans(user: User) -> bool:
    """Careers leaders (admins) create plans and import them."""
    return user.is_admin


def can_edit_plan(user: User, plan: ActionPlan) -> bool:
    """A careers leader, or the plan's owner, edits the plan and every item in it."""
    return user.is_admin or (user.is_staff and plan.owner_id == user.id)


def can_update_item(user: User, item: PlanItem) -> bool:
    """An item's lead may also set its RAG status and tick off or add its milestones."""
    return can_edit_plan(user, item.plan) or (user.is_staff and item.lead_user_id == user.id)


class Permissions:
    """The checks above, bound to the current user, for templates."""

    def __init__(self, user: User):
        self.user = user

    def create_plans(self) -> bool:
        return can_create_plans(self.user)

    def edit_plan(self, plan: ActionPlan) -> bool:
        return can_edit_plan(self.user, plan)

    def update_item(self, item: PlanItem) -> bool:
        return can_update_item(self.user, item)


# Queries ----------------------------------------------------------------------------------

def staff_users(school_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.school_id == school_id, User.role.in_(STAFF_ROLES),
                           User.active.is_(True)).order_by(User.display_name, User.id)))


def staff_user(school_id: int, user_id: int | None) -> User | None:
    if not user_id:
        return None
    return db.session.scalar(select(User).where(
        User.id == user_id, User.school_id == school_id, User.role.in_(STAFF_ROLES)))


@dataclass
class PlanSummary:
    plan: ActionPlan
    items: int
    milestones: int
    done: int
    overdue: int


def list_plans(school_id: int, today: date | None = None) -> list[PlanSummary]:
    """Every plan of the school with its counts, in one query."""
    today = today or today_london()
    overdue = case((Milestone.done.is_(False) & (Milestone.date < today), 1), else_=0)
    rows = db.session.execute(
        select(ActionPlan, func.count(func.distinct(PlanItem.id)), func.count(Milestone.id),
               func.coalesce(func.sum(case((Milestone.done.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(overdue), 0))
        .outerjoin(PlanItem, PlanItem.plan_id == ActionPlan.id)
        .outerjoin(Milestone, Milestone.item_id == PlanItem.id)
        .where(ActionPlan.school_id == school_id)
        .group_by(ActionPlan.id)
        .order_by(ActionPlan.title, ActionPlan.id)).all()
    return [PlanSummary(*row) for row in rows]


def get_plan(school_id: int, plan_id: int, *, full: bool = False) -> ActionPlan | None:
    query = select(ActionPlan).where(ActionPlan.id == plan_id, ActionPlan.school_id == school_id)
    if full:
        query = query.options(selectinload(ActionPlan.items).selectinload(PlanItem.milestones))
    return db.session.scalar(query)


def get_item(school_id: int, item_id: int) -> PlanItem | None:
    return db.session.scalar(select(PlanItem).where(PlanItem.id == item_id,
                                                    PlanItem.school_id == school_id))


def get_milestone(school_id: int, milestone_id: int) -> Milestone | None:
    return db.session.scalar(select(Milestone).where(Milestone.id == milestone_id,
                                                     Milestone.school_id == school_id))


def is_overdue(milestone: Milestone, today: date | None = None) -> bool:
    return not milestone.done and milestone.date < (today or today_london())


def my_milestones(user: User, today: date | None = None) -> list[Milestone]:
    """Milestones of the items I lead: overdue first (oldest first), then the rest by date,
    then those already done."""
    today = today or today_london()
    order = case((Milestone.done.is_(True), 2), (Milestone.date < today, 0), else_=1)
    return list(db.session.scalars(
        select(Milestone).join(PlanItem, PlanItem.id == Milestone.item_id)
        .where(Milestone.school_id == user.school_id, PlanItem.lead_user_id == user.id)
        .options(selectinload(Milestone.item).selectinload(PlanItem.plan))
        .order_by(order, Milestone.date, Milestone.start_time, Milestone.id)))


# Writes -----------------------------------------------------------------------------------

@dataclass
class PlanDetails:
    title: str
    period: str = ""
    owner_id: int | None = None


@dataclass
class ItemDetails:
    benchmark: int | None = None
    aim: str = ""
    actions: str = ""
    lead_user_id: int | None = None
    lead_name: str = ""
    resources: str = ""
    cost_pence: int | None = None
    success_criteria: str = ""
    outcomes: str = ""
    section: str = ""
    current_provision: str = ""


@dataclass
class MilestoneDetails:
    title: str
    date: date
    start_time: time | None = None
    end_time: time | None = None
    done: bool = False


def _clean(text: str | None) -> str:
    return (text or "").strip().replace("\r\n", "\n")


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _bump_milestones(items) -> None:
    for item in items:
        for milestone in item.milestones:
            milestone.bump()


def create_plan(school_id: int, details: PlanDetails) -> ActionPlan:
    with write_transaction():
        owner = staff_user(school_id, details.owner_id)
        plan = ActionPlan(school_id=school_id, title=_one_line(details.title),
                          period=_one_line(details.period), owner_id=owner.id if owner else None)
        db.session.add(plan)
    return plan


def update_plan(plan: ActionPlan, details: PlanDetails) -> None:
    with write_transaction():
        owner = staff_user(plan.school_id, details.owner_id)
        title, period = _one_line(details.title), _one_line(details.period)
        if (title, period) != (plan.title, plan.period):
            _bump_milestones(plan.items)  # the plan's title is in every event's description
        plan.title, plan.period = title, period
        plan.owner_id = owner.id if owner else None


def delete_plan(plan: ActionPlan) -> None:
    with write_transaction():
        db.session.delete(plan)


def _apply_item(item: PlanItem, details: ItemDetails) -> None:
    lead = staff_user(item.school_id, details.lead_user_id)
    if details.lead_user_id and lead is None:
        raise PlanInputError("lead_user_id", "Choose a member of staff from the list.")
    item.benchmark = details.benchmark
    item.aim = _clean(details.aim)
    item.actions = _clean(details.actions)
    item.lead_user_id = lead.id if lead else None
    item.lead_name = "" if lead else _one_line(details.lead_name)
    item.resources = _clean(details.resources)
    item.cost_pence = details.cost_pence
    item.success_criteria = _clean(details.success_criteria)
    item.outcomes = _clean(details.outcomes)
    item.section = _one_line(details.section)[:200]
    item.current_provision = _clean(details.current_provision)


def add_item(plan: ActionPlan, details: ItemDetails) -> PlanItem:
    with write_transaction():
        position = db.session.scalar(select(func.coalesce(func.max(PlanItem.position), 0))
                                     .where(PlanItem.plan_id == plan.id)) + 1
        item = PlanItem(school_id=plan.school_id, plan_id=plan.id, position=position)
        _apply_item(item, details)
        db.session.add(item)
    return item


def update_item(item: PlanItem, details: ItemDetails) -> None:
    with write_transaction():
        before = (item.heading, item.lead_user_id, item.lead_name)
        _apply_item(item, details)
        db.session.flush()
        db.session.refresh(item, ["lead_user"])
        if (item.heading, item.lead_user_id, item.lead_name) != before:
            _bump_milestones([item])
        item.updated_at = utcnow()


def update_status(item: PlanItem, rag: str, note: str, on: date) -> None:
    with write_transaction():
        item.rag = Rag(rag).value
        item.status_note = _clean(note)
        item.status_date = on


def delete_item(item: PlanItem) -> None:
    with write_transaction():
        db.session.delete(item)


def _check_times(details: MilestoneDetails) -> None:
    if (details.start_time is None) != (details.end_time is None):
        field = "end_time" if details.end_time is None else "start_time"
        raise PlanInputError(field, "Give both a start and an end time, or neither for an "
                                    "all-day milestone.")
    if details.start_time and details.end_time and details.end_time <= details.start_time:
        raise PlanInputError("end_time", "The end time must be after the start time.")


def _apply_milestone(milestone: Milestone, details: MilestoneDetails) -> None:
    _check_times(details)
    milestone.title = _one_line(details.title)
    milestone.date = details.date
    milestone.start_time = details.start_time
    milestone.end_time = details.end_time


def add_milestone(item: PlanItem, details: MilestoneDetails) -> Milestone:
    with write_transaction():
        milestone = Milestone(school_id=item.school_id, item_id=item.id)
        _apply_milestone(milestone, details)
        milestone.done = details.done
        milestone.done_at = utcnow() if details.done else None
        db.session.add(milestone)
    return milestone


def update_milestone(milestone: Milestone, details: MilestoneDetails) -> None:
    with write_transaction():
        _apply_milestone(milestone, details)


def set_done(milestone: Milestone, done: bool) -> None:
    """Tick a milestone off (or back on)."""
    with write_transaction():
        if milestone.done != done:
            milestone.done = done
            milestone.done_at = utcnow() if done else None


def delete_milestone(milestone: Milestone) -> None:
    with write_transaction():
        db.session.delete(milestone)

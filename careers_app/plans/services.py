"""Action plans, their items and milestones. Every write is one transaction.

Anything a calendar shows about a milestone (its own fields, and its item's heading and lead,
and its plan's title) raises the milestone's SEQUENCE when it changes, so subscribed calendars
replace the event instead of ignoring it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask import g, has_request_context
from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import selectinload

from ..database import write_transaction
from ..domain.dates import today_london
from ..domain.errors import InputError
from ..extensions import db
from ..models import User
from ..models.base import utcnow
from ..models.group import GroupLead, SchoolGroupMember
from ..models.plans import ActionPlan, Milestone, PlanItem, Rag
from ..models.user import STAFF_ROLES


# The one InputError (domain/errors.py); the old name is what the views catch.
PlanInputError = InputError


# Permissions ------------------------------------------------------------------------------

def can_create_plans(user: User) -> bool:
    """Careers leaders (admins) create plans and import them."""
    return user.is_admin


def led_group_ids(user: User) -> frozenset[int]:
    """The groups the user leads (asked once per request)."""
    if not (user.is_group_lead or user.leads_groups):
        return frozenset()
    cached = g.get("plan_led_groups") if has_request_context() else None
    if cached is not None and cached[0] == user.id:
        return cached[1]
    ids = frozenset(db.session.scalars(select(GroupLead.group_id)
                                       .where(GroupLead.user_id == user.id)))
    if has_request_context():
        g.plan_led_groups = (user.id, ids)
    return ids


def can_edit_plan(user: User, plan: ActionPlan) -> bool:
    """A careers leader, or the plan's owner, edits the plan and every item in it. A group's
    plan is kept by the group's leads alone; member schools' staff read it."""
    if plan.group_id is not None:
        return plan.group_id in led_group_ids(user)
    return user.is_admin or (user.is_staff and plan.owner_id == user.id)


def can_update_item(user: User, item: PlanItem) -> bool:
    """An item's lead may also set its RAG status and tick off or add its milestones."""
    if item.plan.group_id is not None:
        return can_edit_plan(user, item.plan)
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
    """Every plan of the school with its counts, in one query (not its groups' plans)."""
    return _summaries(and_(ActionPlan.school_id == school_id, ActionPlan.group_id.is_(None)),
                      today)


def list_group_plans(group_ids, today: date | None = None) -> list[PlanSummary]:
    """The plans of these groups (a trust's, a partnership's) with their counts."""
    return _summaries(ActionPlan.group_id.in_(sorted(group_ids)), today) if group_ids else []


def member_group_plans(school_id: int, today: date | None = None) -> list[PlanSummary]:
    """The plans of every group the school belongs to: what its staff read."""
    return _summaries(ActionPlan.group_id.in_(
        select(SchoolGroupMember.group_id).where(SchoolGroupMember.school_id == school_id)), today)


def _summaries(where, today: date | None) -> list[PlanSummary]:
    today = today or today_london()
    overdue = case((Milestone.done.is_(False) & (Milestone.date < today), 1), else_=0)
    rows = db.session.execute(
        select(ActionPlan, func.count(func.distinct(PlanItem.id)), func.count(Milestone.id),
               func.coalesce(func.sum(case((Milestone.done.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(overdue), 0))
        .outerjoin(PlanItem, PlanItem.plan_id == ActionPlan.id)
        .outerjoin(Milestone, Milestone.item_id == PlanItem.id)
        .where(where)
        .group_by(ActionPlan.id)
        .order_by(ActionPlan.title, ActionPlan.id)).all()
    return [PlanSummary(*row) for row in rows]


def get_plan(school_id: int, plan_id: int, *, full: bool = False) -> ActionPlan | None:
    """One of the school's own plans (never a group's)."""
    query = select(ActionPlan).where(ActionPlan.id == plan_id, ActionPlan.school_id == school_id,
                                     ActionPlan.group_id.is_(None))
    if full:
        query = query.options(selectinload(ActionPlan.items).selectinload(PlanItem.milestones))
    return db.session.scalar(query)


def readable_plans(user: User):
    """SQL: the plans `user` may read. Staff read their school's own plans and the plans of
    its groups; a group's leads read (and keep) the group's plans. No extra statement: the
    groups are subqueries."""
    led = ActionPlan.group_id.in_(select(GroupLead.group_id).where(GroupLead.user_id == user.id))
    if not user.is_staff:
        return led if user.is_group_lead else false()
    return or_(and_(ActionPlan.school_id == user.school_id, ActionPlan.group_id.is_(None)),
               ActionPlan.group_id.in_(select(SchoolGroupMember.group_id)
                                       .where(SchoolGroupMember.school_id == user.school_id)),
               led)


def visible_plan(user: User, plan_id: int, *, full: bool = False) -> ActionPlan | None:
    query = select(ActionPlan).where(ActionPlan.id == plan_id, readable_plans(user))
    if full:
        query = query.options(selectinload(ActionPlan.items).selectinload(PlanItem.milestones))
    return db.session.scalar(query)


def visible_item(user: User, item_id: int) -> PlanItem | None:
    return db.session.scalar(select(PlanItem).join(ActionPlan, ActionPlan.id == PlanItem.plan_id)
                             .where(PlanItem.id == item_id, readable_plans(user)))


def visible_milestone(user: User, milestone_id: int) -> Milestone | None:
    return db.session.scalar(
        select(Milestone).join(PlanItem, PlanItem.id == Milestone.item_id)
        .join(ActionPlan, ActionPlan.id == PlanItem.plan_id)
        .where(Milestone.id == milestone_id, readable_plans(user)))


def get_item(school_id: int, item_id: int) -> PlanItem | None:
    return db.session.scalar(select(PlanItem).where(PlanItem.id == item_id,
                                                    PlanItem.school_id == school_id))


def get_milestone(school_id: int, milestone_id: int) -> Milestone | None:
    return db.session.scalar(select(Milestone).where(Milestone.id == milestone_id,
                                                     Milestone.school_id == school_id))


def group_leads(group_id: int) -> list[User]:
    """The group's leads: who may own its plans."""
    return list(db.session.scalars(
        select(User).join(GroupLead, GroupLead.user_id == User.id)
        .where(GroupLead.group_id == group_id, User.active.is_(True))
        .order_by(User.display_name, User.id)))


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


def _group_lead(group_id: int, user_id: int | None) -> User | None:
    return next((u for u in group_leads(group_id) if u.id == user_id), None) if user_id else None


def create_group_plan(lead: User, group_id: int, details: PlanDetails) -> ActionPlan:
    """A plan of the group, hosted at the lead's home school (see models.plans.ActionPlan)."""
    with write_transaction():
        owner = _group_lead(group_id, details.owner_id)
        plan = ActionPlan(school_id=lead.school_id, group_id=group_id,
                          title=_one_line(details.title), period=_one_line(details.period),
                          owner_id=owner.id if owner else None)
        db.session.add(plan)
    return plan


def update_plan(plan: ActionPlan, details: PlanDetails) -> None:
    with write_transaction():
        owner = (_group_lead(plan.group_id, details.owner_id) if plan.group_id is not None
                 else staff_user(plan.school_id, details.owner_id))
        title, period = _one_line(details.title), _one_line(details.period)
        if (title, period) != (plan.title, plan.period):
            _bump_milestones(plan.items)  # the plan's title is in every event's description
        plan.title, plan.period = title, period
        plan.owner_id = owner.id if owner else None


def delete_plan(plan: ActionPlan) -> None:
    with write_transaction():
        db.session.delete(plan)


def _apply_item(item: PlanItem, details: ItemDetails, group_plan: bool = False) -> None:
    # A group's plan names its leads in words: its schools' staff are not one list.
    lead = None if group_plan else staff_user(item.school_id, details.lead_user_id)
    if details.lead_user_id and lead is None:
        raise InputError("lead_user_id", "Choose a member of staff from the list.")
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
        _apply_item(item, details, plan.group_id is not None)
        db.session.add(item)
    return item


def update_item(item: PlanItem, details: ItemDetails) -> None:
    with write_transaction():
        before = (item.heading, item.lead_user_id, item.lead_name)
        _apply_item(item, details, item.plan.group_id is not None)
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
        raise InputError(field, "Give both a start and an end time, or neither for an "
                                    "all-day milestone.")
    if details.start_time and details.end_time and details.end_time <= details.start_time:
        raise InputError("end_time", "The end time must be after the start time.")


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

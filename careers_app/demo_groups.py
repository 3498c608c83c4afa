"""The demo trust (issue 15): `seed-demo --schools N` (N >= 2) puts the demo schools in the
Dartford Co-operative Learning Trust, adds its lead's account `trust`, and makes the seed
trust action plan (000) the trust's own plan, hosted at the first demo school.

Idempotent: a second run adds only what is missing (new schools join the trust).
"""
from __future__ import annotations

from sqlalchemy import select

from .database import write_transaction
from .extensions import db
from .groups import services as groups
from .models import Role, School, User
from .models.group import GroupKind, SchoolGroupMember
from .models.plans import ActionPlan
from .security import hash_password

TRUST_NAME = "Dartford Co-operative Learning Trust"
TRUST_ACCOUNT = "trust"
# The title the seed document 000 gives its plan ("... Trust Action Plan 2025-2027").
TRUST_PLAN_TITLE = "%Learning Trust Action Plan%"


def seed_demo_groups(slugs: list[str], password: str, reset: bool) -> list[str]:
    """Put the demo schools (by slug, the first is the lead's home school) in the trust;
    notes for the user."""
    if len(slugs) < 2:
        return []
    group, added = groups.add_group(TRUST_NAME, GroupKind.TRUST.value, slugs)
    with write_transaction():
        home_id = db.session.scalar(select(School.id).where(School.slug == slugs[0]))
        lead = db.session.scalar(select(User).where(User.username == TRUST_ACCOUNT))
        if lead is None:
            lead = User(school_id=home_id, username=TRUST_ACCOUNT,
                        display_name="Mrs A. Mensah (trust careers lead)", role=Role.GROUP_LEAD,
                        password_hash=hash_password(password), active=True, session_version=1,
                        must_change_password=False)
            db.session.add(lead)
            db.session.flush()
        elif reset:
            lead.password_hash = hash_password(password)
        groups.add_lead(group.id, lead.id)
        _trust_plan(group.id, home_id, lead.id)
    return [f"{TRUST_NAME}: {len(added)} school(s) joined."] if added else []


def _trust_plan(group_id: int, home_id: int, lead_id: int) -> None:
    """The home school's copy of the seed trust plan becomes the trust's; the other member
    schools' copies go (a trust has one trust plan, which every member school reads)."""
    copies = list(db.session.scalars(
        select(ActionPlan).join(School, School.id == ActionPlan.school_id)
        .where(ActionPlan.title.like(TRUST_PLAN_TITLE), ActionPlan.group_id.is_(None),
               ActionPlan.school_id.in_(select(SchoolGroupMember.school_id).where(
                   SchoolGroupMember.group_id == group_id)))
        .order_by(ActionPlan.id)))
    has_plan = db.session.scalar(select(ActionPlan.id).where(ActionPlan.group_id == group_id)
                                 .limit(1)) is not None
    for plan in copies:
        if not has_plan and plan.school_id == home_id:
            plan.group_id, plan.owner_id, has_plan = group_id, lead_id, True
        else:
            db.session.delete(plan)

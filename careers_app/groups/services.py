"""Who leads which group, which schools a lead may see figures for, and the audit of every
cross-school view. Writes (groups, members, leads) are for the command line and the demo."""
from __future__ import annotations

from collections.abc import Sequence

from flask import has_request_context, request
from sqlalchemy import insert, literal, select

from ..database import write_transaction
from ..extensions import db
from ..logfilter import redact
from ..models import AuditLog, School, User
from ..models.base import utcnow
from ..models.group import GroupKind, GroupLead, SchoolGroup, SchoolGroupMember

GROUP_VIEW = "group_view"  # the audit action of a cross-school view


# Reading -------------------------------------------------------------------------------------

def led_groups(user: User) -> list[SchoolGroup]:
    """The groups `user` leads, by name (a group-lead login or a careers leader who leads)."""
    return list(db.session.scalars(
        select(SchoolGroup).join(GroupLead, GroupLead.group_id == SchoolGroup.id)
        .where(GroupLead.user_id == user.id).order_by(SchoolGroup.name, SchoolGroup.id)))


def member_schools(group_id: int) -> list[tuple[int, str]]:
    """(id, name) of the group's schools, by name."""
    return [tuple(row) for row in db.session.execute(
        select(School.id, School.name)
        .join(SchoolGroupMember, SchoolGroupMember.school_id == School.id)
        .where(SchoolGroupMember.group_id == group_id).order_by(School.name, School.id))]


def visible_school(user: User, school_id: int) -> tuple[School, SchoolGroup] | None:
    """A school in one of the groups `user` leads, with that group; else None."""
    row = db.session.execute(
        select(School, SchoolGroup)
        .join(SchoolGroupMember, SchoolGroupMember.school_id == School.id)
        .join(SchoolGroup, SchoolGroup.id == SchoolGroupMember.group_id)
        .join(GroupLead, GroupLead.group_id == SchoolGroup.id)
        .where(School.id == school_id, GroupLead.user_id == user.id)
        .order_by(SchoolGroup.name).limit(1)).first()
    return (row[0], row[1]) if row else None


def group_by_name(name: str) -> SchoolGroup | None:
    return db.session.scalar(select(SchoolGroup).where(SchoolGroup.name == " ".join(name.split())))


# The audit of cross-school views ---------------------------------------------------------------

def record_group_view(user_id: int, school_ids: Sequence[int], what: str,
                      group_id: int | None = None) -> None:
    """One audit entry in each viewed school's own log (so its careers leader sees who looked),
    written by one INSERT ... SELECT whatever the number of schools, in its own transaction
    (a GET writes nothing else)."""
    if not school_ids:
        return
    ip = (request.remote_addr or "")[:64] if has_request_context() else ""
    path = redact(request.full_path.rstrip("?"))[:300] if has_request_context() else ""
    columns = ["school_id", "user_id", "actor_label", "action", "entity", "entity_id", "detail",
               "ip", "path", "at"]
    table = AuditLog.__table__
    values = [user_id, "", GROUP_VIEW, "school_group" if group_id else "school",
              str(group_id or ""), redact(what)[:300], ip, path, utcnow()]
    rows = select(School.id, *(literal(v, table.c[c].type) for c, v in zip(columns[1:], values))
                  ).where(School.id.in_(list(school_ids)))
    with write_transaction():
        db.session.execute(insert(AuditLog).from_select(columns, rows))


# Writing (command line, demo) ----------------------------------------------------------------

class GroupError(ValueError):
    """A group command that cannot be carried out, in words for the person who typed it."""


def add_group(name: str, kind: str, slugs: Sequence[str]) -> tuple[SchoolGroup, list[str]]:
    """Create the group (or find it by name) and add the schools; the slugs added now.

    Unknown slugs refuse the whole command: nothing is written."""
    name = " ".join((name or "").split())
    if not name:
        raise GroupError("Give the group a name.")
    try:
        kind = GroupKind(kind)
    except ValueError:
        raise GroupError("The kind is trust or partnership.") from None
    wanted = list(dict.fromkeys(s.strip().lower() for s in slugs if s.strip()))
    with write_transaction():
        schools = {s.slug: s for s in db.session.scalars(select(School).where(
            School.slug.in_(wanted)))}
        unknown = [s for s in wanted if s not in schools]
        if unknown:
            raise GroupError("No school with the slug " + ", ".join(repr(s) for s in unknown)
                             + ". Nothing was changed.")
        group = group_by_name(name)
        if group is None:
            group = SchoolGroup(name=name, kind=kind)
            db.session.add(group)
            db.session.flush()
        elif group.kind != kind:
            raise GroupError(f"{name!r} is a {group.kind.value}, not a {kind.value}. "
                             "Nothing was changed.")
        present = set(db.session.scalars(select(SchoolGroupMember.school_id)
                                         .where(SchoolGroupMember.group_id == group.id)))
        added = [slug for slug in wanted if schools[slug].id not in present]
        db.session.add_all(SchoolGroupMember(group_id=group.id, school_id=schools[slug].id)
                           for slug in added)
    return group, added


def add_lead(group_id: int, user_id: int) -> None:
    """Make the user a lead of the group (the caller owns the transaction)."""
    if db.session.get(GroupLead, (group_id, user_id)) is None:
        db.session.add(GroupLead(group_id=group_id, user_id=user_id))

"""Careers-leader administration: the audit log."""
from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import AuditLog, User
from ..security import admin_required
from ..templating import render

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 100


@bp.get("/audit")
@admin_required
def audit_log():
    """The school's audit trail, newest first, filterable by user and action."""
    query = select(AuditLog).where(AuditLog.school_id == current_user.school_id)
    username = request.args.get("username", "").strip()[:80]
    action = request.args.get("action", "").strip()[:40]
    if username:
        # Entries name accounts by id; a username is kept only for logins to no account.
        ids = select(User.id).where(func.lower(User.username) == username.lower())
        query = query.where((AuditLog.user_id.in_(ids))
                            | (func.lower(AuditLog.actor_label) == username.lower()))
    if action:
        query = query.where(AuditLog.action == action)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    entries = db.session.scalars(query.order_by(AuditLog.id.desc())
                                 .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return render("admin/audit_log.html", fragment="results", entries=entries, total=total,
                  page=page, page_size=PAGE_SIZE, username=username, action=action,
                  actions=actions)

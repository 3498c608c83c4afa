"""Careers action plans, milestones and planned events (issue 5)."""
from flask import Blueprint

from ..security import require_staff

bp = Blueprint("plans", __name__, url_prefix="/plans")
bp.before_request(require_staff)

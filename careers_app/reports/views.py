"""Benchmark progress reports, gap lists and exports (issue 4)."""
from flask import Blueprint

from ..security import require_staff

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(require_staff)

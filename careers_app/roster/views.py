"""Roster: MIS import, leavers and destinations, pupil logins, personal guidance (issue 3)."""
from flask import Blueprint

from ..security import require_staff

# cli_group=None: this blueprint's commands are top level (`flask --app wsgi import-pupils`).
bp = Blueprint("roster", __name__, cli_group=None)
bp.before_request(require_staff)

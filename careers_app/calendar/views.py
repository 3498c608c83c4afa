"""iCalendar subscriptions: /calendar (my feeds) and the token feeds (issue 5)."""
from flask import Blueprint

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

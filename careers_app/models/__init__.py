"""SQLAlchemy 2 typed models, one module per aggregate. Importing this registers them all."""
from .calendar import CalendarToken, FeedScope, PlanFeedVersion
from .encounter import Encounter, EncounterBenchmark, EncounterOffer, Organisation, Participation
from .pupil import Pupil, PupilYear
from .school import School
from .security import AuditLog, LoginAttempt
from .user import Role, User

# Feature models register themselves with the metadata on import.
from . import benchmark_audit, plans, roster  # noqa: E402,F401  isort:skip
from . import placement  # noqa: E402,F401  isort:skip  (work experience, issue 16)
from . import group  # noqa: E402,F401  isort:skip  (trusts and partnerships, issue 15)
from . import figures  # noqa: E402,F401  isort:skip  (figure versions, issue 14)
from . import shared  # noqa: E402,F401  isort:skip  (shared events and organisations, issue 15)

__all__ = [
    "AuditLog",
    "CalendarToken",
    "FeedScope",
    "PlanFeedVersion",
    "LoginAttempt",
    "Encounter",
    "EncounterBenchmark",
    "Organisation",
    "Participation",
    "Pupil",
    "PupilYear",
    "Role",
    "School",
    "User",
]

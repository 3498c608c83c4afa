"""SQLAlchemy 2 typed models, one module per aggregate. Importing this registers them all."""
from .encounter import Encounter, EncounterBenchmark, Organisation, Participation
from .pupil import Pupil
from .school import School
from .security import AuditLog, LoginAttempt
from .user import Role, User

# Feature models register themselves with the metadata on import.
from . import benchmark_audit, plans, reports, roster  # noqa: E402,F401  isort:skip
from . import placement  # noqa: E402,F401  isort:skip  (work experience, issue 16)

__all__ = [
    "AuditLog",
    "LoginAttempt",
    "Encounter",
    "EncounterBenchmark",
    "Organisation",
    "Participation",
    "Pupil",
    "Role",
    "School",
    "User",
]

"""SQLAlchemy 2 typed models, one module per aggregate. Importing this registers them all."""
from .encounter import Encounter, EncounterBenchmark, Organisation, Participation
from .pupil import Pupil
from .school import School
from .user import Role, User

__all__ = [
    "Encounter",
    "EncounterBenchmark",
    "Organisation",
    "Participation",
    "Pupil",
    "Role",
    "School",
    "User",
]

"""The school's quick-log settings: which kinds of encounter start as "meaningful"."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..database import write_transaction
from ..domain.meaningful import defaults_from, defaults_to
from ..extensions import db
from ..models import School


def meaningful_defaults(school_id: int) -> dict[str, bool]:
    """Kind -> whether the quick log starts with "meaningful" ticked (one query)."""
    return defaults_from(db.session.scalar(select(School.settings).where(School.id == school_id)))


def save_meaningful_defaults(school_id: int, ticked_kinds: Iterable[str]) -> None:
    """Keep the choice beside the school's other settings, in one transaction."""
    with write_transaction():
        school = db.session.get(School, school_id)
        school.settings = defaults_to(ticked_kinds, school.settings)

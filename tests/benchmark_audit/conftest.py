"""Fixtures for the benchmark audit tests: an audit started the way the careers leader does."""
from __future__ import annotations

import pytest

from careers_app.benchmark_audit import services
from careers_app.domain.academic import academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import User


@pytest.fixture
def make_audit(app, school):
    """Start an audit for the school as `user` (the lead), outside any request."""
    def make(user, title: str = "Autumn term 2025", copy_previous: bool = False):
        with app.app_context():
            starter = db.session.get(User, user.id)
            audit = services.start_audit(school.id, starter, title,
                                         academic_year_of(today_london()), copy_previous)
            audit_id = audit.id
            db.session.remove()
        return audit_id
    return make

"""The demo's roster history: dates on roll, a joiner, a 31 August leaver, per-year records
that differ from today's, and an import history whose last import can be undone."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from careers_app.demo import seed_demo
from careers_app.domain.academic import academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Pupil, PupilYear, School
from careers_app.pupils.services import on_roll
from careers_app.roster import undo


def test_the_demo_has_a_roster_history(app, app_ctx):
    today = today_london()
    this_year = academic_year_of(today)
    seed_demo(pupils=70, years=1)
    school_id = db.session.scalar(select(School.id).where(School.slug == "demo"))
    batches = undo.history(school_id)
    assert len(batches) == 2 and undo.undo_problem(batches[0]) is None
    assert undo.undo_problem(batches[1]) is not None  # older, and not the last
    pupils = {p.surname: p for p in db.session.scalars(select(Pupil).where(
        Pupil.school_id == school_id))}
    assert pupils["Nowicki"].joined_on >= date(this_year, 9, 1)  # joined this year
    assert pupils["Marsh"].left_on == date(this_year, 8, 31)
    roll = set(db.session.scalars(select(Pupil.surname).where(
        Pupil.school_id == school_id, on_roll(date(this_year, 9, 1)))))
    assert "Marsh" not in roll
    assert all(p.joined_on is not None for p in pupils.values())
    last_year = dict(db.session.execute(select(PupilYear.pupil_id, PupilYear.tutor_group).where(
        PupilYear.school_id == school_id, PupilYear.academic_year == this_year - 1)).all())
    now = dict(db.session.execute(select(PupilYear.pupil_id, PupilYear.send_status).where(
        PupilYear.school_id == school_id, PupilYear.academic_year == this_year)).all())
    before = dict(db.session.execute(select(PupilYear.pupil_id, PupilYear.send_status).where(
        PupilYear.school_id == school_id, PupilYear.academic_year == this_year - 1)).all())
    assert "9C" in last_year.values()
    assert any(now[pid] != before[pid] for pid in before if pid in now)

    result = undo.undo_batch(batches[0].id, school_id)  # the demo's undo really works
    assert (result.removed, result.restored) == (1, 1)
    assert db.session.scalar(select(Pupil).where(Pupil.surname == "Nowicki")) is None

"""The figure cache decides from the database's data version alone (issue 14)."""
from __future__ import annotations

import pytest
from sqlalchemy import text, update

from careers_app.database import write_transaction
from careers_app.extensions import db
from careers_app.models import Pupil, School
from careers_app.reports.figure_cache import FigureCache


class Recorder:
    """Stands in for the report: counts how it was asked."""

    def __init__(self):
        self.calls = []

    def full(self):
        self.calls.append("full")
        return ("full", len(self.calls))

    def partial(self, ids, value):
        self.calls.append(("partial", tuple(ids)))
        return ("partial", tuple(ids))


@pytest.fixture
def pupils(app, school, make_pupil):
    return [make_pupil(year=9, surname=f"P{n}").id for n in range(8)]


def _edit(pupil_id, **values):
    with write_transaction():
        db.session.execute(update(Pupil).where(Pupil.id == pupil_id).values(**values))


def test_unchanged_data_is_served_from_the_cache(app, app_ctx, school, pupils):
    cache, report = FigureCache(), Recorder()
    first = cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    again = cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    assert first is again and report.calls == ["full"]


def test_a_write_recomputes_only_the_pupils_it_touched(app, app_ctx, school, pupils):
    cache, report = FigureCache(), Recorder()
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    _edit(pupils[3], send_status="K")
    value = cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    assert value == ("partial", (pupils[3],))
    assert cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8) is value


def test_a_change_for_everyone_or_for_many_recomputes_everything(app, app_ctx, school, pupils):
    cache, report = FigureCache(), Recorder()
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    with write_transaction():
        db.session.execute(update(School).where(School.id == school.id)
                           .values(settings={"thresholds": {"bm6_pre16": 3}}))
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    for pupil_id in pupils[:3]:  # 3 of 8 is over a quarter of the roll
        _edit(pupil_id, disadvantaged=True)
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    assert report.calls == ["full", "full", "full"]


def test_a_version_that_went_back_or_a_new_epoch_is_never_trusted(app, app_ctx, school, pupils):
    cache, report = FigureCache(), Recorder()
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    _edit(pupils[0], send_status="E")
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    with write_transaction():  # a restored backup: the version is lower than the cache's
        db.session.execute(text("UPDATE figure_version SET version = 1 WHERE school_id = :s"),
                           {"s": school.id})
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    with write_transaction():  # the same id, another school's life
        db.session.execute(text("UPDATE figure_version SET epoch = epoch + 1 "
                                "WHERE school_id = :s"), {"s": school.id})
    cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    assert report.calls == ["full", ("partial", (pupils[0],)), "full", "full"]


def test_two_caches_never_disagree(app, app_ctx, school, pupils):
    """Two workers: each checks the database, neither needs to be told of the other's write."""
    first, second, report = FigureCache(), FigureCache(), Recorder()
    for cache in (first, second):
        cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
    _edit(pupils[5], looked_after=True)
    answers = [cache.get(school.id, "k", report.full, report.partial, roll_size=lambda _v: 8)
               for cache in (first, second)]
    assert answers == [("partial", (pupils[5],))] * 2


def test_keys_and_schools_are_kept_apart_and_the_oldest_goes(app, app_ctx, school, make_school,
                                                            pupils):
    other = make_school()
    cache, report = FigureCache(capacity=2), Recorder()
    a = cache.get(school.id, "2025", report.full, report.partial)
    b = cache.get(other.id, "2025", report.full, report.partial)
    assert a != b
    cache.get(school.id, "2026", report.full, report.partial)  # pushes out the first
    cache.get(school.id, "2025", report.full, report.partial)
    assert report.calls == ["full"] * 4

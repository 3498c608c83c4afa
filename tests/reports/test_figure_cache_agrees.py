"""The cached figures stay exactly right: after every kind of write that can change a figure,
the cache (brought up to date pupil by pupil, or read again) equals a fresh full computation
(issue 14). The fixture school's hand-computed cells run through the cache too, since every
report reads it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert, select, update

from careers_app.database import write_transaction
from careers_app.domain.academic import academic_year_of
from careers_app.domain.benchmarks import EncounterKind, OrganisationKind
from careers_app.extensions import db
from careers_app.models import (Encounter, EncounterBenchmark, EncounterOffer, Organisation,
                                Participation, Pupil, PupilYear, School)
from careers_app.reports import services
from careers_app.reports.figure_cache import FigureCache

from .conftest import TODAY

YEARS = (academic_year_of(TODAY), academic_year_of(TODAY) - 1)


def _figures(pupils) -> list[tuple]:
    return [(p.id, p.school_id, p.year_group, p.tutor_group, p.send_status, p.disadvantaged,
             p.has_left, tuple(sorted(p.counts.items()))) for p in pupils]


def _fresh(school_id: int, year: int) -> list[tuple]:
    """The full computation, with no cache at all."""
    pupils = services.progress_for_schools([school_id], year, TODAY)
    return _figures(sorted(pupils, key=services._sort_key))


@pytest.fixture
def cache(monkeypatch):
    """A cache of this test's own, watched."""
    fresh = FigureCache()
    monkeypatch.setattr(services, "figure_cache", fresh)
    return fresh


def _pupil(fixture_school, name):
    return fixture_school[name].id


def _an_encounter(school_id, kind=EncounterKind.COLLEGE, on=date(2026, 2, 2)):
    return db.session.scalar(select(Encounter.id).where(
        Encounter.school_id == school_id, Encounter.kind == kind, Encounter.date <= on)
        .order_by(Encounter.date.desc()))


# (what, the write as a function of (school id, pupils by name)); each runs in its own
# transaction, as a page or a command would.
WRITES = [
    ("log a pupil", lambda s, p: insert(Participation).values(
        school_id=s, encounter_id=_an_encounter(s), pupil_id=p["9a"].id)),
    ("untick a pupil", lambda s, p: delete(Participation).where(
        Participation.pupil_id == p["11a"].id)),
    ("redate an encounter", lambda s, p: update(Encounter).where(
        Encounter.id == _an_encounter(s)).values(date=date(2026, 3, 2))),
    ("delete an encounter", lambda s, p: update(Encounter).where(
        Encounter.id == _an_encounter(s)).values(deleted_at=db.func.now())),
    ("not meaningful", lambda s, p: update(Encounter).where(Encounter.school_id == s)
     .values(meaningful=False)),
    ("drop its benchmarks", lambda s, p: delete(EncounterBenchmark).where(
        EncounterBenchmark.encounter_id == _an_encounter(s, EncounterKind.GUIDANCE_INTERVIEW))),
    ("a level 6 adviser", lambda s, p: update(Encounter).where(Encounter.school_id == s)
     .values(adviser_level6=True, adviser_name="A. Adviser")),
    ("a pupil leaves", lambda s, p: update(Pupil).where(Pupil.id == p["12a"].id)
     .values(left_on=date(2025, 10, 1))),
    ("a pupil joins late", lambda s, p: update(Pupil).where(Pupil.id == p["9b"].id)
     .values(joined_on=date(2026, 2, 1))),
    ("a flag changes", lambda s, p: update(Pupil).where(Pupil.id == p["11b"].id)
     .values(send_status="E", disadvantaged=True)),
    ("last year's record", lambda s, p: update(PupilYear).where(PupilYear.pupil_id == p["11c"].id)
     .values(send_status="N", tutor_group="10Z")),
    ("an offer to Year 12", lambda s, p: insert(EncounterOffer).values(
        school_id=s, encounter_id=_an_encounter(s), cohort=p["12b"].cohort)),
    ("offers withdrawn", lambda s, p: delete(EncounterOffer).where(EncounterOffer.school_id == s)),
    ("a provider's kind", lambda s, p: update(Organisation).where(
        Organisation.school_id == s, Organisation.kind == OrganisationKind.FE_COLLEGE)
     .values(kind=OrganisationKind.EMPLOYER)),
    ("a rule setting", lambda s, p: update(School).where(School.id == s).values(
        settings={"guidance_needs_level6": False, "thresholds": {"bm6_pre16": 1}})),
    ("a new pupil", lambda s, p: insert(Pupil).values(
        school_id=s, upn="A123456789012", legal_forename="Nia", surname="Aardvark",
        cohort=p["9a"].cohort, tutor_group="9A", send_status="N", disadvantaged=False,
        looked_after=False, considering_he=False)),
    ("a pupil erased", lambda s, p: delete(Pupil).where(Pupil.id == p["7b"].id)),
]


@pytest.mark.parametrize("what, write", WRITES, ids=[w[0] for w in WRITES])
def test_the_cache_equals_a_full_computation_after_each_write(app, app_ctx, school,
                                                              fixture_school, cache, what,
                                                              write):
    for year in YEARS:  # warm: this year and last
        services.school_progress(school.id, year, TODAY)
    with write_transaction():
        db.session.execute(write(school.id, fixture_school))
    for year in YEARS:
        cached = _figures(services.school_progress(school.id, year, TODAY))
        assert cached == _fresh(school.id, year), (what, year)
    assert cache.stats["partial"] + cache.stats["full"] >= 4  # it did refresh, it was asked


def test_a_small_write_refreshes_pupil_by_pupil_and_a_repeat_is_a_hit(app, app_ctx, school,
                                                                     fixture_school, cache):
    services.school_progress(school.id, YEARS[0], TODAY)
    with write_transaction():
        db.session.execute(WRITES[0][1](school.id, fixture_school))
    services.school_progress(school.id, YEARS[0], TODAY)
    services.school_progress(school.id, YEARS[0], TODAY)
    assert cache.stats == {"full": 1, "partial": 1, "hit": 1}


def test_writes_through_the_app_keep_the_cache_right(app, client, lead, school,
                                                     fixture_school, cache):
    """The quick log, an edit, a delete and its undo, through the routes."""
    client.login("lead")
    with app.app_context():
        warm = services.school_progress(school.id, YEARS[0], TODAY)
        assert warm
        encounter_id = _an_encounter(school.id)
    steps = [
        ("post", f"/encounters/{encounter_id}/delete", {}),
        ("post", f"/encounters/{encounter_id}/undo", {}),
    ]
    for method, url, data in steps:
        getattr(client, method)(url, data=data)
        with app.app_context():
            assert _figures(services.school_progress(school.id, YEARS[0], TODAY)) == \
                _fresh(school.id, YEARS[0]), url

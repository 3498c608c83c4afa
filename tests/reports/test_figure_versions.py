"""The data version behind cached figures: raised by the database itself on every write that
can change a figure, with the pupils it touched (migration 0022, issue 14)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert, select, text, update

from careers_app.database import write_transaction
from careers_app.domain.benchmarks import EncounterKind, OrganisationKind
from careers_app.extensions import db
from careers_app.models import (Encounter, EncounterBenchmark, EncounterOffer, Organisation,
                                Participation, Pupil, PupilYear, School)
from careers_app.models.figures import FigureChange, FigureVersion


def _version(school_id: int) -> int:
    return db.session.scalar(select(FigureVersion.version)
                             .where(FigureVersion.school_id == school_id))


def _changes_after(school_id: int, version: int) -> set[int | None]:
    return set(db.session.scalars(select(FigureChange.pupil_id).where(
        FigureChange.school_id == school_id, FigureChange.version > version)))


@pytest.fixture
def scene(app, school, make_pupil, make_encounter):
    ann, ben, cat = (make_pupil(year=10, surname=n) for n in ("Ann", "Ben", "Cat"))
    encounter = make_encounter([ann, ben])
    return dict(school=school.id, ann=ann.id, ben=ben.id, cat=cat.id, encounter=encounter.id,
                cohort=ann.cohort)


def _write(statement) -> None:
    with write_transaction():
        db.session.execute(statement)


# Each write, and the pupils whose figures it can change (None: all of them).
WRITES = [
    ("log a pupil", lambda s: insert(Participation).values(
        school_id=s["school"], encounter_id=s["encounter"], pupil_id=s["cat"]), {"cat"}),
    ("untick a pupil", lambda s: delete(Participation).where(
        Participation.pupil_id == s["ann"]), {"ann"}),
    ("move a participation", lambda s: update(Participation).where(
        Participation.pupil_id == s["ann"]).values(pupil_id=s["cat"]), {"ann", "cat"}),
    ("redate the encounter", lambda s: update(Encounter).where(
        Encounter.id == s["encounter"]).values(date=date(2026, 10, 1)), {"ann", "ben"}),
    ("delete the encounter (soft)", lambda s: update(Encounter).where(
        Encounter.id == s["encounter"]).values(deleted_at=db.func.now()), {"ann", "ben"}),
    ("delete the encounter", lambda s: delete(Encounter).where(
        Encounter.id == s["encounter"]), {"ann", "ben"}),
    ("take the register", lambda s: update(Encounter).where(
        Encounter.id == s["encounter"]).values(planned=False), {"ann", "ben"}),
    ("add a benchmark", lambda s: insert(EncounterBenchmark).values(
        encounter_id=s["encounter"], benchmark=2), {"ann", "ben"}),
    ("drop a benchmark", lambda s: delete(EncounterBenchmark).where(
        EncounterBenchmark.encounter_id == s["encounter"]), {"ann", "ben"}),
    ("edit a pupil's flags", lambda s: update(Pupil).where(Pupil.id == s["ben"]).values(
        send_status="E"), {"ben"}),
    ("a pupil leaves", lambda s: update(Pupil).where(Pupil.id == s["cat"]).values(
        left_on=date(2026, 11, 30)), {"cat"}),
    ("a year's record", lambda s: insert(PupilYear).values(
        school_id=s["school"], pupil_id=s["ann"], academic_year=2025, tutor_group="9A",
        send_status="N", disadvantaged=True, looked_after=False, considering_he=False), {"ann"}),
    ("record the adviser", lambda s: update(Encounter).where(
        Encounter.id == s["encounter"]).values(adviser_name="J. Adviser"), {"ann", "ben"}),
    ("offer it to the year group", lambda s: insert(EncounterOffer).values(
        school_id=s["school"], encounter_id=s["encounter"], cohort=s["cohort"]),
     {"ann", "ben", "cat"}),
    ("a rule setting", lambda s: update(School).where(School.id == s["school"]).values(
        settings={"guidance_needs_level6": False}), {None}),
]


@pytest.mark.parametrize("what, statement, touched", WRITES, ids=[w[0] for w in WRITES])
def test_every_write_that_changes_a_figure_raises_the_version(app, app_ctx, scene, what,
                                                              statement, touched):
    before = _version(scene["school"])
    _write(statement(scene))
    assert _version(scene["school"]) > before, what
    assert _changes_after(scene["school"], before) == {scene.get(t) for t in touched}


def test_writes_that_change_no_figure_leave_the_version(app, app_ctx, scene):
    before = _version(scene["school"])
    _write(update(Participation).values(reflection="I liked it"))
    _write(update(Encounter).values(title="A better title", notes="Notes"))
    assert _version(scene["school"]) == before


def test_a_bulk_insert_names_every_pupil_and_no_other_school(app, app_ctx, scene, make_school,
                                                            make_pupil):
    other = make_school()
    outsider = make_pupil(year=10, school_id=other.id)
    before, other_before = _version(scene["school"]), _version(other.id)
    with write_transaction():
        db.session.execute(insert(Participation), [
            dict(school_id=scene["school"], encounter_id=scene["encounter"], pupil_id=scene["cat"])])
        encounter = Encounter(school_id=scene["school"], title="Fair", date=date(2026, 11, 2),
                              academic_year=2026, kind=EncounterKind.CAREERS_FAIR)
        db.session.add(encounter)
        db.session.flush()
        db.session.execute(insert(Participation), [
            dict(school_id=scene["school"], encounter_id=encounter.id, pupil_id=p)
            for p in (scene["ann"], scene["ben"], scene["cat"])])
    assert _changes_after(scene["school"], before) == {scene["ann"], scene["ben"], scene["cat"]}
    assert _version(other.id) == other_before
    assert outsider.id not in _changes_after(scene["school"], 0)


def test_an_organisation_changing_kind_touches_everyone(app, app_ctx, scene):
    with write_transaction():
        org = Organisation(school_id=scene["school"], name="Riverside", kind=OrganisationKind.EMPLOYER)
        db.session.add(org)
    before = _version(scene["school"])
    _write(update(Organisation).values(kind=OrganisationKind.FE_COLLEGE))
    assert _changes_after(scene["school"], before) == {None}


def test_a_new_school_starts_at_version_one(app, app_ctx, make_school):
    assert _version(make_school().id) == 1


def test_the_change_log_is_pruned_and_says_how_far(app, app_ctx, scene):
    # Jump the version to just before a prune point, then cross it.
    with write_transaction():
        db.session.execute(text("UPDATE figure_version SET version = 5499 WHERE school_id = :s"),
                           {"s": scene["school"]})
    _write(update(Pupil).where(Pupil.id == scene["ann"]).values(send_status="K"))
    row = db.session.execute(select(FigureVersion.version, FigureVersion.pruned_to)
                             .where(FigureVersion.school_id == scene["school"])).one()
    assert row == (5500, 500)
    assert db.session.scalar(select(db.func.min(FigureChange.version)).where(
        FigureChange.school_id == scene["school"])) > 500

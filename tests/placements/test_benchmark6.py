"""A completed placement counts on the dashboard's Benchmark 6 rules: once, meaningful only
when its three criteria hold, kept in step as feedback and the evaluation arrive, and never
counting a day that a one-off workplace encounter already counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from careers_app.domain.academic import academic_year_of
from careers_app.domain.benchmarks import EncounterKind
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, User
from careers_app.models.placement import Placement
from careers_app.placements import feedback, records, services
from careers_app.reports.own import own_progress
from careers_app.reports.services import progress


@pytest.fixture
def done_placement(app, lead, make_pupil, make_organisation, make_placement, past_week_dates):
    """Pia's past placement with Acme, under way with its checks done, and a task set."""
    start, end = past_week_dates
    pia = make_pupil(year=10, tutor_group="10A", legal_forename="Pia", surname="Pupil")
    placement = make_placement(pia, make_organisation("Acme Ltd"), start=start, end=end,
                               status="under_way", insurance_seen_on=start,
                               risk_assessment_on=start, employer_task="Plan a display")
    return pia, placement


def bm6(app, pupil) -> int:
    """The dashboard's figure for the pupil: meaningful workplace experiences by end of Y11."""
    today = today_london()
    with app.app_context():
        rows = progress(pupil.school_id, academic_year_of(today), today, year_groups=[10])
        return next(p for p in rows if p.id == pupil.id).counts["bm6_pre16"]


def own_bm6(app, pupil) -> int:
    with app.app_context():
        from careers_app.models import Pupil
        result = own_progress(db.session.get(Pupil, pupil.id), today_london())
        return next(r for r in result.results if r.rule.key == "bm6_pre16").count


def complete(app, placement_id: int) -> None:
    with app.app_context():
        placement = db.session.get(Placement, placement_id)
        user = db.session.scalar(select(User).where(User.username == "lead"))
        services.change_status(placement, "completed", "", user, today_london())


def evaluate(app, placement_id: int) -> None:
    with app.app_context():
        placement = db.session.get(Placement, placement_id)
        services.save_evaluation(placement, "Made a display", "Retail is busy", "Go",
                                 today_london())


def employer_feedback(app, placement_id: int) -> None:
    with app.app_context():
        placement = db.session.get(Placement, placement_id)
        _link, token = feedback.create_link(placement, None, today_london())
        assert feedback.submit(token, feedback.Answers("every_day", "always", "Display",
                                                       "well", ["teamwork"], ""), today_london())


def record(app, placement_id: int) -> Encounter | None:
    with app.app_context():
        placement = db.session.get(Placement, placement_id)
        encounter = db.session.get(Encounter, placement.encounter_id) if placement.encounter_id \
            else None
        if encounter is not None:
            db.session.expunge(encounter)
        return encounter


def test_a_placement_counts_once_all_three_criteria_hold(app, done_placement):
    pia, placement = done_placement
    assert bm6(app, pia) == 0
    complete(app, placement.id)
    assert record(app, placement.id).kind == EncounterKind.WORK_EXPERIENCE
    assert bm6(app, pia) == 0  # on the record, but not meaningful yet
    employer_feedback(app, placement.id)
    assert bm6(app, pia) == 0  # still no evaluation
    evaluate(app, placement.id)
    assert bm6(app, pia) == 1 and own_bm6(app, pia) == 1
    encounter = record(app, placement.id)
    assert encounter.meaningful is True and encounter.deleted_at is None
    with app.app_context():
        assert db.session.get(Placement, placement.id).status == "evaluated"


def test_no_task_no_meaningful_experience(app, done_placement):
    pia, placement = done_placement
    with app.app_context():
        db.session.get(Placement, placement.id).employer_task = ""
        db.session.commit()
    complete(app, placement.id)
    employer_feedback(app, placement.id)
    evaluate(app, placement.id)
    assert bm6(app, pia) == 0
    assert record(app, placement.id).meaningful is False


def test_setting_it_back_takes_it_off_the_record_and_back_again(app, done_placement):
    pia, placement = done_placement
    complete(app, placement.id)
    employer_feedback(app, placement.id)
    evaluate(app, placement.id)
    assert bm6(app, pia) == 1
    with app.app_context():
        row = db.session.get(Placement, placement.id)
        user = db.session.scalar(select(User).where(User.username == "lead"))
        services.change_status(row, "under_way", "", user, today_london())
    assert bm6(app, pia) == 0
    assert record(app, placement.id).deleted_at is not None
    complete(app, placement.id)  # evaluated again at once: the evaluation is still there
    assert bm6(app, pia) == 1
    with app.app_context():
        assert db.session.get(Placement, placement.id).status == "evaluated"
        # One record throughout, never a second one.
        assert len(db.session.scalars(select(Encounter).where(
            Encounter.kind == EncounterKind.WORK_EXPERIENCE)).all()) == 1


def test_a_one_off_workplace_encounter_on_a_placement_day_is_not_counted_twice(
        app, done_placement, make_encounter, make_pupil):
    pia, placement = done_placement
    classmate = make_pupil(year=10, tutor_group="10A")
    # The school had logged the week as a one-off "work experience" for the tutor group.
    make_encounter([pia, classmate], kind=EncounterKind.WORK_EXPERIENCE,
                   on=placement.start_on + timedelta(days=1), title="10A work experience week")
    assert bm6(app, pia) == 1
    complete(app, placement.id)
    employer_feedback(app, placement.id)
    evaluate(app, placement.id)
    assert bm6(app, pia) == 1 and own_bm6(app, pia) == 1  # one experience, counted once
    assert bm6(app, classmate) == 1  # the classmate's record is untouched
    encounter = record(app, placement.id)
    assert encounter.benchmarks == () and "Counted once" in encounter.notes
    with app.app_context():
        assert len(records.experiences_of(pia.id, pia.school_id, today_london())) == 1


def test_a_one_off_encounter_on_another_day_counts_as_another_experience(
        app, done_placement, make_encounter):
    pia, placement = done_placement
    make_encounter([pia], kind=EncounterKind.WORKPLACE_VISIT,
                   on=placement.start_on - timedelta(days=14), title="Visit to the port")
    complete(app, placement.id)
    employer_feedback(app, placement.id)
    evaluate(app, placement.id)
    assert bm6(app, pia) == 2
    assert record(app, placement.id).benchmarks == (6,)


def test_a_cancelled_or_unfinished_placement_never_counts(app, lead, make_pupil,
                                                          make_organisation, make_placement,
                                                          coming_week_dates):
    start, end = coming_week_dates
    pupil = make_pupil(year=10)
    future = make_placement(pupil, make_organisation("Future Ltd"), start=start, end=end,
                            status="arranged", employer_task="Task")
    with app.app_context():
        row = db.session.get(Placement, future.id)
        user = db.session.scalar(select(User).where(User.username == "lead"))
        with pytest.raises(services.PlacementInputError):
            services.change_status(row, "completed", "", user, today_london())
        services.change_status(row, "cancelled", "Changed plans", user, today_london())
    assert record(app, future.id) is None and bm6(app, pupil) == 0


def test_the_dashboard_page_moves(app, client, done_placement):
    pia, placement = done_placement
    with app.app_context():  # a school that asks for one experience by 16
        from careers_app.models import School
        school = db.session.get(School, pia.school_id)
        school.settings = {"thresholds": {"bm6_pre16": 1}}
        db.session.commit()
    client.login("lead")

    def year10_cell() -> str:
        html = client.get("/reports/benchmarks").get_data(as_text=True)
        link = html.index('href="/reports/benchmarks/bm6_pre16/10')
        return html[link:link + 400]

    assert "0 / 1" in year10_cell()
    complete(app, placement.id)
    employer_feedback(app, placement.id)
    assert "0 / 1" in year10_cell()  # not meaningful until the pupil has evaluated it
    evaluate(app, placement.id)
    assert "1 / 1" in year10_cell() and "100%" in year10_cell()

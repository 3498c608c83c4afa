"""A placement on the pupil's record: the Benchmark 6 encounter of a completed placement, and
the pupil's placement data for subject access, erasure and retention.

A placement that counts as done is recorded as a workplace-experience encounter, so the
dashboard's Benchmark 6 rules count it; callers bring the record into step in the same
transaction as the change, so the dashboard never sees half of a change.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import selectinload

from ..domain import placements as rules
from ..domain.benchmarks import EncounterKind
from ..domain.dates import format_date
from ..encounters.building import describe_encounter, new_encounter, set_benchmarks
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, Participation, Pupil
from ..models.base import utcnow
from ..models.placement import Placement, PlacementFeedback

BM6 = 6


def criteria_of(placement: Placement) -> rules.Criteria:
    return rules.criteria(placement.employer_task, placement.feedback is not None,
                          placement.evaluated)


# Benchmark 6 ----------------------------------------------------------------------------------

def _workplace_visits(pupil_id: int, school_id: int) -> list[rules.WorkplaceVisit]:
    """The pupil's one-off Benchmark 6 encounters (not the placements' own records)."""
    # Driven from the pupil's participations (an index lookup), never from the school's
    # encounters: the planner may not have statistics yet (the demo seed, a new school).
    own = select(Participation.encounter_id).where(Participation.pupil_id == pupil_id)
    rows = db.session.execute(
        select(Encounter.id, Encounter.date, Encounter.meaningful)
        .where(Encounter.id.in_(own), Encounter.school_id == school_id,
               Encounter.deleted_at.is_(None), Encounter.planned.is_(False),
               exists(select(EncounterBenchmark.encounter_id).where(
                   EncounterBenchmark.encounter_id == Encounter.id,
                   EncounterBenchmark.benchmark == BM6)),
               ~exists(select(Placement.id).where(Placement.encounter_id == Encounter.id))))
    return [rules.WorkplaceVisit(row.id, row.date, row.meaningful) for row in rows]


def sync_benchmark_record(pupil_id: int, school_id: int, as_of: date,
                          user_id: int | None) -> None:
    """Bring the pupil's placements' Benchmark 6 records into step (caller's transaction).

    A placement that counts as done is recorded as a workplace-experience encounter with the
    pupil as its one participant, so the dashboard's existing BM6 rules count it; it is
    meaningful only when its three criteria hold. So that no day is counted twice, a placement
    whose days already hold a one-off workplace encounter (or an overlapping placement) keeps
    its record but counts towards no benchmark. A placement that no longer counts has its
    record removed from every report (soft-deleted, like any deleted encounter).
    """
    placements = db.session.scalars(
        select(Placement).where(Placement.pupil_id == pupil_id, Placement.school_id == school_id)
        .options(selectinload(Placement.feedback))).all()
    done = [p for p in placements if rules.counts_as_done(p.status, p.end_on, as_of)
            and p.organisation_id is not None]
    spans = [rules.PlacementSpan(p.id, p.start_on, p.end_on, criteria_of(p).met) for p in done]
    experiences = rules.workplace_experiences(spans, _workplace_visits(pupil_id, school_id))
    counted = rules.placements_to_count(experiences)
    done_ids = {p.id for p in done}
    for placement in placements:
        if placement.id in done_ids:
            meaningful = criteria_of(placement).met
            # A meaningful placement left uncounted shares its days with an experience
            # that is counted already.
            _record_placement(placement, meaningful,
                              duplicate=meaningful and placement.id not in counted,
                              user_id=user_id)
        elif placement.encounter_id is not None:
            encounter = db.session.get(Encounter, placement.encounter_id)
            if encounter is not None and encounter.deleted_at is None:
                encounter.deleted_at = utcnow()


def _record_placement(placement: Placement, meaningful: bool, *, duplicate: bool,
                      user_id: int | None) -> None:
    encounter = (db.session.get(Encounter, placement.encounter_id)
                 if placement.encounter_id else None)
    if encounter is None:
        encounter = new_encounter(placement.school_id, user_id)
        encounter.participations = [Participation(school_id=placement.school_id,
                                                  pupil_id=placement.pupil_id)]
        db.session.add(encounter)
    elif placement.pupil_id not in {part.pupil_id for part in encounter.participations}:
        encounter.participations.append(Participation(school_id=placement.school_id,
                                                      pupil_id=placement.pupil_id))
    organisation = placement.organisation
    describe_encounter(encounter, f"Work experience: {organisation.name}"[:200],
                       EncounterKind.WORK_EXPERIENCE, placement.start_on)
    encounter.organisation_id = organisation.id
    encounter.meaningful = meaningful
    encounter.deleted_at = None
    lines = [f"Work experience placement, {format_date(placement.start_on)} to "
             f"{format_date(placement.end_on)} ({placement.school_days} school days), "
             f"{placement.mode_label.lower()}.",
             "Kept in step with the placement: change it on the placement's page."]
    if duplicate:
        lines.append("Counted once, with another workplace experience on the same days.")
    encounter.notes = "\n".join(lines)
    set_benchmarks(encounter, () if duplicate else (BM6,))
    encounter.updated_at = utcnow()
    db.session.flush()
    placement.encounter_id = encounter.id


def experiences_of(pupil_id: int, school_id: int, as_of: date) -> list[rules.Experience]:
    """The pupil's experiences of workplaces as the domain counts them: the reference the
    dashboard's count of Benchmark 6 records is checked against."""
    placements = db.session.scalars(select(Placement).where(
        Placement.pupil_id == pupil_id, Placement.school_id == school_id)).all()
    spans = [rules.PlacementSpan(p.id, p.start_on, p.end_on, criteria_of(p).met)
             for p in placements if rules.counts_as_done(p.status, p.end_on, as_of)
             and p.organisation_id is not None]
    visits = [v for v in _workplace_visits(pupil_id, school_id) if v.day <= as_of]
    return rules.workplace_experiences(spans, visits)


# The pupil's data (subject access, erasure, retention) --------------------------------------

def export_for(pupil: Pupil) -> list[dict]:
    """Everything held about the pupil's placements, for a subject-access export."""
    rows = []
    for p in db.session.scalars(select(Placement).where(
            Placement.pupil_id == pupil.id, Placement.school_id == pupil.school_id)
            .order_by(Placement.start_on, Placement.id)):
        feedback = p.feedback
        rows.append({
            "employer": p.organisation.name if p.organisation else None,
            "first_day": p.start_on.isoformat(), "last_day": p.end_on.isoformat(),
            "school_days": p.school_days, "held": p.mode_label, "status": p.status_label,
            "cancel_reason": p.cancel_reason, "employer_task": p.employer_task,
            "notes": p.notes,
            "evaluation": {"did": p.evaluation_did, "learnt": p.evaluation_learnt,
                           "advice": p.evaluation_advice} if p.evaluated else None,
            "employer_feedback": {
                "attendance": feedback.attendance, "punctuality": feedback.punctuality,
                "task": feedback.task, "task_outcome": feedback.task_outcome,
                "skills": list(feedback.skills or []), "comment": feedback.comment,
            } if feedback else None})
    return rows


def erase_records(pupil_ids: list[int]) -> None:
    """Before pupils are erased: remove their placements' own Benchmark 6 records (each is
    about one pupil alone). The placements, links and feedback go with the pupil (cascade).
    Caller's transaction."""
    encounter_ids = [i for i in db.session.scalars(select(Placement.encounter_id).where(
        Placement.pupil_id.in_(pupil_ids))) if i is not None]
    if encounter_ids:
        db.session.execute(delete(Encounter).where(Encounter.id.in_(encounter_ids)))


def forget_texts(pupil_ids: list[int]) -> None:
    """For anonymised leavers: drop the words written about them or by them, keep the counts.
    Caller's transaction."""
    if not pupil_ids:
        return
    placement_ids = select(Placement.id).where(Placement.pupil_id.in_(pupil_ids))
    db.session.execute(update(Placement).where(Placement.pupil_id.in_(pupil_ids)).values(
        notes="", employer_task="", cancel_reason="", evaluation_did="", evaluation_learnt="",
        evaluation_advice="", contact_name="", contact_email="", contact_phone=""))
    db.session.execute(update(PlacementFeedback).where(
        PlacementFeedback.placement_id.in_(placement_ids)).values(task="", comment=""))

"""Work experience in the demo school: a Year 10 placement week that has happened, most of it
completed with some employer feedback and pupils' evaluations in, and a Year 12 week coming up
with employers still being found.

Called once, when the demo school is created (so seed-demo stays idempotent). Writes in the
caller's transaction.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from .domain import placements as rules
from .domain.academic import academic_year_of, cohort_for
from .domain.placements import Mode, Status
from .extensions import db
from .models import Organisation, Pupil
from .models.placement import Placement, PlacementFeedback, PlacementWeek
from .placements.records import sync_benchmark_record

TASKS = (
    "Shadow a ward team for a morning, then plan and run a patient activity session.",
    "Survey a building site with the site manager and present a safety checklist.",
    "Help wire a test board and write up the steps for a new apprentice.",
    "Research what residents think of the library and present three ideas to a manager.",
    "Build a simple spreadsheet of weekly orders and explain the busiest day.",
    "Plan a small stock display and ask customers what they thought of it.",
)
EVALUATIONS = (
    ("I worked with the team every day and ran my own session on Thursday.",
     "That I like working with people, and that planning ahead makes a day go smoothly.",
     "Ask lots of questions: everyone was happy to explain what they do."),
    ("I followed the site manager and checked the safety of each area.",
     "How many different jobs there are on one site, not just building.",
     "Wear proper boots and be on time: they start early."),
    ("I helped on real jobs and wrote instructions for the next apprentice.",
     "Electrical work needs maths and care; I want to look at apprenticeships.",
     "It is hard work but you learn a lot in a week."),
)
EMPLOYERS = ("Northfield NHS Foundation Trust", "Medway Construction Group",
             "BrightSpark Electrical (sole trader)", "Kent County Council",
             "Riverside Engineering Ltd", "Harbour Bank plc", "Greenway Supermarkets",
             "Thames Police")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _span(start: date, end: date) -> str:
    """"6-10 July 2026", or "29 June - 3 July 2026" across two months."""
    if start.month == end.month:
        return f"{start.day}-{end.day} {end:%B %Y}"
    return f"{start.day} {start:%B} - {end.day} {end:%B %Y}"


def _moment(day: date, hour: int = 15) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


def seed_placements(rng: random.Random, school_id: int, lead_id: int, today: date) -> None:
    """The two demo weeks, their placements, feedback and evaluations."""
    organisations = {o.name: o for o in db.session.scalars(
        select(Organisation).where(Organisation.school_id == school_id))}
    employers = [organisations[name] for name in EMPLOYERS if name in organisations]
    if not employers:
        return
    past_start = _monday(today - timedelta(days=21))
    _past_week(rng, school_id, lead_id, employers, past_start, today)
    _coming_week(rng, school_id, lead_id, employers, _monday(today + timedelta(days=14)), today)
    db.session.flush()
    pupil_ids = db.session.scalars(select(Placement.pupil_id).where(
        Placement.school_id == school_id, Placement.status.in_([s.value for s in rules.DONE]))
        .distinct()).all()
    for pupil_id in pupil_ids:
        sync_benchmark_record(pupil_id, school_id, today, lead_id)


def _pupils(school_id: int, cohort: int, today: date) -> list[Pupil]:
    return list(db.session.scalars(select(Pupil).where(
        Pupil.school_id == school_id, Pupil.cohort == cohort, Pupil.left_on.is_(None))
        .order_by(Pupil.tutor_group, Pupil.surname, Pupil.id)))


def _week(school_id: int, lead_id: int, year: int, start: date) -> tuple[PlacementWeek, int]:
    """A Monday-to-Friday placement week for a year group, and the group's cohort."""
    end = start + timedelta(days=4)
    cohort = cohort_for(year, academic_year_of(start))
    week = PlacementWeek(school_id=school_id,
                         title=f"Year {year} work experience, {_span(start, end)}", start_on=start,
                         end_on=end, cohort=cohort, created_by_id=lead_id)
    db.session.add(week)
    db.session.flush()
    return week, cohort


def _past_week(rng, school_id, lead_id, employers, start: date, today: date) -> None:
    week, cohort = _week(school_id, lead_id, 10, start)
    end = week.end_on
    checked_on = start - timedelta(days=10)
    for index, pupil in enumerate(_pupils(school_id, cohort, today)):
        employer = employers[index % len(employers)]
        chance = rng.random()
        status = (Status.CANCELLED if chance < 0.04 else Status.UNDER_WAY if chance < 0.12
                  else Status.COMPLETED)
        placement = Placement(
            school_id=school_id, pupil_id=pupil.id, week_id=week.id, organisation_id=employer.id,
            start_on=start, end_on=end, school_days=rules.school_day_count(start, end),
            mode=Mode.VIRTUAL.value if index % 13 == 5 else Mode.IN_PERSON.value,
            status=status.value, status_since=end + timedelta(days=3),
            cancel_reason="The employer had to close for the week." if status is Status.CANCELLED
            else "", contact_name="Placement supervisor",
            contact_email=f"placements@{employer.name.split()[0].lower()}.example",
            employer_task=rng.choice(TASKS) if rng.random() < 0.85 else "",
            insurance_seen_on=checked_on, risk_assessment_on=checked_on, created_by_id=lead_id)
        if status is Status.COMPLETED and rng.random() < 0.55:
            did, learnt, advice = rng.choice(EVALUATIONS)
            placement.evaluation_did, placement.evaluation_learnt = did, learnt
            placement.evaluation_advice = advice
            placement.evaluated_at = _moment(end + timedelta(days=4))
            placement.status = Status.EVALUATED.value
            placement.status_since = end + timedelta(days=4)
        if status is Status.COMPLETED and rng.random() < 0.45:
            placement.feedback = PlacementFeedback(
                school_id=school_id,
                attendance="every_day" if rng.random() < 0.85 else "most_days",
                punctuality=rng.choice(("always", "always", "mostly")),
                task=placement.employer_task or "Helped the team with everyday work.",
                task_outcome=rng.choice(("very_well", "well", "well", "partly")),
                skills=rng.sample(["communication", "teamwork", "reliability", "initiative",
                                   "problem_solving"], 2),
                comment="A real asset to the team this week.",
                submitted_at=_moment(end + timedelta(days=6)))
        db.session.add(placement)


def _coming_week(rng, school_id, lead_id, employers, start: date, today: date) -> None:
    week, cohort = _week(school_id, lead_id, 12, start)
    end = week.end_on
    for index, pupil in enumerate(_pupils(school_id, cohort, today)):
        placed = rng.random() < 0.6
        employer = employers[(index * 3) % len(employers)] if placed else None
        checks = placed and rng.random() < 0.5
        db.session.add(Placement(
            school_id=school_id, pupil_id=pupil.id, week_id=week.id,
            organisation_id=employer.id if employer else None, start_on=start, end_on=end,
            school_days=rules.school_day_count(start, end),
            status=(Status.CHECKS_DONE if checks else Status.ARRANGED if placed
                    else Status.SEEKING).value,
            status_since=today - timedelta(days=rng.choice((2, 5, 12))),
            employer_task=rng.choice(TASKS) if placed and rng.random() < 0.5 else "",
            insurance_seen_on=today - timedelta(days=3) if checks else None,
            risk_assessment_on=today - timedelta(days=3) if checks else None,
            created_by_id=lead_id))

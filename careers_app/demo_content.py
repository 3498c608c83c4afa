"""The demo school's plans, events, audit, leavers and guidance, so every page has content.

Called by demo.seed_demo inside the transaction that creates a demo school. The action
plans are the seed documents in careers_app/data/seed_plans, read through the plan import
(the same code a careers leader's own document goes through), with each document's years
moved on so that its plan year is the current academic year. The rest is bulk-inserted,
like the pupils and encounters, so the demo stays fast.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from .domain.academic import (academic_year_bounds, academic_year_label, academic_year_of,
                              cohort_for, year_group)
from .domain.audit_criteria import criteria_set
from .domain.benchmarks import EncounterKind, default_benchmarks
from .domain.plan_dates import shift_years
from .domain.plan_import import parse_plan_text, period_in
from .domain.upn import make_upn
from .encounters.building import describe_encounter, new_encounter, set_benchmarks
from .extensions import db
from .models import Encounter, EncounterBenchmark, Organisation, Participation, Pupil
from .models.base import utcnow
from .models.benchmark_audit import BenchmarkAudit, BenchmarkAuditAnswer
from .models.roster import Destination
from .plans.import_services import add_imported_plan

SEED_PLANS = Path(__file__).parent / "data" / "seed_plans"


@dataclass(frozen=True)
class SeedPlan:
    """One seed document: its file, the academic year its plan is for, and what the import
    cannot read from the document itself (a title, the columns of a table whose headings
    are questions)."""

    filename: str
    plan_year: int
    title: str = ""
    mapping: dict | None = None


PLANS = (
    SeedPlan("000_trust_action_plan.txt", 2022),  # "Action Plan 2022-2024", milestones 2022/23
    SeedPlan("003_benchmark_action_plan.txt", 2019,  # deadlines Sept 2019 - Sept 2020
             title="Careers plan, benchmark by benchmark"),
    SeedPlan("004_strategic_plan.txt", 2017,  # workers funded "until 31st July 2018"
             mapping={"current_provision": 0, "aim": 1, "actions": 2}),
)
RAG_NOTES = {"green": "On track.", "amber": "Started, but behind the milestone dates.",
             "red": "Not started yet: waiting for the budget."}


@dataclass
class DemoContext:
    school_id: int
    lead_id: int
    today: date
    rng: random.Random
    names: tuple[tuple[str, ...], tuple[str, ...]]
    notes: list[str]

    @property
    def this_year(self) -> int:
        return academic_year_of(self.today)


def seed_demo_content(school_id: int, lead_id: int, today: date, rng: random.Random,
                      names: tuple[tuple[str, ...], tuple[str, ...]]) -> list[str]:
    """Add the content to the session (the caller commits); returns notes for the user."""
    context = DemoContext(school_id, lead_id, today, rng, names, [])
    _seed_plans(context)
    _seed_events(context)
    _seed_audit(context)
    _seed_leavers(context)
    _seed_guidance(context)
    return context.notes


# Action plans ------------------------------------------------------------------------------

def _seed_plans(context: DemoContext) -> None:
    for spec in PLANS:
        path = SEED_PLANS / spec.filename
        if not path.is_file():
            context.notes.append(f"Skipped the demo plan {spec.filename}: the file is missing "
                                 f"from {SEED_PLANS}.")
            continue
        text = shift_years(path.read_text(encoding="utf-8"), context.this_year - spec.plan_year)
        result = parse_plan_text(text, mapping=spec.mapping)
        if result.errors:
            row, message = result.errors[0]
            context.notes.append(f"Skipped the demo plan {spec.filename}: row {row}: {message}")
            continue
        title = spec.title or result.title or spec.filename
        period = period_in(title) or academic_year_label(context.this_year)
        plan = add_imported_plan(context.school_id, context.lead_id, title, period, result)
        _progress(context, plan)


def _progress(context: DemoContext, plan) -> None:
    """Most milestones already past are done, and the items have a RAG status."""
    now = utcnow()
    for item in plan.items:
        for milestone in item.milestones:
            if milestone.date < context.today and context.rng.random() < 0.8:
                milestone.done, milestone.done_at = True, now
        rag = context.rng.choices(["green", "amber", "red", ""], weights=(45, 35, 10, 10))[0]
        if rag:
            item.rag, item.status_note = rag, RAG_NOTES[rag]
            item.status_date = context.today - timedelta(days=context.rng.randint(3, 40))


# Planned events ----------------------------------------------------------------------------

def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _school_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _organisation_id(school_id: int, name: str) -> int | None:
    return db.session.scalar(select(Organisation.id).where(
        Organisation.school_id == school_id, Organisation.name == name))


def _event(context: DemoContext, title: str, kind: EncounterKind, day: date, hours, place: str,
           years, organisation: str = "") -> int:
    encounter = new_encounter(
        context.school_id, context.lead_id, planned=True,
        start_time=time(*hours[0]), end_time=time(*hours[1]), location=place,
        invited_groups="\n".join(f"yg:{y}" for y in years), notes="", meaningful=True,
        organisation_id=_organisation_id(context.school_id, organisation) if organisation
        else None)
    describe_encounter(encounter, title, kind, day)
    set_benchmarks(encounter)
    db.session.add(encounter)
    db.session.flush()
    return encounter.id


def _seed_events(context: DemoContext) -> None:
    """A careers fair next month, National Careers Week in February, and a college taster
    day a few weeks ago whose register has been taken."""
    today = context.today
    month_after = date(today.year + today.month // 12, today.month % 12 + 1, 14)
    _event(context, "Careers fair", EncounterKind.CAREERS_FAIR,
           _weekday_on_or_after(month_after), ((9, 0), (15, 0)), "Sports hall", range(9, 14))
    february = date(today.year + (1 if today >= date(today.year, 2, 1) else 0), 2, 1)
    while february.weekday() != 0:
        february += timedelta(days=1)
    _event(context, "National Careers Week: careers assemblies", EncounterKind.LABOUR_MARKET_INFO,
           february, ((8, 50), (9, 20)), "Main hall", range(7, 12))
    start, _end = academic_year_bounds(context.this_year)
    days = (_school_days(max(start + timedelta(days=7), today - timedelta(days=28)),
                         today - timedelta(days=7))
            or _school_days(start + timedelta(days=1), today - timedelta(days=1)))
    if not days:
        context.notes.append("No past event with a register: the school year has only just "
                             "started.")
        return
    event_id = _event(context, "College taster day", EncounterKind.COLLEGE, days[-1],
                      ((10, 0), (12, 30)), "Riverside Further Education College", [10],
                      organisation="Riverside Further Education College")
    pupils = _on_roll_in(context, 10, days[-1])
    came = [pid for pid in pupils if context.rng.random() < 0.92]
    if came:
        db.session.execute(insert(Participation), [
            dict(school_id=context.school_id, encounter_id=event_id, pupil_id=pid,
                 reflection="") for pid in came])
    db.session.get(Encounter, event_id).planned = False


def _on_roll_in(context: DemoContext, year: int, on: date) -> list[int]:
    cohort = cohort_for(year, academic_year_of(on))
    return list(db.session.scalars(select(Pupil.id).where(
        Pupil.school_id == context.school_id, Pupil.cohort == cohort,
        (Pupil.left_on.is_(None)) | (Pupil.left_on >= on)).order_by(Pupil.id)))


# The benchmark audit -----------------------------------------------------------------------

AUDIT_ANSWERS = {
    "bm1_written": ("achieved", "The careers programme is written down in the careers plan, "
                    "reviewed each September and approved by governors. It sets out what each "
                    "year group receives, term by term."),
    "bm1_senior_leader": ("achieved", "An assistant headteacher has strategic responsibility "
                          "for careers and line-manages the Careers Leader."),
    "bm1_feedback_pupils": ("partial", "Pupils complete a short survey after each careers focus "
                            "day; there is no whole-school survey yet."),
    "bm1_feedback_parents": ("not", ""),
    "bm1_feedback_employers": ("partial", "Employers at the careers fair are asked for feedback; "
                               "assembly speakers are not yet."),
    "bm2_impartial_access": ("achieved", "The careers adviser is in school one day a week; the "
                             "careers library and displays have a prominent place in the "
                             "library."),
    "bm2_parents": ("partial", "Labour market information goes to parents in the termly "
                    "newsletter; twilight “How to become a ...” sessions start in January."),
    "bm3_aspirations": ("partial", "University visits are aimed at disadvantaged pupils; the "
                        "Year 8 tutor-time programme challenges stereotypes about jobs."),
    "bm3_tailored": ("achieved", "Pupils with SEND and their parents receive extra guidance "
                     "from the SENDCO at annual and transition reviews; looked-after pupils are "
                     "seen first by the careers adviser."),
    "bm3_records": ("achieved", "Guidance interviews and the actions agreed are recorded here; "
                    "pupils see their agreed actions on their own record."),
    "bm3_destinations": ("achieved", "Destinations are collected for three years after leaving "
                         "and reported to governors each year."),
    "bm4_subjects": ("partial", "STEM departments signpost skills in their schemes of work; the "
                     "other subjects are mapping their careers links this year."),
    "bm5_range": ("partial", "This year's employers include the NHS trust, a construction "
                  "group, the county council and a self-employed electrician."),
    "bm6_prepared": ("not", "Preparation sessions for work experience are being written for "
                     "Year 10."),
    "bm8_qualified": ("achieved", "The careers adviser holds the Level 6 Diploma in Career "
                      "Guidance and Development."),
    "bm8_timed": ("partial", "Every Year 11 pupil is offered an interview in the autumn term; "
                  "interviews around Year 9 options are not yet offered to all."),
}


def _term(day: date) -> str:
    return "Autumn" if day.month >= 9 else ("Spring" if day.month <= 4 else "Summer")


def _seed_audit(context: DemoContext) -> None:
    """An audit in progress: some criteria answered, most with evidence."""
    now = utcnow()
    audit = BenchmarkAudit(
        school_id=context.school_id, academic_year=context.this_year,
        title=f"{_term(context.today)} term {academic_year_label(context.this_year)}",
        started_by_id=context.lead_id)
    for benchmark in criteria_set():
        for criterion in benchmark.criteria:
            answer = BenchmarkAuditAnswer(
                school_id=context.school_id, criterion_key=criterion.key,
                benchmark=benchmark.number, criterion_text=criterion.text)
            if criterion.key in AUDIT_ANSWERS:
                answer.rating, answer.evidence = AUDIT_ANSWERS[criterion.key]
                answer.answered_by_id, answer.answered_at = context.lead_id, now
            audit.answers.append(answer)
    db.session.add(audit)


# Leavers and their destinations -----------------------------------------------------------

# (status, weight, where) for leavers after Year 11 and after Year 13.
AFTER_11 = (("education", 70, ("Riverside Further Education College", "St Anne's Sixth Form")),
            ("apprenticeship", 13, ("Medway Construction Group", "Riverside Engineering Ltd")),
            ("training", 5, ("Skills First Apprenticeships",)), ("employment", 2, ("Greenway "
             "Supermarkets",)), ("neet", 4, ("",)), ("not_known", 6, ("",)))
AFTER_13 = (("education", 52, ("University of the South East", "Canterbury University")),
            ("apprenticeship", 14, ("Harbour Bank plc", "Northfield NHS Foundation Trust")),
            ("employment", 19, ("Kent County Council", "Greenway Supermarkets", "Thames Police")),
            ("training", 3, ("Skills First Apprenticeships",)), ("neet", 4, ("",)),
            ("not_known", 8, ("",)))


def _leavers_per_year(context: DemoContext) -> int:
    on_roll = db.session.scalar(select(func.count(Pupil.id)).where(
        Pupil.school_id == context.school_id, Pupil.left_on.is_(None)))
    return max(6, on_roll // 7)


def _seed_leavers(context: DemoContext) -> None:
    """Leavers of each of the last three years (after Year 11 or Year 13), unless the demo's
    history already has some, and where each of them is now."""
    first = context.this_year - 3
    existing = db.session.execute(select(Pupil.id, Pupil.cohort, Pupil.left_on).where(
        Pupil.school_id == context.school_id, Pupil.left_on.is_not(None))).all()
    years_with_leavers = {academic_year_of(left) for _id, _c, left in existing}
    forenames, surnames = context.names
    per_year, rows = _leavers_per_year(context), []
    for leaving_year in range(first, context.this_year):
        if leaving_year in years_with_leavers:
            continue
        for n in range(per_year):
            after = 11 if context.rng.random() < 0.35 else 13
            rows.append(dict(
                school_id=context.school_id, legal_forename=context.rng.choice(forenames),
                surname=context.rng.choice(surnames), preferred_forename=None,
                upn=make_upn(886, 7000 + context.school_id % 3000, 90 + len(rows) // 1000,
                             len(rows) % 1000),
                cohort=cohort_for(after, leaving_year), tutor_group=f"{after}{'ABC'[n % 3]}",
                send_status=context.rng.choices("NKE", weights=(84, 13, 3))[0],
                disadvantaged=context.rng.random() < 0.25, looked_after=False,
                considering_he=after == 13 and context.rng.random() < 0.6, joined_on=None,
                left_on=date(leaving_year + 1, 7, 22)))
    if rows:
        db.session.execute(insert(Pupil), rows)
    leavers = db.session.execute(select(Pupil.id, Pupil.cohort, Pupil.left_on).where(
        Pupil.school_id == context.school_id, Pupil.left_on.is_not(None))).all()
    _seed_destinations(context, [row for row in leavers
                                 if academic_year_of(row.left_on) >= first])


def _seed_destinations(context: DemoContext, leavers) -> None:
    rng, rows = context.rng, []
    for pupil_id, cohort, left_on in leavers:
        leaving_year = academic_year_of(left_on)
        table = AFTER_11 if year_group(cohort, leaving_year) <= 11 else AFTER_13
        status, _weight, places = rng.choices(table, weights=[t[1] for t in table])[0]
        for year_after in range(1, min(3, context.this_year - leaving_year) + 1):
            checked = date(leaving_year + year_after, 11, 15)
            if checked > context.today or rng.random() < 0.05 * year_after:
                continue  # not checked yet, or nobody has found out
            if year_after > 1 and rng.random() < 0.2:
                status, _weight, places = rng.choices(table, weights=[t[1] for t in table])[0]
            rows.append(dict(school_id=context.school_id, pupil_id=pupil_id,
                             year_after=year_after, status=status, provider=rng.choice(places),
                             checked_on=checked))
    if rows:
        db.session.execute(insert(Destination), rows)


# Guidance interviews for Year 11 -------------------------------------------------------------

ADVISER = "Mrs K. Adeyemi"
AGREED_ACTIONS = (
    "Apply to Riverside Further Education College for the Level 3 engineering course by 31 "
    "January.",
    "Check the A-level entry requirements at St Anne's Sixth Form and go to its open evening.",
    "Shortlist three construction apprenticeships on Find an apprenticeship.",
    "Ask your tutor about a work-experience week in the summer term.",
    "Talk to the SENDCO about support at college interviews.",
    "Draft a personal statement and bring it to the next meeting.",
    "Go to the University of the South East open day with a parent or carer.",
    "Practise interview questions with your tutor before the college interview.",
)


def _seed_guidance(context: DemoContext) -> None:
    """Most of Year 11 have had their guidance interview this autumn, with agreed actions."""
    start, _end = academic_year_bounds(context.this_year)
    days = _school_days(start + timedelta(days=14), context.today - timedelta(days=1))
    pupils = _on_roll_in(context, 11, context.today)
    seen = [pid for pid in pupils if context.rng.random() < 0.7]
    if not days or not seen:
        context.notes.append("No guidance interviews yet: the school year has only just "
                             "started.")
        return
    kind = EncounterKind.GUIDANCE_INTERVIEW
    rows = [dict(school_id=context.school_id, title=f"Guidance interview with {ADVISER}",
                 kind=kind, date=(day := context.rng.choice(days)),
                 academic_year=academic_year_of(day), meaningful=True, notes="",
                 created_by_id=context.lead_id, adviser_name=ADVISER, adviser_level6=True,
                 submission_key=None) for _pid in seen]
    ids = db.session.scalars(insert(Encounter).returning(Encounter.id,
                                                         sort_by_parameter_order=True),
                             rows).all()
    db.session.execute(insert(EncounterBenchmark), [
        dict(encounter_id=eid, benchmark=n) for eid in ids for n in default_benchmarks(kind)])
    db.session.execute(insert(Participation), [
        dict(school_id=context.school_id, encounter_id=eid, pupil_id=pid, reflection="",
             agreed_actions="\n".join(context.rng.sample(AGREED_ACTIONS, 2)))
        for eid, pid in zip(ids, seen)])

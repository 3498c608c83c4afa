"""The demo school: realistic pupils, tutor groups, organisations and a term of encounters.

Bulk inserts keep even the large variant (several schools, thousands of pupils, years of
history) fast. Seeding is idempotent: an existing demo school is left as it is.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from .database import write_transaction
from .demo_content import seed_demo_content
from .demo_history import seed_history
from .demo_groups import seed_demo_groups
from .demo_placements import seed_placements
from .demo_roster import seed_roster_history
from .demo_shared import seed_shared
from .domain.academic import academic_year_bounds, academic_year_of, cohort_for, year_group
from .domain.benchmarks import ENCOUNTER_KINDS, EncounterKind, OrganisationKind
from .domain.dates import today_london
from .domain.upn import make_upn
from .extensions import db
from .reports.figure_cache import untracked_bulk_load
from .models import (Encounter, EncounterBenchmark, Organisation, Participation, Pupil, Role,
                     School, User)
from .security import hash_password

DEFAULT_PASSWORD = "careers-demo-2026"
FORENAMES = ("Amelia Olivia Isla Ava Mia Ivy Lily Freya Florence Sophia Grace Ella Evie Poppy "
             "Zoë Aisha Maryam Priya Chloe Ruby Noah Oliver George Arthur Leo Harry Oscar Muhammad "
             "Jack Charlie Jacob Freddie Alfie Theo Henry Archie Joshua Kai Rohan Tomasz Kofi "
             "Siobhan Niamh Dylan Callum Ethan Mason Yusuf Ibrahim").split()
SURNAMES = ("Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright "
            "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Khan Ahmed Ali "
            "Hussain Begum Kowalski Nowak Okafor Mensah O’Brien Murphy Kelly Hughes Edwards "
            "Lewis Turner Hill Moore Cooper Ward Morris King Harris Baker Singh Shah Chen").split()
ORGANISATIONS = (
    ("Northfield NHS Foundation Trust", OrganisationKind.EMPLOYER),
    ("Medway Construction Group", OrganisationKind.EMPLOYER),
    ("BrightSpark Electrical (sole trader)", OrganisationKind.EMPLOYER),
    ("Kent County Council", OrganisationKind.EMPLOYER),
    ("Riverside Engineering Ltd", OrganisationKind.EMPLOYER),
    ("Harbour Bank plc", OrganisationKind.EMPLOYER),
    ("Greenway Supermarkets", OrganisationKind.EMPLOYER),
    ("Thames Police", OrganisationKind.EMPLOYER),
    ("Riverside Further Education College", OrganisationKind.FE_COLLEGE),
    ("St Anne's Sixth Form", OrganisationKind.SIXTH_FORM),
    ("University of the South East", OrganisationKind.UNIVERSITY),
    ("Canterbury University", OrganisationKind.UNIVERSITY),
    ("Skills First Apprenticeships", OrganisationKind.ITP),
    ("National Careers Service", OrganisationKind.OTHER),
)
# Encounter kinds in rough proportion to how often schools run them, with the organisation kind.
PROGRAMME = (
    (EncounterKind.EMPLOYER_TALK, "{org} careers talk", OrganisationKind.EMPLOYER, 5),
    (EncounterKind.WORKPLACE_VISIT, "Visit to {org}", OrganisationKind.EMPLOYER, 2),
    (EncounterKind.COLLEGE, "{org} taster session", OrganisationKind.FE_COLLEGE, 1),
    (EncounterKind.SIXTH_FORM, "{org} open evening talk", OrganisationKind.SIXTH_FORM, 1),
    (EncounterKind.UNIVERSITY, "{org} campus visit", OrganisationKind.UNIVERSITY, 1),
    (EncounterKind.APPRENTICESHIP_PROVIDER, "Apprenticeships assembly: {org}",
     OrganisationKind.ITP, 2),
    (EncounterKind.LABOUR_MARKET_INFO, "Local jobs market lesson", None, 2),
    (EncounterKind.CURRICULUM_LINKED, "Careers in science lesson", None, 2),
)


@dataclass
class SeedResult:
    created_schools: int
    pupils: int
    encounters: int
    participations: int
    password: str
    notes: list[str] = field(default_factory=list)  # what the demo content had to leave out
    passwords_reset: bool = False


# Tutor-group letters (no I or O, which read as 1 and 0). A year group of more than 23 forms
# (a very large school, or `seed-demo --pupils 10000`) numbers them: 7A, ..., 7Z, 7A2, ...
FORM_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def form_name(n: int) -> str:
    """The n-th form of a year group: "A", ..., "Z", "A2", ..."""
    letter, round_ = FORM_LETTERS[n % len(FORM_LETTERS)], n // len(FORM_LETTERS)
    return letter if round_ == 0 else f"{letter}{round_ + 1}"


def _form_of(tutor_group: str) -> str:
    """"10A" -> "A", "13B2" -> "B2": the form without its year group."""
    return tutor_group.lstrip("0123456789")


def _school_slug(index: int) -> str:
    return "demo" if index == 0 else f"demo-{index + 1}"


def _account(base: str, index: int) -> str:
    return base if index == 0 else f"{base}{index + 1}"


def seed_demo(*, pupils: int = 200, years: int = 1, schools: int = 1,
              password: str | None = None, today: date | None = None) -> SeedResult:
    """Create the demo school(s) unless they exist. New accounts get `password` (else the
    default); existing ones keep theirs unless a password is given. Every account's hash has
    a salt of its own."""
    today = today or today_london()
    reset = password is not None
    password = password if reset else DEFAULT_PASSWORD
    result = SeedResult(0, 0, 0, 0, password)
    for index in range(schools):
        with write_transaction():
            school = db.session.scalar(select(School).where(School.slug == _school_slug(index)))
            if school is None:
                _seed_school(index, pupils, years, today, password, result)
                result.created_schools += 1
            elif reset:
                for user in db.session.scalars(select(User).where(
                        User.school_id == school.id,
                        User.username.in_([_account(n, index) for n in ("lead", "tutor", "pupil")]))):
                    user.password_hash = hash_password(password)
                result.passwords_reset = True
    seed_shared(today)  # the demo partnership's shared events and organisations (issue 15)
    result.notes.extend(seed_demo_groups([_school_slug(i) for i in range(schools)], password,
                                         reset))  # the demo trust (issue 15)
    if result.created_schools:
        # Fresh statistics after bulk loading, so the planner picks the report plans at once
        # instead of waiting for autovacuum (PostgreSQL) or never having any (SQLite).
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return result


def _seed_organisations(school_id: int) -> list[Organisation]:
    organisations = []
    for org_name, kind in ORGANISATIONS:
        org = Organisation(school_id=school_id, name=org_name, kind=kind,
                           self_employed="sole trader" in org_name)
        db.session.add(org)
        organisations.append(org)
    db.session.flush()
    return organisations


def _seed_accounts(school_id: int, index: int, tutor_group: str, demo_pupil_id: int,
                   password: str) -> int:
    """The careers leader, the tutor of `tutor_group` and the demo pupil; the leader's id."""
    db.session.execute(insert(User), [
        dict(school_id=school_id, username=_account("lead", index), display_name="Ms R. Patel",
             role=Role.ADMIN, password_hash=hash_password(password), active=True,
             session_version=1,
             must_change_password=False),
        dict(school_id=school_id, username=_account("tutor", index), display_name="Mr D. Okafor",
             role=Role.STAFF, password_hash=hash_password(password), active=True,
             session_version=1,
             must_change_password=False, tutor_group=tutor_group),
        dict(school_id=school_id, username=_account("pupil", index),
             display_name=" ".join(db.session.execute(
                 select(Pupil.legal_forename, Pupil.surname).where(Pupil.id == demo_pupil_id)).one()),
             role=Role.PUPIL, password_hash=hash_password(password), active=True,
             session_version=1,
             must_change_password=False, pupil_id=demo_pupil_id),
    ])
    return db.session.scalar(select(User.id).where(User.username == _account("lead", index)))


def _seed_school(index: int, pupil_count: int, years: int, today: date, password: str,
                 result: SeedResult) -> None:
    rng = random.Random(2026 + index)
    name = "Demo Academy" if index == 0 else f"Demo School {index + 1}"
    school = School(name=name, slug=_school_slug(index))
    db.session.add(school)
    db.session.flush()
    # A school made in this transaction has no cached figures: skip the per-row change log.
    with untracked_bulk_load(school.id):
        _fill_school(rng, school, index, pupil_count, years, today, password, result)


def _fill_school(rng, school: School, index: int, pupil_count: int, years: int, today: date,
                 password: str, result: SeedResult) -> None:
    this_year = academic_year_of(today)

    # Pupils: the current Y7-13, plus the cohorts that have left during the years of history.
    per_year = max(1, pupil_count // 7)
    rows = []
    first_cohort = cohort_for(13, this_year - (years - 1))
    for cohort in range(first_cohort, cohort_for(7, this_year) + 1):
        yg_now = year_group(cohort, this_year)
        count = per_year + (1 if (cohort - first_cohort) < pupil_count % 7 and yg_now <= 13 else 0)
        groups = max(1, -(-count // 30))
        left_on = date(cohort + 7, 7, 22) if yg_now > 13 else None  # left after Year 13
        for n in range(count):
            tutor_letter = form_name(n % groups)
            rows.append(dict(
                school_id=school.id,
                upn=make_upn(886, 4000 + index, 10 + len(rows) // 1000, len(rows) % 1000),
                legal_forename=rng.choice(FORENAMES), preferred_forename=None,
                surname=rng.choice(SURNAMES), cohort=cohort,
                tutor_group=f"{min(yg_now, 13)}{tutor_letter}",
                send_status=rng.choices("NKE", weights=(84, 13, 3))[0],
                disadvantaged=rng.random() < 0.25, looked_after=rng.random() < 0.01,
                considering_he=yg_now >= 12 and rng.random() < 0.6,
                joined_on=None, left_on=left_on))
    db.session.execute(insert(Pupil), rows)
    pupils = db.session.execute(
        select(Pupil.id, Pupil.cohort, Pupil.tutor_group, Pupil.left_on)
        .where(Pupil.school_id == school.id).order_by(Pupil.id)).all()
    result.pupils += len(pupils)

    organisations = _seed_organisations(school.id)

    # Accounts: a careers leader, a tutor with a Year 10 group, and a pupil in that group.
    on_roll = [p for p in pupils if p.left_on is None]
    tutor_group = "10A"
    in_group = [p for p in on_roll if p.tutor_group == tutor_group
                and year_group(p.cohort, this_year) == 10]
    demo_pupil_id = in_group[0].id if in_group else on_roll[0].id
    lead_id = _seed_accounts(school.id, index, tutor_group, demo_pupil_id, password)

    _seed_encounters(rng, school.id, lead_id, pupils, organisations, years, today, result)
    result.notes.extend(seed_demo_content(school.id, lead_id, today, rng, (FORENAMES, SURNAMES)))
    seed_placements(rng, school.id, lead_id, today)  # work experience (issue 16)
    seed_history(rng, school.id, lead_id, today)  # figures over time (issue 12)
    # Last: the newest import's joiners have no records yet, so it can still be undone.
    seed_roster_history(rng, school.id, lead_id, today, years)  # roster over time (issue 12)


def _bulk_insert(table, rows: list[dict], defaults: dict) -> None:
    """A quarter of a million participations a school: PostgreSQL's COPY (in the session's
    own transaction), else one Core executemany; never the ORM's per-row bookkeeping."""
    if not rows:
        return
    rows = [{**defaults, **row} for row in rows]
    columns = list(rows[0])
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Bulk INSERT with ids chosen here, in the order of `rows`.

    RETURNING in parameter order makes SQLite send one row per statement (it promises no
    order), a minute for a large school. The seed holds the table's lock (PostgreSQL) or the
    database's (SQLite, BEGIN IMMEDIATE) for its transaction, so nobody takes these ids
    meanwhile; PostgreSQL's sequence is then moved past them."""
    table = model.__table__
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        db.session.execute(text(f'LOCK TABLE "{table.name}" IN EXCLUSIVE MODE'))
    first = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    if rows:
        db.session.execute(table.insert(), [dict(row, id=i) for row, i in zip(rows, ids)])
    if postgres and rows:
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :last)"),
            {"last": ids[-1]})
    return ids


def _school_days(start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _seed_encounters(rng, school_id, lead_id, pupils, organisations, years, today, result) -> None:
    this_year = academic_year_of(today)
    weights = [p[3] for p in PROGRAMME]
    by_kind: dict[OrganisationKind, list[Organisation]] = {}
    for org in organisations:
        by_kind.setdefault(org.kind, []).append(org)

    for academic_year in range(this_year - years + 1, this_year + 1):
        start, end = academic_year_bounds(academic_year)
        # A term of history for this year; whole years for the past.
        days = _school_days(start + timedelta(days=3), min(end - timedelta(days=35),
                                                          today - timedelta(days=1)))
        if not days:
            continue
        groups: dict[str, list[int]] = {}
        for pupil_id, cohort, tutor_group, left_on in pupils:
            yg = year_group(cohort, academic_year)
            if not 7 <= yg <= 13 or (left_on and left_on < start):
                continue
            groups.setdefault(f"{yg}{_form_of(tutor_group)}", []).append(pupil_id)
        per_group = max(2, len(days) // 8)
        plan = []
        for group_name, members in sorted(groups.items()):
            for _ in range(per_group):
                kind, title, org_kind, _w = rng.choices(PROGRAMME, weights=weights)[0]
                org = rng.choice(by_kind[org_kind]) if org_kind else None
                attendees = [m for m in members if rng.random() > 0.07]
                plan.append((kind, title.format(org=org.name if org else ""), org, rng.choice(days),
                             group_name, attendees))
            # Targeted sessions for some of the group (a club, an option group, a visit with
            # limited places): what makes a real school's figures partial, not all or nothing.
            for _ in range(per_group + 1):
                kind, title, org_kind, _w = rng.choices(PROGRAMME, weights=weights)[0]
                org = rng.choice(by_kind[org_kind]) if org_kind else None
                share = rng.uniform(0.15, 0.6)
                attendees = [m for m in members if rng.random() < share]
                if attendees:
                    plan.append((kind, title.format(org=org.name if org else ""), org,
                                 rng.choice(days), group_name, attendees))
        encounter_rows = [dict(school_id=school_id, title=title, kind=kind, date=day,
                               academic_year=academic_year, organisation_id=org.id if org else None,
                               meaningful=rng.random() > 0.05, notes="", created_by_id=lead_id,
                               submission_key=None)
                          for kind, title, org, day, _g, _a in plan]
        ids = _insert_returning_ids(Encounter, encounter_rows)
        db.session.execute(insert(EncounterBenchmark), [
            dict(encounter_id=eid, benchmark=bm)
            for eid, (kind, *_rest) in zip(ids, plan) for bm in ENCOUNTER_KINDS[kind].benchmarks])
        participation_rows = [dict(school_id=school_id, encounter_id=eid, pupil_id=pid,
                                   reflection="")
                              for eid, (*_x, attendees) in zip(ids, plan) for pid in attendees]
        _bulk_insert(Participation.__table__, participation_rows,
                     defaults=dict(reflection="", agreed_actions=""))
        result.encounters += len(ids)
        result.participations += len(participation_rows)

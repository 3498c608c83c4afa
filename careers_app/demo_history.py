"""Demo content for figures that stay true over time (issue 12).

Called once per demo school from demo.py, after its encounters are seeded:

* each pupil's tutor group and flags for every past year of history (PupilYear), so a past
  year's dashboard shows "9B" for last year's Year 9, and a few SEND statuses that changed;
* two provider encounters a year *offered* to the whole of Year 12 and of Year 13 (Provider
  Access phase 3), beside the targeted sessions the main seed already has;
* Year 11 guidance interviews with a trainee adviser (not level 6) and with no adviser
  recorded, so the Benchmark 8 drill-down says why they do not count;
* a talk dated three weeks ahead on the demo pupil's record, which /me shows as coming up;
* a few pupils admitted this January, whose earlier encounters no longer count for them.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, insert, or_, select, update

from .domain.academic import academic_year_bounds, academic_year_of, cohort_for, year_group
from .domain.benchmarks import EncounterKind, OrganisationKind, default_benchmarks
from .extensions import db
from .models import (Encounter, EncounterBenchmark, EncounterOffer, Organisation, Participation,
                     Pupil, PupilYear, Role, User)

TRAINEE_ADVISER = "Mr T. Mentor (trainee adviser)"


def seed_history(rng, school_id: int, lead_id: int, today: date) -> None:
    """Everything above, for one school (inside the seed's transaction)."""
    this_year = academic_year_of(today)
    first = db.session.scalar(select(func.min(Encounter.academic_year))
                              .where(Encounter.school_id == school_id)) or this_year
    past_years = range(first, this_year)
    _past_year_records(rng, school_id, past_years)
    _sixth_form_offers(rng, school_id, lead_id, range(first, this_year + 1), today)
    _interviews_below_level6(rng, school_id, lead_id, today)
    _coming_up(school_id, lead_id, today)
    _january_joiners(rng, school_id, today)


def _past_year_records(rng, school_id: int, years: range) -> None:
    """A PupilYear row per pupil and past year (where none is kept yet)."""
    pupils = db.session.execute(
        select(Pupil.id, Pupil.cohort, Pupil.tutor_group, Pupil.send_status, Pupil.disadvantaged,
               Pupil.looked_after, Pupil.considering_he, Pupil.left_on)
        .where(Pupil.school_id == school_id)).all()
    kept = set(db.session.execute(select(PupilYear.pupil_id, PupilYear.academic_year)
                                  .where(PupilYear.school_id == school_id)).all())
    rows = []
    for pupil in pupils:
        letter = (pupil.tutor_group or "A")[-1]
        identified_late = pupil.send_status == "K" and rng.random() < 0.3
        for academic_year in years:
            yg = year_group(pupil.cohort, academic_year)
            start, _end = academic_year_bounds(academic_year)
            if not 7 <= yg <= 13 or (pupil.left_on and pupil.left_on < start) \
                    or (pupil.id, academic_year) in kept:
                continue
            rows.append(dict(
                school_id=school_id, pupil_id=pupil.id, academic_year=academic_year,
                tutor_group=f"{yg}{letter}",
                send_status="N" if identified_late and yg < 9 else pupil.send_status,
                disadvantaged=pupil.disadvantaged, looked_after=pupil.looked_after,
                considering_he=pupil.considering_he and yg >= 12))
    if rows:
        db.session.execute(insert(PupilYear), rows)


def _on_roll(school_id: int, cohort: int, day: date) -> list[tuple[int, str | None]]:
    return db.session.execute(
        select(Pupil.id, Pupil.tutor_group).where(
            Pupil.school_id == school_id, Pupil.cohort == cohort,
            or_(Pupil.joined_on.is_(None), Pupil.joined_on <= day),
            or_(Pupil.left_on.is_(None), Pupil.left_on >= day))).all()


def _add_encounter(school_id: int, lead_id: int, kind: EncounterKind, title: str, day: date,
                   organisation_id: int | None, pupils, agreed_actions: str = "",
                   **columns) -> int:
    encounter_id = db.session.scalar(insert(Encounter).returning(Encounter.id).values(
        school_id=school_id, title=title, kind=kind, date=day,
        academic_year=academic_year_of(day), organisation_id=organisation_id, meaningful=True,
        notes="", created_by_id=lead_id, submission_key=None, **columns))
    db.session.execute(insert(EncounterBenchmark), [
        dict(encounter_id=encounter_id, benchmark=n) for n in default_benchmarks(kind)])
    if pupils:
        db.session.execute(insert(Participation), [
            dict(school_id=school_id, encounter_id=encounter_id, pupil_id=pid, reflection="",
                 tutor_group=group, agreed_actions=agreed_actions) for pid, group in pupils])
    return encounter_id


def _sixth_form_offers(rng, school_id: int, lead_id: int, years: range, today: date) -> None:
    """An apprenticeship provider in the autumn and a college before 28 February, offered to
    the whole of Years 12 and 13 each year; about three in four came."""
    orgs = dict(db.session.execute(
        select(Organisation.kind, func.min(Organisation.id))
        .where(Organisation.school_id == school_id,
               Organisation.kind.in_([OrganisationKind.ITP, OrganisationKind.FE_COLLEGE]))
        .group_by(Organisation.kind)).all())
    talks = [(EncounterKind.APPRENTICESHIP_PROVIDER, "Apprenticeships talk to the sixth form",
              OrganisationKind.ITP, (10, 14)),
             (EncounterKind.COLLEGE, "Higher technical courses talk to the sixth form",
              OrganisationKind.FE_COLLEGE, (2, 10))]
    offers = []
    for academic_year in years:
        for yg in (12, 13):
            cohort = cohort_for(yg, academic_year)
            for kind, title, org_kind, (month, day_of) in talks:
                day = date(academic_year + (month < 9), month, day_of + (yg == 13))
                if day >= today or org_kind not in orgs:
                    continue
                came = [p for p in _on_roll(school_id, cohort, day) if rng.random() < 0.75]
                encounter_id = _add_encounter(school_id, lead_id, kind, f"{title} (Year {yg})",
                                              day, orgs[org_kind], came)
                offers.append(dict(school_id=school_id, encounter_id=encounter_id,
                                   cohort=cohort))
    if offers:
        db.session.execute(insert(EncounterOffer), offers)


def _interviews_below_level6(rng, school_id: int, lead_id: int, today: date) -> None:
    """A few Year 11 pupils seen by a trainee adviser, one with no adviser recorded."""
    start, _end = academic_year_bounds(academic_year_of(today))
    day = max(start, today - timedelta(days=7))
    if day >= today:
        return
    seen = select(Participation.pupil_id).join(Encounter).where(
        Encounter.kind == EncounterKind.GUIDANCE_INTERVIEW, Encounter.school_id == school_id)
    interviewed = set(db.session.scalars(seen))
    waiting = [p for p in _on_roll(school_id, cohort_for(11, academic_year_of(today)), day)
               if p[0] not in interviewed]
    for n, pupil in enumerate(rng.sample(waiting, min(4, len(waiting) // 2))):
        adviser = TRAINEE_ADVISER if n < 3 else ""
        _add_encounter(school_id, lead_id, EncounterKind.GUIDANCE_INTERVIEW,
                       f"Guidance interview with {adviser or 'a visiting adviser'}", day, None,
                       [pupil], adviser_name=adviser, adviser_level6=False,
                       agreed_actions="Look at two college courses.\nBook a second interview "
                                      "with the careers adviser.")


def _coming_up(school_id: int, lead_id: int, today: date) -> None:
    """A talk logged ahead of its date for the demo pupil's tutor group: coming up on /me."""
    pupil_id = db.session.scalar(select(User.pupil_id).where(
        User.school_id == school_id, User.role == Role.PUPIL))
    if pupil_id is None:
        return
    group = db.session.scalar(select(Pupil.tutor_group).where(Pupil.id == pupil_id))
    pupils = db.session.execute(select(Pupil.id, Pupil.tutor_group).where(
        Pupil.school_id == school_id, Pupil.tutor_group == group,
        Pupil.left_on.is_(None))).all()
    _add_encounter(school_id, lead_id, EncounterKind.EMPLOYER_TALK,
                   "Fire service careers visit (booked)", today + timedelta(days=21), None, pupils)


def _january_joiners(rng, school_id: int, today: date) -> None:
    """Three Year 9 pupils admitted on the first school day of January this year."""
    academic_year = academic_year_of(today)
    joined = date(academic_year + 1, 1, 5)
    if joined > today:
        return
    candidates = db.session.scalars(select(Pupil.id).where(
        Pupil.school_id == school_id, Pupil.cohort == cohort_for(9, academic_year),
        Pupil.left_on.is_(None)).order_by(Pupil.id)).all()
    chosen = rng.sample(candidates, min(3, len(candidates)))
    if chosen:
        db.session.execute(update(Pupil).where(Pupil.id.in_(chosen)).values(joined_on=joined))

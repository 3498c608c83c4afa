"""One pupil's own progress: the rules measured in their year, met or not yet, with the
encounters that counted (for /me and the staff pupil page, through pupils/summary.py).

Read in Python from the pupil's own rows (`domain.progress.own_results`), not from the
figure cache: a handful of statements, never one per rule or per encounter.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.academic import academic_year_of
from ..domain.progress import encounter_facts, measured_rules, own_results
from ..domain.rules import EncounterFact, PupilFact, RuleResult, RuleSettings, Scope, as_of_day
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, EncounterOffer, Organisation, Participation, Pupil
from .services import school_settings


@dataclass(frozen=True)
class CountedEncounter:
    """An encounter that counted for a rule, as the pupil's progress lists it."""

    id: int
    title: str
    date: date


@dataclass
class OwnProgress:
    results: list[RuleResult]
    encounters: dict[int, CountedEncounter]  # id -> the encounters that count, for their titles
    settings: RuleSettings  # the school's, as the results were measured


def _fact_query(school_id: int):
    """Encounters of the school with what the rules read, one row per benchmark; the caller
    joins Participation (what a pupil took part in) or EncounterOffer (what was offered)."""
    return (select(Encounter.id, Encounter.date, Encounter.organisation_id, Organisation.kind,
                   Encounter.meaningful, Encounter.planned, Encounter.deleted_at,
                   Encounter.adviser_level6, Encounter.adviser_name, EncounterBenchmark.benchmark)
            .select_from(Encounter)
            .outerjoin(EncounterBenchmark, EncounterBenchmark.encounter_id == Encounter.id)
            .outerjoin(Organisation, Organisation.id == Encounter.organisation_id)
            .where(Encounter.school_id == school_id, Encounter.deleted_at.is_(None),
                   Encounter.planned.is_(False)))


def own_progress(pupil: Pupil, today: date,
                 own: Mapping[int, EncounterFact] | None = None) -> OwnProgress:
    """The rules measured in the pupil's current year, met or not yet, with what counted.

    At most four queries: the school's settings, the pupil's own encounters (none when the
    caller has them already as `own`: `pupils.services.pupil_record` reads them with the
    record), the encounters offered to their year group (for year-group rules only) and the
    titles of those that count. Nothing after today counts, nor anything from before they
    joined or after they left."""
    academic_year = academic_year_of(today)
    settings = school_settings(pupil.school_id)
    fact = PupilFact(pupil.cohort, pupil.joined_on, pupil.left_on, pupil.considering_he)
    rules = measured_rules(fact, academic_year)
    if own is None:
        own = encounter_facts(db.session.execute(
            _fact_query(pupil.school_id)
            .join(Participation, Participation.encounter_id == Encounter.id)
            .where(Participation.pupil_id == pupil.id)))
    offered: dict[int, EncounterFact] = {}
    if any(r.scope is Scope.YEAR_GROUP for r in rules):
        offered = encounter_facts(db.session.execute(
            _fact_query(pupil.school_id)
            .join(EncounterOffer, EncounterOffer.encounter_id == Encounter.id)
            .where(EncounterOffer.cohort == pupil.cohort)))
    results = own_results(rules, fact, own, offered, academic_year,
                          as_of_day(academic_year, today), settings)
    wanted = sorted({i for r in results for i in r.counted})
    encounters = {row.id: CountedEncounter(row.id, row.title, row.date)
                  for row in db.session.execute(
                      select(Encounter.id, Encounter.title, Encounter.date)
                      .where(Encounter.id.in_(wanted)))} if wanted else {}
    return OwnProgress(results, encounters, settings)

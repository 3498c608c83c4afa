"""One pupil's own progress: the rules measured in their year, met or not yet, with the
encounters that counted (for /me and the staff pupil page, through pupils/summary.py).

Read in Python from the pupil's own rows (`domain.progress.own_results`), not from the
figure cache: a handful of statements, never one per rule or per encounter.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select

from ..domain.academic import academic_year_of
from ..domain.progress import encounter_facts, measured_rules, own_results
from ..domain.rules import EncounterFact, PupilFact, RuleResult, RuleSettings, Scope, as_of_day
from ..extensions import db
from ..models import Encounter, EncounterBenchmark, EncounterOffer, Organisation, Participation, Pupil
from .services import school_settings


class Titled(Protocol):
    """What the pupil's progress lists of an encounter that counted."""

    id: int
    title: str
    date: date


@dataclass(frozen=True)
class CountedEncounter:
    """An encounter that counted for a rule, as the pupil's progress lists it."""

    id: int
    title: str
    date: date


@dataclass
class OwnProgress:
    results: list[RuleResult]
    encounters: dict[int, Titled]  # id -> the encounters that count, for their titles
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


def own_progress(pupil: Pupil, today: date, own: Mapping[int, EncounterFact] | None = None,
                 titles: Mapping[int, Titled] | None = None) -> OwnProgress:
    """The rules measured in the pupil's current year, met or not yet, with what counted.

    At most four queries: the school's settings, the pupil's own encounters, the encounters
    offered to their year group (for year-group rules only) and the titles of those that
    count. A caller that has read the pupil's record (`pupils.services.pupil_record`) passes
    its facts as `own` and its entries as `titles`, sparing the second and (unless something
    only offered to the year group counts) the last. Nothing after today counts, nor
    anything from before they joined or after they left."""
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
    titles = titles or {}
    wanted = {i for r in results for i in r.counted}
    encounters: dict[int, Titled] = {i: titles[i] for i in wanted if i in titles}
    if missing := sorted(wanted - encounters.keys()):
        encounters.update((row.id, CountedEncounter(row.id, row.title, row.date))
                          for row in db.session.execute(
                              select(Encounter.id, Encounter.title, Encounter.date)
                              .where(Encounter.id.in_(missing))))
    return OwnProgress(results, encounters, settings)

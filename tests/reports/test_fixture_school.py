"""The dashboard's figures for a small school, against a hand-computed expectation, for
three academic years: 2023/24 and 2024/25 (as at 31 August) and 2025/26 (as at 15 March 2026).

The school covers every rule and every edge: 31 August versus 1 September, joiners (one with
encounters from before they were admitted), leavers (before and during the year, and one on
31 August, their last day on roll), a first import in November with September encounters
back-filled (admission date 1 September), non-meaningful, planned, deleted and future
encounters, the same organisation twice where a rule needs different providers, the Year 9
and Year 13 cut-offs on 28 February (and 29 February in a leap year, in its own test), a
phase 3 offer to a whole year group beside targeted Year 12 sessions, guidance from a level 6
adviser, from one below level 6 and with no adviser recorded, and a pupil whose tutor group
and one whose SEND status changed from year to year.
"""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.domain.rules import (RULES, RULES_BY_KEY, EncounterFact, PupilFact, RuleSettings,
                                      as_of_day, evaluate)
from careers_app.models import Encounter, EncounterOffer, PupilYear
from careers_app.reports import services

YEAR = 2025
TODAY = date(2026, 3, 15)
YEARS = (2023, 2024, 2025)


def _cells(year_group: int, counts: dict[str, tuple[int, int]]) -> dict:
    return {(key, year_group): value for key, value in counts.items()}


PRE16 = ("bm2_key_stage", "bm4_year", "bm5_year", "bm6_pre16", "bm7_range", "bm8_pre16")
POST16 = ("bm2_key_stage", "bm4_year", "bm5_year", "bm6_post16", "bm7_he", "bm8_post16",
          "pal_y12_13")


def _row(year_group: int, keys, *values) -> dict:
    return _cells(year_group, dict(zip(keys, values, strict=True)))


# Academic year -> (rule, year group) -> (met, measured), worked out by hand from the fixture
# above (each line: the pupils on roll that year, then the figures). Anything not listed is 0/0.
EXPECTED_BY_YEAR = {
    # 2023/24, as at 31 August 2024
    2023: {
        # Y7 9a 9b 9d 9e (9c not yet admitted): only 9a's LMI
        **_row(7, PRE16, (1, 4), (0, 4), (0, 4), (0, 4), (0, 4), (0, 4)),
        # Y8 10j: the talk after admission counts, the one before does not; one provider
        **_row(8, PRE16 + ("pal_y8_9",), (0, 1), (0, 1), (1, 1), (0, 1), (0, 1), (0, 1), (0, 1)),
        # Y9 11a 11b 11c: 11a's back-filled September talk
        **_row(9, PRE16 + ("pal_y8_9",), (0, 3), (0, 3), (1, 3), (0, 3), (0, 3), (0, 3), (0, 3)),
        # Y10 12a 12b
        **_row(10, PRE16 + ("pal_y10_11",), (0, 2), (0, 2), (0, 2), (0, 2), (0, 2), (0, 2),
               (0, 2)),
        # Y12 13x: one offered college so far; not considering HE
        **_row(12, POST16, (0, 1), (0, 1), (0, 1), (0, 1), (0, 0), (0, 1), (0, 1)),
    },
    # 2024/25, as at 31 August 2025
    2024: {
        # Y8 9a 9b 9d 9e: 9b's talk on 31 August; 9d's after leaving does not count
        **_row(8, PRE16 + ("pal_y8_9",), (1, 4), (0, 4), (1, 4), (0, 4), (0, 4), (0, 4), (0, 4)),
        # Y9 10j: the college before admission still does not count
        **_row(9, PRE16 + ("pal_y8_9",), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1)),
        # Y10 11a 11b 11c: 11a's level 6 interview; 11b two colleges
        **_row(10, PRE16 + ("pal_y10_11",), (0, 3), (0, 3), (0, 3), (0, 3), (0, 3), (1, 3),
               (1, 3)),
        # Y11 12a 12b: 12a's interview had no adviser recorded
        **_row(11, PRE16 + ("pal_y10_11",), (0, 2), (0, 2), (0, 2), (0, 2), (0, 2), (0, 2),
               (0, 2)),
        # Y13 13x (left 31 August): the talk on the last day counts; 28 Feb yes, 1 March no
        **_row(13, POST16, (0, 1), (0, 1), (1, 1), (0, 1), (0, 0), (0, 1), (1, 1)),
    },
    # 2025/26, as at 15 March 2026
    2025: {
        **_row(7, PRE16, (1, 2), (1, 2), (0, 2), (0, 2), (0, 2), (0, 2)),
        # Y9 9a 9b 9c 9e
        **_row(9, PRE16 + ("pal_y8_9",), (1, 4), (0, 4), (2, 4), (0, 4), (0, 4), (0, 4), (1, 4)),
        # Y10 10j
        **_row(10, PRE16 + ("pal_y10_11",), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1),
               (0, 1)),
        # Y11 11a 11b 11c
        **_row(11, PRE16 + ("pal_y10_11",), (0, 3), (1, 3), (2, 3), (1, 3), (1, 3), (1, 3),
               (2, 3)),
        # Y12 12a 12b: 12b's adviser is not level 6; 12a has only the offered college
        **_row(12, POST16, (0, 2), (0, 2), (0, 2), (1, 2), (1, 1), (0, 2), (1, 2)),
    },
}
ON_ROLL = {2023: {7: 4, 8: 1, 9: 3, 10: 2, 12: 1}, 2024: {8: 4, 9: 1, 10: 3, 11: 2, 13: 1},
           2025: {7: 2, 9: 4, 10: 1, 11: 3, 12: 2}}
EXPECTED = EXPECTED_BY_YEAR[YEAR]


@pytest.mark.parametrize("year", YEARS)
def test_every_cell_matches_the_hand_computed_figures(app, app_ctx, school, fixture_school,
                                                      year):
    matrix = services.benchmark_matrix(school.id, year, TODAY)
    expected = EXPECTED_BY_YEAR[year]
    assert matrix.as_of == as_of_day(year, TODAY)
    for rule in RULES:
        for group in rule.year_groups:
            cell = matrix.cells[(rule.key, group)]
            assert (cell.met, cell.total) == expected.get((rule.key, group), (0, 0)), (
                year, rule.key, group)
    assert matrix.on_roll == ON_ROLL[year]


def test_filtered_figures_sit_beside_the_whole_cohort(app, app_ctx, school, fixture_school):
    matrix = services.benchmark_matrix(school.id, YEAR, TODAY,
                                       services.Filters(disadvantaged="yes"))
    got = {key: (c.met, c.total) for key, c in matrix.filtered.items() if c.total}
    assert got == {
        ("bm2_key_stage", 9): (0, 1), ("bm4_year", 9): (0, 1), ("bm5_year", 9): (0, 1),
        ("bm6_pre16", 9): (0, 1), ("bm7_range", 9): (0, 1), ("bm8_pre16", 9): (0, 1),
        ("pal_y8_9", 9): (0, 1),
        ("bm2_key_stage", 11): (0, 1), ("bm4_year", 11): (0, 1), ("bm5_year", 11): (1, 1),
        ("bm6_pre16", 11): (0, 1), ("bm7_range", 11): (0, 1), ("bm8_pre16", 11): (0, 1),
        ("pal_y10_11", 11): (0, 1),
    }
    # The whole-cohort figures are unchanged by the filter.
    assert (matrix.cells[("bm5_year", 9)].met, matrix.cells[("bm5_year", 9)].total) == (2, 4)
    send = services.benchmark_matrix(school.id, YEAR, TODAY, services.Filters(send="K"))
    assert {k: (c.met, c.total) for k, c in send.filtered.items() if c.total}[
        ("bm6_pre16", 11)] == (0, 1)


def test_gap_list_names_exactly_who_has_not_met_it(app, app_ctx, school, fixture_school):
    p = fixture_school
    gaps, measured = services.gap_list(school.id, RULES_BY_KEY["bm5_year"], 9, YEAR, TODAY)
    assert measured == 4
    assert {g.pupil.id for g in gaps} == {p["9b"].id, p["9c"].id}
    gaps, measured = services.gap_list(school.id, RULES_BY_KEY["pal_y8_9"], 9, YEAR, TODAY)
    assert {g.pupil.id: g.count for g in gaps} == {p["9b"].id: 1, p["9c"].id: 0, p["9e"].id: 1}


def test_pal_report_per_phase(app, app_ctx, school, fixture_school):
    p = fixture_school
    phases = {ph.rule.key: ph for ph in services.pal_report(school.id, YEAR, TODAY)}
    assert (phases["pal_y8_9"].met, phases["pal_y8_9"].total) == (1, 4)
    assert [g.pupil.id for g in phases["pal_y10_11"].short] == [p["10j"].id, p["11c"].id]
    # 12a: only the college offered to the whole year group; 12b's targeted sessions and the
    # offered one (which 12b attended).
    assert {g.pupil.id: g.count for g in phases["pal_y12_13"].rows} == {p["12a"].id: 1,
                                                                        p["12b"].id: 3}


AS_AT = [(2023, None), (2024, None), (2025, None), (2023, date(2023, 12, 31)),
         (2024, date(2025, 3, 31)), (2025, date(2025, 12, 31)), (2025, date(2026, 1, 10))]


@pytest.mark.parametrize("level6", [True, False])
@pytest.mark.parametrize("year, as_at", AS_AT)
def test_sql_counts_agree_with_the_pure_rules_for_every_pupil(app, app_ctx, school,
                                                               fixture_school, year, as_at,
                                                               level6):
    """The aggregate query and domain.rules.evaluate are two readings of one rule table: for
    every pupil, rule, year and "as at" day, with the level 6 requirement on and off."""
    from sqlalchemy import select

    from careers_app.extensions import db
    from careers_app.models import Organisation, Participation, Pupil

    settings = RuleSettings(guidance_needs_level6=level6)
    as_of = as_of_day(year, as_at or TODAY)
    encounters = db.session.scalars(select(Encounter)).all()
    kinds = {o.id: str(o.kind) for o in db.session.scalars(select(Organisation))}
    facts = {e.id: EncounterFact(e.id, e.date, frozenset(e.benchmarks), e.organisation_id,
                                 kinds.get(e.organisation_id), e.meaningful, e.planned,
                                 e.deleted_at is not None, e.adviser_level6,
                                 bool(e.adviser_name)) for e in encounters}
    taken: dict[int, list[EncounterFact]] = {}
    for part in db.session.scalars(select(Participation)):
        taken.setdefault(part.pupil_id, []).append(facts[part.encounter_id])
    offers: dict[int, list[EncounterFact]] = {}
    for offer in db.session.scalars(select(EncounterOffer)):
        offers.setdefault(offer.cohort, []).append(facts[offer.encounter_id])
    rows = {r.id: r for r in db.session.scalars(select(Pupil))}
    he = {(y.pupil_id, y.academic_year): y.considering_he
          for y in db.session.scalars(select(PupilYear))}
    pupils = services.progress(school.id, year, TODAY, settings=settings, as_at=as_at)
    for pupil in pupils:
        row = rows[pupil.id]
        fact = PupilFact(row.cohort, row.joined_on, row.left_on,
                         he.get((row.id, year), row.considering_he))
        assert pupil.considering_he == fact.considering_he
        for rule in RULES:
            mine = taken.get(pupil.id, [])
            if rule.scope == "year_group":
                mine = mine + offers.get(row.cohort, [])
            expected = evaluate(rule, fact, mine, year, as_of, settings)
            assert pupil.counts[rule.key] == expected.count, (pupil.sort_name, rule.key)
            if rule.benchmark == 8 and level6:
                assert pupil.left_out.get(rule.key, (0, 0)) == (expected.no_adviser,
                                                               expected.not_level6)
    on_roll = {n for n, p in fixture_school.items()
               if (p.joined_on is None or p.joined_on <= as_of)
               and (p.left_on is None or p.left_on >= date(year, 9, 1))
               and 7 <= year - p.cohort + 7 <= 13}
    assert {p.id for p in pupils} == {fixture_school[n].id for n in on_roll}


def test_the_level_6_requirement_says_why_an_interview_did_not_count(app, app_ctx, school,
                                                                      fixture_school):
    p = fixture_school
    gaps, _ = services.gap_list(school.id, RULES_BY_KEY["bm8_post16"], 12, YEAR, TODAY)
    why = {g.pupil.id: g.why_not_counted for g in gaps}
    assert why == {p["12a"].id: "",
                   p["12b"].id: "1 interview not counted: the adviser is not qualified to level 6"}
    gaps, _ = services.gap_list(school.id, RULES_BY_KEY["bm8_pre16"], 11, 2024, TODAY)
    assert {g.pupil.id: g.why_not_counted for g in gaps} == {
        p["12a"].id: "1 interview not counted: no adviser recorded", p["12b"].id: ""}


def test_a_school_may_switch_the_level_6_requirement_off(app, app_ctx, school, fixture_school):
    from careers_app.extensions import db
    from careers_app.models import School

    db.session.get(School, school.id).settings = {"guidance_needs_level6": False}
    db.session.commit()
    now = services.benchmark_matrix(school.id, YEAR, TODAY)
    before = services.benchmark_matrix(school.id, 2024, TODAY)
    assert (now.cells[("bm8_post16", 12)].met, before.cells[("bm8_pre16", 11)].met) == (1, 1)


def test_year_9_cut_off_on_29_february_in_sql(app, app_ctx, school, make_pupil, make_encounter,
                                              providers, make_organisation):
    """2027/28: February 2028 has 29 days. 28 Feb counts in Year 9; 29 Feb does not."""
    year, today = 2027, date(2028, 9, 1)
    on = date(2028, 1, 1)
    early, late = make_pupil(9, on=on), make_pupil(9, on=on)
    third = make_organisation("Third College", "fe_college")
    make_encounter([early, late], K.COLLEGE, date(2026, 11, 1), organisation=providers["fe_college"])
    make_encounter([early], K.APPRENTICESHIP_PROVIDER, date(2028, 2, 28),
                   organisation=providers["itp"])
    make_encounter([late], K.COLLEGE, date(2028, 2, 29), organisation=third)
    pupils = {p.id: p.counts["pal_y8_9"] for p in services.progress(school.id, year, today)}
    assert pupils == {early.id: 2, late.id: 1}


def test_school_threshold_changes_the_figures(app, app_ctx, school, fixture_school):
    from careers_app.extensions import db
    from careers_app.models import School

    db.session.get(School, school.id).settings = {"thresholds": {"bm6_pre16": 1}}
    db.session.commit()
    matrix = services.benchmark_matrix(school.id, YEAR, TODAY)
    # 11b and 11c each have one workplace experience: with a threshold of 1 they meet it.
    cell = matrix.cells[("bm6_pre16", 11)]
    assert (cell.met, cell.total) == (3, 3)


def test_benchmark_rows_not_kind_decide_what_counts(app, app_ctx, school, make_pupil,
                                                    make_encounter):
    """A careers leader can attach BM5 to an 'other' activity; it then counts for BM5."""
    pupil = make_pupil(8, on=TODAY)
    make_encounter([pupil], K.OTHER, date(2025, 11, 1), benchmarks=[5])
    make_encounter([pupil], K.EMPLOYER_TALK, date(2025, 11, 2), benchmarks=[4])
    counts = services.progress(school.id, YEAR, TODAY)[0].counts
    assert (counts["bm5_year"], counts["bm4_year"]) == (1, 1)

"""The dashboard's figures for a small school, against a hand-computed expectation.

The school covers every rule and every edge: 31 August versus 1 September, a joiner, leavers
(before and during the year), non-meaningful, planned, deleted and future encounters, the
same organisation twice where a rule needs different providers, and the Year 9 cut-off on
28 February (and 29 February in a leap year, in its own test).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.domain.rules import RULES, RULES_BY_KEY, EncounterFact, PupilFact, evaluate
from careers_app.models import Encounter
from careers_app.reports import services

YEAR = 2025
TODAY = date(2026, 3, 15)


@pytest.fixture
def fixture_school(app, school, make_pupil, make_encounter, providers, make_organisation):
    """Pupils and encounters for 2025/26 as of 15 March 2026. Returns the pupils by name."""
    on = TODAY
    p = {
        "7a": make_pupil(7, on=on), "7b": make_pupil(7, on=on),
        "9a": make_pupil(9, on=on), "9b": make_pupil(9, on=on),
        "9c": make_pupil(9, on=on, joined_on=date(2026, 1, 10), disadvantaged=True),
        "9d": make_pupil(9, on=on, left_on=date(2025, 7, 20)),
        "9e": make_pupil(9, on=on, left_on=date(2025, 12, 1)),
        "11a": make_pupil(11, on=on), "11b": make_pupil(11, on=on),
        "11c": make_pupil(11, on=on, disadvantaged=True, send_status="K"),
        "12a": make_pupil(12, on=on, considering_he=True), "12b": make_pupil(12, on=on),
    }
    org = providers
    ev = make_encounter

    # Year 7
    ev([p["7a"]], K.CURRICULUM_LINKED, date(2025, 9, 10))
    ev([p["7a"]], K.LABOUR_MARKET_INFO, date(2026, 1, 10))

    # Year 9
    ev([p["9a"]], K.LABOUR_MARKET_INFO, date(2023, 10, 1))       # Y7: BM2 in KS3
    ev([p["9a"]], K.EMPLOYER_TALK, date(2025, 9, 1), organisation=org["employer"])  # 1 Sep
    ev([p["9b"]], K.EMPLOYER_TALK, date(2025, 8, 31), organisation=org["employer"])  # 31 Aug
    ev([p["9b"]], K.EMPLOYER_TALK, date(2025, 10, 5), planned=True)
    ev([p["9b"]], K.EMPLOYER_TALK, date(2025, 10, 6),
       deleted_at=datetime(2025, 10, 7, tzinfo=timezone.utc))
    ev([p["9b"]], K.EMPLOYER_TALK, date(2026, 4, 1))             # after "today"
    ev([p["9c"]], K.EMPLOYER_TALK, date(2026, 2, 1), meaningful=False)
    ev([p["9d"], p["9e"]], K.EMPLOYER_TALK, date(2025, 10, 1))
    # Provider Access, Y8-9: 9a two providers (Y9 on 28 Feb); 9b the same college twice;
    # 9e one provider, the second on 1 March (too late).
    ev([p["9a"], p["9b"], p["9e"]], K.COLLEGE, date(2024, 11, 10), organisation=org["fe_college"])
    ev([p["9b"]], K.COLLEGE, date(2025, 2, 3), organisation=org["fe_college"])
    ev([p["9a"]], K.APPRENTICESHIP_PROVIDER, date(2026, 2, 28), organisation=org["itp"])
    ev([p["9e"]], K.APPRENTICESHIP_PROVIDER, date(2026, 3, 1), organisation=org["itp"])

    # Year 11
    ev([p["11a"]], K.WORKPLACE_VISIT, date(2024, 3, 1), organisation=org["employer"])  # Y9
    ev([p["11a"]], K.WORK_EXPERIENCE, date(2025, 11, 1), organisation=org["employer"])
    ev([p["11a"]], K.SIXTH_FORM, date(2024, 10, 1), organisation=org["sixth_form"])
    ev([p["11a"], p["11b"]], K.COLLEGE, date(2024, 11, 1), organisation=org["fe_college"])
    ev([p["11a"]], K.UNIVERSITY, date(2025, 10, 1), organisation=org["university"])
    ev([p["11a"]], K.APPRENTICESHIP_PROVIDER, date(2026, 2, 20), organisation=org["itp"])
    ev([p["11a"]], K.GUIDANCE_INTERVIEW, date(2025, 1, 15))
    ev([p["11a"], p["11c"]], K.EMPLOYER_TALK, date(2026, 1, 20), organisation=org["employer"])
    ev([p["11a"]], K.CURRICULUM_LINKED, date(2025, 9, 30))
    ev([p["11b"]], K.WORKPLACE_VISIT, date(2025, 6, 1), organisation=org["employer"])
    other_sixth_form = make_organisation("Other Sixth Form", "sixth_form")
    ev([p["11b"]], K.SIXTH_FORM, date(2024, 10, 2), organisation=org["sixth_form"])
    ev([p["11b"]], K.SIXTH_FORM, date(2025, 10, 2), organisation=other_sixth_form)
    ev([p["11b"]], K.UNIVERSITY, date(2025, 10, 3), organisation=org["university"])
    ev([p["11b"]], K.COLLEGE, date(2024, 12, 1), organisation=org["fe_college_2"])
    ev([p["11c"]], K.WORKPLACE_VISIT, date(2025, 5, 1), organisation=org["employer"])
    ev([p["11c"]], K.WORKPLACE_VISIT, date(2025, 11, 5), organisation=org["employer"],
       meaningful=False)

    # Year 12
    ev([p["12a"]], K.UNIVERSITY, date(2023, 10, 1), organisation=org["university"])  # Y10
    ev([p["12a"]], K.UNIVERSITY, date(2025, 10, 1), organisation=org["university"])
    ev([p["12a"]], K.WORK_EXPERIENCE, date(2025, 12, 1), organisation=org["employer"])
    ev([p["12a"]], K.GUIDANCE_INTERVIEW, date(2025, 5, 1))                 # Y11 only
    ev([p["12b"]], K.GUIDANCE_INTERVIEW, date(2026, 1, 12))
    ev([p["12b"]], K.APPRENTICESHIP_PROVIDER, date(2025, 11, 1), organisation=org["itp"])
    ev([p["12b"]], K.COLLEGE, date(2026, 1, 15), organisation=org["fe_college"])
    return p


# (rule, year group) -> (met, measured), worked out by hand from the fixture above.
EXPECTED = {
    ("bm2_key_stage", 7): (1, 2), ("bm4_year", 7): (1, 2), ("bm5_year", 7): (0, 2),
    ("bm6_pre16", 7): (0, 2), ("bm7_range", 7): (0, 2), ("bm8_pre16", 7): (0, 2),
    ("bm2_key_stage", 9): (1, 4), ("bm4_year", 9): (0, 4), ("bm5_year", 9): (2, 4),
    ("bm6_pre16", 9): (0, 4), ("bm7_range", 9): (0, 4), ("bm8_pre16", 9): (0, 4),
    ("pal_y8_9", 9): (1, 4),
    ("bm2_key_stage", 11): (0, 3), ("bm4_year", 11): (1, 3), ("bm5_year", 11): (2, 3),
    ("bm6_pre16", 11): (1, 3), ("bm7_range", 11): (1, 3), ("bm8_pre16", 11): (1, 3),
    ("pal_y10_11", 11): (2, 3),
    ("bm2_key_stage", 12): (0, 2), ("bm4_year", 12): (0, 2), ("bm5_year", 12): (0, 2),
    ("bm6_post16", 12): (1, 2), ("bm7_he", 12): (1, 1), ("bm8_post16", 12): (1, 2),
    ("pal_y12_13", 12): (2, 2),
}


def test_dashboard_matches_the_hand_computed_figures(app, app_ctx, school, fixture_school):
    matrix = services.benchmark_matrix(school.id, YEAR, TODAY)
    for rule in RULES:
        for year in rule.year_groups:
            cell = matrix.cells[(rule.key, year)]
            assert (cell.met, cell.total) == EXPECTED.get((rule.key, year), (0, 0)), (rule.key, year)
    assert matrix.on_roll == {7: 2, 9: 4, 11: 3, 12: 2}
    assert matrix.filtered is None


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
    assert [g.pupil.id for g in phases["pal_y10_11"].short] == [p["11c"].id]
    assert {g.pupil.id: g.count for g in phases["pal_y12_13"].rows} == {p["12a"].id: 2,
                                                                        p["12b"].id: 2}


def test_sql_counts_agree_with_the_pure_rules_for_every_pupil(app, app_ctx, school,
                                                               fixture_school):
    """The aggregate query and domain.rules.evaluate are two readings of one rule table."""
    from careers_app.extensions import db
    from sqlalchemy import select
    from careers_app.models import Organisation, Participation

    encounters = db.session.scalars(select(Encounter)).all()
    kinds = {o.id: str(o.kind) for o in db.session.scalars(select(Organisation))}
    facts = {e.id: EncounterFact(e.id, e.date, frozenset(e.benchmarks), e.organisation_id,
                                 kinds.get(e.organisation_id), e.meaningful, e.planned,
                                 e.deleted_at is not None, e.adviser_level6) for e in encounters}
    taken = {}
    cohort_of = {}
    for part in db.session.scalars(select(Participation)):
        taken.setdefault(part.pupil_id, []).append(facts[part.encounter_id])
    pupils = services.progress(school.id, YEAR, TODAY)
    for pupil in pupils:
        cohort_of.setdefault(pupil.cohort, set()).update(e.id for e in taken.get(pupil.id, []))
    for pupil in pupils:
        for rule in RULES:
            if rule.scope == "year_group":
                mine = [facts[i] for i in cohort_of[pupil.cohort]]
            else:
                mine = taken.get(pupil.id, [])
            expected = evaluate(rule, PupilFact(pupil.cohort, considering_he=pupil.considering_he),
                                mine, YEAR, TODAY)
            assert pupil.counts[rule.key] == expected.count, (pupil.sort_name, rule.key)
    assert len(pupils) == 11  # the leaver who left before the year is not on roll


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

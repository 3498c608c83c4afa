"""The fixture school (tests/reports/conftest.py) over time: past years filtered by that
year's groups and flags, figures as at the census days, in-progress cells, the encounter
export's tutor group of the day, and several schools in one aggregate (issue 15)."""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.reports import services
from tests.helpers import persist

YEAR = 2025
TODAY = date(2026, 3, 15)


@pytest.mark.parametrize("year, filters, expected", [
    # 11b was in 9C, then 10B; 11c had no SEND, then an EHCP (E), now SEN support (K).
    (2023, services.Filters(tutor_group="9C"), {("bm5_year", 9): (0, 1)}),
    (2024, services.Filters(tutor_group="10B"), {("pal_y10_11", 10): (1, 1)}),
    (2025, services.Filters(tutor_group="10B"), {}),
    (2024, services.Filters(send="E"), {("pal_y10_11", 10): (0, 1), ("bm8_pre16", 10): (0, 1)}),
    (2024, services.Filters(send="K"), {}),
    (2023, services.Filters(send="any"), {}),
    (2025, services.Filters(send="K"), {("bm5_year", 11): (1, 1), ("pal_y10_11", 11): (0, 1)}),
    (2023, services.Filters(disadvantaged="yes"), {}),
    (2024, services.Filters(disadvantaged="yes"), {("bm5_year", 10): (0, 1)}),
])
def test_a_past_year_is_filtered_by_that_years_groups_and_flags(app, app_ctx, school,
                                                                 fixture_school, year, filters,
                                                                 expected):
    matrix = services.benchmark_matrix(school.id, year, TODAY, filters)
    got = {key: (c.met, c.total) for key, c in matrix.filtered.items() if c.total}
    for key, value in expected.items():
        assert got[key] == value, key
    if not expected:
        assert got == {}
    groups = services.tutor_groups(school.id, year, TODAY)
    assert ("10B" in groups) is (year == 2024) and ("9C" in groups) is (year == 2023)


# As at the census days: (year, as at) -> cells that differ from the year's own figures.
AS_AT_CELLS = {
    (2025, date(2025, 12, 31)): {
        ("bm2_key_stage", 7): (0, 2),          # 7a's LMI is in January
        ("bm5_year", 9): (2, 3),               # 9c not admitted yet
        ("pal_y8_9", 9): (0, 3),               # 9a's second provider on 28 February
        ("bm5_year", 11): (0, 3), ("bm7_range", 11): (0, 3), ("pal_y10_11", 11): (1, 3),
        ("bm6_pre16", 11): (1, 3), ("bm8_pre16", 11): (1, 3),
        ("pal_y12_13", 12): (1, 2),            # 12b: the ITP and the offered college
        ("bm6_post16", 12): (1, 2),
    },
    (2024, date(2025, 3, 31)): {
        ("bm5_year", 8): (0, 4),               # 9b's talk is on 31 August
        ("bm5_year", 13): (0, 1), ("pal_y12_13", 13): (1, 1), ("bm8_pre16", 10): (1, 3),
    },
    (2023, date(2023, 12, 31)): {
        ("bm5_year", 8): (0, 0),               # 10j admitted on 8 January
        ("bm5_year", 9): (1, 3), ("bm2_key_stage", 7): (1, 4), ("pal_y12_13", 12): (0, 1),
    },
}


@pytest.mark.parametrize("year, as_at", list(AS_AT_CELLS))
def test_figures_as_at_a_census_day(app, app_ctx, school, fixture_school, year, as_at):
    matrix = services.benchmark_matrix(school.id, year, TODAY, as_at=as_at)
    assert matrix.as_of == as_at
    for key, value in AS_AT_CELLS[(year, as_at)].items():
        assert (matrix.cells[key].met, matrix.cells[key].total) == value, key


def test_a_future_as_at_day_is_today(app, app_ctx, school, fixture_school):
    later = services.benchmark_matrix(school.id, YEAR, TODAY, as_at=date(2026, 7, 31))
    assert later.as_of == TODAY
    assert later.cells == services.benchmark_matrix(school.id, YEAR, TODAY).cells


def test_in_progress_cells_before_the_deadline_year(app, app_ctx, school, fixture_school):
    matrix = services.benchmark_matrix(school.id, YEAR, TODAY)
    assert matrix.cells[("bm6_pre16", 9)].band == ("progress", "In progress")
    assert matrix.cells[("bm8_pre16", 10)].band == ("progress", "In progress")
    assert matrix.cells[("bm6_pre16", 11)].band == ("low", "Low")  # the deadline year
    assert matrix.cells[("pal_y12_13", 12)].band == ("progress", "In progress")
    assert matrix.cells[("bm5_year", 9)].band == ("mid", "Patchy")


def test_the_encounter_export_shows_the_tutor_group_of_the_day(app, app_ctx, school,
                                                               fixture_school):
    p = fixture_school
    rows = [row for row, _bms in services.encounter_export_rows(school.id, 2024)
            if row.upn == p["11b"].upn]
    assert {row.tutor_group for row in rows} == {"10B"}
    rows = [row for row, _bms in services.encounter_export_rows(school.id, 2025)
            if row.upn == p["11b"].upn]
    assert {row.tutor_group for row in rows} == {"11A"}  # no record for 2025/26: today's


def test_several_schools_in_one_aggregate(app, app_ctx, school, fixture_school, make_school,
                                          count_statements):
    """Issue 15: one set of statements for every school, each pupil with its school."""
    from careers_app.extensions import db
    from careers_app.models import Pupil

    other = make_school(name="Other Academy", slug="other")
    persist(app, Pupil(school_id=other.id, upn="K886432100999", legal_forename="Ona",
                       surname="Other", cohort=2021, tutor_group="11X"))
    with count_statements() as statements:
        pupils = services.progress_for_schools([school.id, other.id], YEAR, TODAY)
    assert len(statements) == 4  # settings, roll, per-pupil counts, offers
    by_school = {}
    for pupil in pupils:
        by_school.setdefault(pupil.school_id, []).append(pupil)
    assert len(by_school[other.id]) == 1 and len(by_school[school.id]) == 12
    alone = {q.id: q.counts for q in services.progress(school.id, YEAR, TODAY)}
    assert {q.id: q.counts for q in by_school[school.id]} == alone
    db.session.rollback()

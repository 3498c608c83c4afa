"""The trust's figures are the schools' own dashboard figures, from a fixed number of
statements however many schools the trust has."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from careers_app.reports.figure_cache import figure_cache
from careers_app.database import write_transaction
from careers_app.demo import seed_demo
from careers_app.demo_groups import TRUST_NAME
from careers_app.domain.academic import academic_year_bounds, academic_year_of
from careers_app.domain.dates import today_london
from careers_app.domain.progress import Filters
from careers_app.domain.rules import RuleSettings, settings_to
from careers_app.extensions import db
from careers_app.groups import figures
from careers_app.groups.services import member_schools
from careers_app.models import School
from careers_app.models.group import SchoolGroup
from careers_app.reports import services as reports

from tests.helpers import Client

DEMO_PASSWORD = "trust-figures-password"


@pytest.fixture
def seeded(app):
    """Two demo schools in the demo trust, two years of history; the second school counts
    only level 6 guidance and asks for three workplace experiences."""
    with app.app_context():
        seed_demo(pupils=70, years=2, schools=2, password=DEMO_PASSWORD)
        with write_transaction():
            second = db.session.scalar(select(School).where(School.slug == "demo-2"))
            second.settings = settings_to(RuleSettings({"bm6_pre16": 3}, True), second.settings)
        group_id = db.session.scalar(select(SchoolGroup.id).where(SchoolGroup.name == TRUST_NAME))
        schools = member_schools(group_id)
        db.session.remove()
    return group_id, schools


FILTERS = [Filters(), Filters(send="any"), Filters(disadvantaged="yes", looked_after="no")]


@pytest.mark.parametrize("filters", FILTERS, ids=["everyone", "send", "pp"])
@pytest.mark.parametrize("back", [0, 1], ids=["this-year", "last-year"])
def test_trust_figures_equal_each_schools_dashboard(app, seeded, filters, back):
    _group_id, schools = seeded
    today = today_london()
    year = academic_year_of(today) - back
    day = min(today, academic_year_bounds(year)[1])
    with app.app_context():
        trust = figures.trust_figures(schools, year, day, filters)
        for row, (school_id, name) in zip(trust.schools, schools):
            own = reports.benchmark_matrix(school_id, year, today, filters)
            assert row.name == name
            assert row.cells == figures.rule_cells(own.cells)
            assert row.on_roll == sum(own.on_roll.values())
            if filters.active:
                assert row.filtered == figures.rule_cells(own.filtered)
            aggregate = figures.school_matrix(school_id, year, day, filters)
            assert aggregate.cells == own.cells and aggregate.on_roll == own.on_roll
            assert aggregate.filtered == own.filtered
        assert sum(r.cells["bm5_year"].total for r in trust.schools) == \
            trust.total.cells["bm5_year"].total > 0
        assert any(r.cells["bm5_year"].met for r in trust.schools)


def test_an_earlier_as_at_day_counts_less(app, seeded):
    _group_id, schools = seeded
    year = academic_year_of(today_london()) - 1
    start, end = academic_year_bounds(year)
    with app.app_context():
        early = figures.trust_figures(schools, year, start + timedelta(days=30)).total
        late = figures.trust_figures(schools, year, end).total
    assert sum(c.met for c in early.cells.values()) < sum(c.met for c in late.cells.values())


def test_the_page_shows_the_computed_figures(app, seeded):
    group_id, schools = seeded
    app.test_client_class = Client
    client = app.test_client()
    client.login("trust", DEMO_PASSWORD)
    year = academic_year_of(today_london())
    with app.app_context():
        trust = figures.trust_figures(schools, year, today_london(), total_label="All 2 schools")
    page = client.get(f"/trust?group={group_id}&year={year}").get_data(as_text=True)
    for row in [*trust.schools, trust.total]:
        cell = row.cells["bm5_year"]
        assert f"{cell.met} / {cell.total}" in page
    csv = client.get(f"/trust/figures.csv?group={group_id}&year={year}").get_data(as_text=True)
    total = trust.total.cells["bm5_year"]
    assert f"{trust.total.name},bm5_year,BM5,Employer encounter this year,{total.met},{total.total}" in csv


def _add_school(app, n: int) -> None:
    from careers_app.groups.services import add_group
    with app.app_context():
        seed_demo(pupils=14, years=1, schools=n, password=DEMO_PASSWORD)
        add_group(TRUST_NAME, "trust", [("demo" if i == 0 else f"demo-{i + 1}")
                                        for i in range(n)])
        db.session.remove()


def test_the_trust_page_statements_do_not_grow_with_the_schools(app, count_statements):
    _add_school(app, 2)
    app.test_client_class = Client
    client = app.test_client()
    client.login("trust", DEMO_PASSWORD)
    counts = []
    for n in (2, 5):
        _add_school(app, n)
        for url in ("/trust", "/trust?send=any", "/trust/figures.csv", "/trust/print"):
            # The cold path, where every school's figures are read (all in one read): a
            # cache warmed for some schools would make the two sizes take different paths.
            figure_cache.clear()
            with count_statements() as statements:
                assert client.get(url).status_code == 200
            counts.append((n, url, len(statements)))
    small = {url: c for n, url, c in counts if n == 2}
    large = {url: c for n, url, c in counts if n == 5}
    assert small == large, counts
    # The data versions (1), the settings, the roll and the counts; a flag filter adds its
    # own audit entry.
    assert max(large.values()) <= 12, counts

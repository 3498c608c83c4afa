"""No page runs a query per row: every staff and pupil page, counted at two roll sizes (issue 14).

The walk covers every GET endpoint in the url_map (the same URLs the role matrix visits), as
the careers leader, a tutor and a pupil. Between the two walks the school grows: more pupils
in the tutor's group and year group, more encounters with them, more encounters on the
pupil's own record. A page whose statement count changes runs a query per pupil or per
encounter (an N+1). tests/test_statement_counts.py pins the ceilings of the busiest pages.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from careers_app.domain.benchmarks import EncounterKind, OrganisationKind
from careers_app.extensions import db
from careers_app.models import Pupil

from tests.helpers import Client
from .test_role_matrix import _url, world  # noqa: F401  (world is a fixture)
from .test_statement_counts import add_pupils
from .querycount import statements_of

WALKERS = ("admin", "tutor", "pupil")


def _walk(app, client, ids) -> dict[str, int]:
    """Statements per URL for every page that answers 200."""
    counts = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "calendar.feed"):
            continue
        url = _url(app, rule, ids)
        with statements_of(app) as statements:
            response = client.get(url)
        if response.status_code == 200:
            counts[url] = len(statements)
    return counts


def _grow(app, school_id, pupil_id, make_encounter, make_organisation, size: int, round_: int):
    """`size` more pupils in 10A and across the school, and encounters for all of them."""
    in_group = [SimpleNamespace(id=i) for i in add_pupils(app, school_id, size, year=10,
                                                          tutor_group="10A")]
    elsewhere = [SimpleNamespace(id=i) for i in add_pupils(app, school_id, size)]
    me = SimpleNamespace(id=pupil_id)
    college = make_organisation(f"College {round_}", OrganisationKind.FE_COLLEGE)
    for _ in range(3):
        make_encounter([me, *in_group, *elsewhere])
    make_encounter([me, *in_group[::2]], EncounterKind.COLLEGE, organisation=college)
    make_encounter(elsewhere[::3], EncounterKind.UNIVERSITY)


@pytest.mark.parametrize("role", WALKERS)
def test_no_page_grows_with_the_roll(app, world, role, make_encounter,  # noqa: F811
                                     make_organisation):
    app.test_client_class = Client
    client = app.test_client()
    client.login(role)
    with app.app_context():
        school_id = db.session.scalar(select(Pupil.school_id).where(Pupil.id == world["pupil_id"]))
    _grow(app, school_id, world["pupil_id"], make_encounter, make_organisation, 5, 1)
    small = _walk(app, client, world)
    _grow(app, school_id, world["pupil_id"], make_encounter, make_organisation, 40, 2)
    large = _walk(app, client, world)
    assert len(small) >= (25 if role != "pupil" else 4), sorted(small)
    grown = {url: (small[url], large.get(url)) for url in small if large.get(url) != small[url]}
    assert grown == {}, f"{role}: statements at 5 and 40 more pupils: {grown}"

"""A tutor's home is their own tutor group, each pupil against each rule (issue 13)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from careers_app.domain.benchmarks import EncounterKind
from careers_app.extensions import db
from careers_app.models import Role


def test_a_tutor_lands_on_their_tutor_group(client, tutor, make_pupil, make_encounter):
    mine = [make_pupil(year=10, tutor_group="10A", surname=f"Mine{i}") for i in range(3)]
    other = make_pupil(year=10, tutor_group="10B", surname="Elsewhere")
    make_encounter(pupils=[mine[0], other], kind=EncounterKind.EMPLOYER_TALK)
    client.login("tutor")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Tutor group 10A</h1>" in html
    assert 'href="/encounters/new">Log an encounter</a>' in html
    for pupil in mine:
        assert pupil.surname in html
    assert "Elsewhere" not in html
    # Each pupil against each rule of Year 10: BM5 met by one pupil, not yet by the others.
    assert "Employer encounter this year" in html and "1 of 3 met" in html
    assert html.count("Met <span class=\"muted\">(1)</span>") == 1
    assert "Benchmark progress" not in html


def test_the_careers_leader_and_staff_without_a_group_keep_the_dashboard(client, lead, make_user):
    make_user("colleague", Role.STAFF)
    for username in ("lead", "colleague"):
        client.login(username)
        assert "<h1>Benchmark progress</h1>" in client.get("/").get_data(as_text=True)
        client.post("/logout")


def _statements(app, client) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


@pytest.mark.parametrize("first, second", [(3, 25)])
def test_the_group_is_read_in_a_fixed_number_of_statements(app, client, tutor, make_pupil,
                                                           make_encounter, first, second):
    client.login("tutor")
    pupils = [make_pupil(year=10, tutor_group="10A") for _ in range(first)]
    make_encounter(pupils=pupils)
    small, html = _statements(app, client)
    assert len(re.findall(r'<th scope="row">', html)) == first
    pupils += [make_pupil(year=10, tutor_group="10A") for _ in range(second - first)]
    make_encounter(pupils=pupils, kind=EncounterKind.WORKPLACE_VISIT)
    large, html = _statements(app, client)
    assert len(re.findall(r'<th scope="row">', html)) == second
    assert small == large

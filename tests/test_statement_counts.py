"""Pages and writes run a fixed number of SQL statements, whatever the number of pupils.

Each test counts the statements of one request at two sizes (tests/querycount.py): a count
that grows with the roll is a query per pupil (an N+1), and the ceiling keeps the fixed
cost honest.
"""
from __future__ import annotations

import itertools
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from careers_app.domain.academic import academic_year_of, cohort_for
from careers_app.domain.benchmarks import EncounterKind, OrganisationKind
from careers_app.domain.dates import today_london
from careers_app.domain.upn import make_upn
from careers_app.extensions import db
from careers_app.models import AuditLog, Participation, Pupil, Role

_serial = itertools.count(1)


def add_pupils(app, school_id: int, count: int, year: int | None = None,
               tutor_group: str | None = None) -> list[int]:
    """`count` pupils in one transaction (spread over Y7-13 unless `year` is given); ids."""
    academic_year = academic_year_of(today_london())
    pupils = []
    for index in range(count):
        n = next(_serial)
        year_group = year or 7 + index % 7
        pupils.append(Pupil(school_id=school_id, upn=make_upn(886, 5000 + n // 1000, 0, n % 1000),
                            legal_forename=f"Counted{n}", surname=f"Roll{n:05d}",
                            cohort=cohort_for(year_group, academic_year),
                            tutor_group=tutor_group or f"{year_group}C",
                            send_status="K" if index % 5 == 0 else "N",
                            disadvantaged=index % 3 == 0))
    with app.app_context():
        db.session.add_all(pupils)
        db.session.commit()
        ids = [p.id for p in pupils]
        db.session.remove()
    return ids


def statements_for(client, count_statements, url: str) -> int:
    with count_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


# Counted just after a write (the figure cache's refresh: one statement for the data
# version, then the roll, the counts and the offers for every rule, which drill-downs share);
# on unchanged data the three reads are skipped.
REPORT_PAGES = [
    ("/reports/benchmarks", 7),
    ("/reports/benchmarks?send=any&disadvantaged=yes", 7),
    ("/reports/benchmarks/bm5_year/9", 8),
    ("/reports/benchmarks/pal_y8_9/9?send=K", 8),
    ("/reports/pal?show=all", 8),
    ("/reports/benchmarks.csv", 7),
    ("/reports/pal.csv", 8),
]


@pytest.mark.parametrize("url, ceiling", REPORT_PAGES)
def test_reports_do_not_query_per_pupil(app, client, lead, school, make_encounter,
                                        make_organisation, count_statements, url, ceiling):
    college = make_organisation("Riverside College", OrganisationKind.FE_COLLEGE)
    client.login("lead")
    counts = []
    for size in (10, 60):
        pupils = [SimpleNamespace(id=i) for i in add_pupils(app, school.id, size)]
        make_encounter(pupils)
        make_encounter(pupils[::2], EncounterKind.COLLEGE, organisation=college)
        counts.append(statements_for(client, count_statements, url))
    assert counts[0] == counts[1], f"{url}: {counts} statements for 10 and 60 more pupils"
    assert counts[1] <= ceiling, f"{url}: {counts[1]} statements"


def test_own_record_does_not_query_per_encounter(app, client, make_user, make_pupil,
                                                 make_encounter, make_organisation,
                                                 count_statements):
    """/me: the pupil's own progress and record, with more encounters and classmates."""
    pupil = make_pupil(year=12, tutor_group="12A")
    make_user("pupil", Role.PUPIL, pupil_id=pupil.id)
    college = make_organisation("Riverside College", OrganisationKind.FE_COLLEGE)
    client.login("pupil")
    kinds = [EncounterKind.EMPLOYER_TALK, EncounterKind.COLLEGE, EncounterKind.GUIDANCE_INTERVIEW,
             EncounterKind.LABOUR_MARKET_INFO]
    counts = []
    for size in (2, 20):
        classmates = [make_pupil(year=12, tutor_group="12A") for _ in range(size)]
        for n, classmate in enumerate(classmates):
            kind = kinds[n % len(kinds)]
            make_encounter([pupil, classmate] if kind != EncounterKind.GUIDANCE_INTERVIEW
                           else [pupil], kind, on=today_london() - timedelta(days=n),
                           organisation=college if kind == EncounterKind.COLLEGE else None)
        counts.append(statements_for(client, count_statements, "/me"))
    assert counts[0] == counts[1], f"/me: {counts} statements for 2 and 20 more encounters"
    # user, pupil, record (with benchmarks and organisations), guidance, settings, offered
    # to the year group, planned events, placements (issue 14: was 14)
    assert counts[1] <= 8, counts


# A full ORM load of an encounter or placement shows as columns the pages never show.
NOT_SHOWN = ("encounter.created_by_id", "encounter.invited_groups, encounter.adviser",
             "placement.contact_email", "encounter_benchmark.encounter_id IN")


@pytest.mark.parametrize("who, ceiling", [("pupil", 7), ("lead", 7)])
def test_own_record_and_pupil_page_select_only_what_they_show(
        app, client, make_user, make_pupil, make_encounter, make_organisation, lead,
        count_statements, who, ceiling):
    """/me and /pupils/<id> read the columns they show (issue 14), never whole rows."""
    pupil = make_pupil(year=10, tutor_group="10A")
    make_user("pupil", Role.PUPIL, pupil_id=pupil.id)
    college = make_organisation("Riverside College", OrganisationKind.FE_COLLEGE)
    for n, kind in enumerate([EncounterKind.EMPLOYER_TALK, EncounterKind.COLLEGE]):
        make_encounter([pupil], kind, on=today_london() - timedelta(days=n),
                       organisation=college if kind == EncounterKind.COLLEGE else None)
    client.login(who)
    with count_statements() as statements:
        response = client.get("/me" if who == "pupil" else f"/pupils/{pupil.id}")
    assert response.status_code == 200 and "Riverside College" in response.get_data(as_text=True)
    for fragment in NOT_SHOWN:
        assert not statements.matching(fragment), statements.text()
    assert len(statements) <= ceiling, statements.text()


def test_pupil_list_does_not_query_per_pupil(app, client, lead, school, count_statements):
    """The audit entry for viewing the flags used to expire the page's pupils before the
    template read them: one SELECT per pupil listed."""
    client.login("lead")
    counts = []
    for size in (10, 40):
        add_pupils(app, school.id, size)
        counts.append(statements_for(client, count_statements, "/pupils/"))
    assert counts[0] == counts[1], f"/pupils/: {counts} statements for 10 and 50 pupils"
    assert counts[1] <= 8


def _quick_log(client, count_statements, pupil_ids, organisation=""):
    """Post the quick log for these pupils; the response and the POST's statements."""
    html = client.get("/encounters/new").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)
    with count_statements() as statements:
        response = client.post("/encounters/new", data={
            "kind": "employer_talk", "title": "NHS careers talk",
            "date": today_london().isoformat(), "organisation": organisation,
            "organisation_kind": "", "group": "", "meaningful": "y", "notes": "",
            "submission_key": key, "pupil_ids": [str(i) for i in pupil_ids]})
    return response, statements


@pytest.mark.parametrize("organisation", ["", "Northfield NHS Trust"])
def test_quick_log_writes_in_a_fixed_number_of_statements(app, client, tutor, school,
                                                          count_statements, organisation):
    """30 or 300 pupils: one SELECT of their ids, one multi-row INSERT, one audit entry for
    the participations, and no reading back after the commit."""
    client.login("tutor")
    counts = []
    for size in (30, 300):
        ids = add_pupils(app, school.id, size, year=10, tutor_group="10A")
        # A new organisation each time (its SELECT and INSERT), when one is named.
        name = f"{organisation} {size}" if organisation else ""
        response, statements = _quick_log(client, count_statements, ids, name)
        assert response.status_code == 303
        counts.append(len(statements))
        assert len(statements.matching("INSERT INTO participation")) == 1, statements.text()
        assert len(statements.matching("FROM pupil")) == 1, statements.text()
        assert not [s for s in statements.matching("FROM user")[1:]], statements.text()
        with app.app_context():
            encounter_id = int(response.headers["Location"].split("/")[-2])
            written = db.session.scalar(select(func.count()).select_from(Participation).where(
                Participation.encounter_id == encounter_id))
            entry = db.session.scalar(select(AuditLog).where(
                AuditLog.action == "create", AuditLog.entity == "participation")
                .order_by(AuditLog.id.desc()))
        assert written == size
        assert entry.detail.startswith(f"{size} rows: ") and entry.username == "tutor"
        assert entry.school_id == school.id
    assert counts[0] == counts[1], f"quick log: {counts} statements for 30 and 300 pupils"
    assert counts[1] <= 15


def test_quick_log_chunks_very_large_groups(app, client, tutor, school, count_statements,
                                            monkeypatch):
    """Above ROWS_PER_INSERT pupils the rows go in several INSERTs, all in one transaction."""
    from careers_app.encounters import services

    monkeypatch.setattr(services, "ROWS_PER_INSERT", 7)
    ids = add_pupils(app, school.id, 20, year=10, tutor_group="10A")
    client.login("tutor")
    response, statements = _quick_log(client, count_statements, ids)
    assert response.status_code == 303
    assert len(statements.matching("INSERT INTO participation")) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation)) == 20
        entries = db.session.scalars(select(AuditLog).where(
            AuditLog.entity == "participation")).all()
    assert len(entries) == 1 and entries[0].detail.startswith("20 rows: ")

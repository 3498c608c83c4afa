"""Fixtures: one migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL),
emptied after each test; a test client that sends the CSRF token like the htmx pages do;
and make_* factories."""
from __future__ import annotations

import itertools
import os
import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from careers_app import create_app
from careers_app.database import EVERYTHING, audit_pruning
from careers_app.domain.academic import academic_year_of, cohort_for
from careers_app.domain.benchmarks import EncounterKind, OrganisationKind, default_benchmarks
from careers_app.domain.dates import today_london
from careers_app.domain.upn import make_upn
from careers_app.extensions import db
from careers_app.calendar import services as calendar_services
from careers_app.models import CalendarToken
from careers_app.models.plans import ActionPlan, Milestone, PlanItem
from careers_app.models import (Encounter, EncounterBenchmark, Organisation, Participation, Pupil,
                                Role, School, User)
from tests.helpers import (CHROMIUM, CHROMIUM_ARGS, PASSWORD, PASSWORD_HASH, Client,  # noqa: F401
                           persist as _persist)

from .querycount import count_statements  # noqa: F401  (a fixture, for every test)


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'sqlite (temporary file)'}"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    """One app for the run, its database built by the Alembic migrations (not create_all)."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        "SERVER_NAME": None,
    })
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts with empty tables (the schema stays)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        # The audit log refuses deletes unless the transaction declares a cutoff.
        with db.engine.begin() as conn, audit_pruning(conn, EVERYTHING):
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def app_ctx(app):
    """An app context for tests that query the database directly (not around requests)."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


_counter = itertools.count(1)


@pytest.fixture
def make_school(app):
    def make(**overrides) -> School:
        n = next(_counter)
        return _persist(app, School(**{"name": f"School {n}", "slug": f"school-{n}", **overrides}))
    return make


@pytest.fixture
def school(make_school) -> School:
    return make_school(name="Test Academy", slug="test")


@pytest.fixture
def make_pupil(app, school):
    def make(year: int = 10, tutor_group: str | None = None, on: date | None = None,
             **overrides) -> Pupil:
        n = next(_counter)
        academic_year = academic_year_of(on or today_london())
        values = dict(school_id=school.id, upn=make_upn(886, 4321, 20 + n // 1000, n % 1000),
                      legal_forename=f"Pupil{n}", surname=f"Surname{n:04d}",
                      cohort=cohort_for(year, academic_year),
                      tutor_group=tutor_group or f"{year}A")
        values.update(overrides)
        return _persist(app, Pupil(**values))
    return make


@pytest.fixture
def make_user(app, school):
    def make(username: str | None = None, role: Role = Role.STAFF, **overrides) -> User:
        n = next(_counter)
        values = dict(school_id=school.id, username=username or f"user{n}",
                      display_name=f"User {n}", role=role, password_hash=PASSWORD_HASH,
                      active=True, session_version=1, must_change_password=False)
        values.update(overrides)
        return _persist(app, User(**values))
    return make


@pytest.fixture
def make_encounter(app, school):
    def make(pupils=(), kind: EncounterKind = EncounterKind.EMPLOYER_TALK, on: date | None = None,
             title: str | None = None, organisation: Organisation | None = None,
             benchmarks=None, created_by: User | None = None, **overrides) -> Encounter:
        on = on or today_london()
        values = dict(school_id=overrides.pop("school_id", school.id),
                      title=title or f"Encounter {next(_counter)}", kind=kind, date=on,
                      academic_year=academic_year_of(on),
                      organisation_id=organisation.id if organisation else None,
                      created_by_id=created_by.id if created_by else None)
        values.update(overrides)
        encounter = Encounter(**values)
        encounter.benchmark_rows = [EncounterBenchmark(benchmark=b) for b in
                                    (benchmarks if benchmarks is not None else default_benchmarks(kind))]
        encounter.participations = [Participation(school_id=values["school_id"], pupil_id=p.id)
                                    for p in pupils]
        return _persist(app, encounter)
    return make


@pytest.fixture
def make_organisation(app, school):
    def make(name: str = "Northfield NHS Trust", kind=OrganisationKind.EMPLOYER, **overrides):
        return _persist(app, Organisation(school_id=overrides.pop("school_id", school.id),
                                          name=name, kind=kind, **overrides))
    return make


@pytest.fixture
def tutor(make_user):
    return make_user("tutor", Role.STAFF, tutor_group="10A", display_name="Mr Tutor")


@pytest.fixture
def lead(make_user):
    return make_user("lead", Role.ADMIN, display_name="Ms Lead")


@pytest.fixture
def pupil_user(make_user, make_pupil):
    pupil = make_pupil(year=10, tutor_group="10A", legal_forename="Pia", surname="Pupil")
    return make_user("pupil", Role.PUPIL, pupil_id=pupil.id, display_name="Pia Pupil")


# Plans, items, milestones and calendar links ------------------------------------------------

_plan_numbers = itertools.count(1)


@pytest.fixture
def make_plan(app, school):
    def make(**overrides) -> ActionPlan:
        values = dict(school_id=school.id, title=f"Careers action plan {next(_plan_numbers)}",
                      period="2025-2027")
        values.update(overrides)
        return _persist(app, ActionPlan(**values))
    return make


@pytest.fixture
def make_item(app, school, make_plan):
    def make(plan: ActionPlan | None = None, **overrides) -> PlanItem:
        plan = plan or make_plan()
        values = dict(school_id=school.id, plan_id=plan.id, benchmark=5,
                      aim="Every pupil meets employers", actions="Invite employers to assemblies",
                      lead_name="Enterprise Adviser")
        values.update(overrides)
        return _persist(app, PlanItem(**values))
    return make


@pytest.fixture
def make_milestone(app, school, make_item):
    def make(item: PlanItem | None = None, **overrides) -> Milestone:
        item = item or make_item()
        values = dict(school_id=school.id, item_id=item.id, title=f"Milestone {next(_plan_numbers)}",
                      date=date(2026, 3, 3))
        values.update(overrides)
        return _persist(app, Milestone(**values))
    return make


@pytest.fixture
def make_link(app):
    """A calendar link for a user; returns (row, raw token)."""
    def make(user, scope: str = "all", plan_id: int | None = None):
        token, digest = calendar_services.new_token()
        row = _persist(app, CalendarToken(school_id=user.school_id, user_id=user.id, scope=scope,
                                          plan_id=plan_id, token_hash=digest))
        return row, token
    return make


# Real-browser tests ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright. Required in CI; skipped elsewhere if missing."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip("Debian chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served on a free local port in a thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page on the live server. `page.problems` collects console errors."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []

    def on_console(message):
        # A 422 is a form's normal answer to bad input; the browser logs it anyway.
        if message.type == "error" and "status of 422" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()



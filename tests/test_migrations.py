"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from careers_app.extensions import db


def test_upgrade_on_empty_database_matches_the_models(app, app_ctx):
    # The session fixture built this database with `flask db upgrade`, not create_all.
    with db.engine.connect() as conn:
        assert "alembic_version" in inspect(conn).get_table_names()
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_school_owned_table_carries_its_school(app, app_ctx):
    # The school itself; a pure child of encounter; login attempts (per username, not per school);
    # feedback-link attempts (per address: a guessed link names no school); groups of schools,
    # which stand above any one school (their members carry school_id).
    exempt = {"school", "encounter_benchmark", "login_attempt", "feedback_attempt",
              "school_group", "group_lead",
              # the shared organisation directory: one record for every school of a group
              # (each school's own row, with its private notes, is `organisation`)
              "directory_organisation"}
    for table in db.metadata.sorted_tables:
        if table.name in exempt:
            continue
        assert "school_id" in table.c, f"{table.name} has no school_id"


def test_rebuilding_tables_loses_no_rows(app, app_ctx, make_pupil, make_encounter,
                                         make_organisation):
    """SQLite rebuilds a table to change its constraints (0021 rebuilds encounter and
    organisation). With foreign keys enforced, dropping the old copy would cascade: every
    participation deleted, every organisation link blanked. Down and up again keeps all."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, select

    from careers_app.domain.benchmarks import EncounterKind, OrganisationKind
    from careers_app.models import Encounter, EncounterBenchmark, Participation

    college = make_organisation("Riverside College", OrganisationKind.FE_COLLEGE)
    pupils = [make_pupil(year=10) for _ in range(3)]
    make_encounter(pupils, EncounterKind.COLLEGE, organisation=college)

    def counts():
        return (db.session.scalar(select(func.count()).select_from(Participation)),
                db.session.scalar(select(func.count()).select_from(EncounterBenchmark)),
                db.session.scalar(select(func.count(Encounter.organisation_id))))

    before = counts()
    db.session.remove()
    downgrade(revision="0020")
    upgrade()
    assert before == (3, 1, 1)
    assert counts() == before

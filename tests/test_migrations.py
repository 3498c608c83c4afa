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

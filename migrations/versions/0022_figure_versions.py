"""figure versions: a per-school data version and change log, kept by triggers (issue 14)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01

Benchmark figures are cached (careers_app/reports/figure_cache.py). A cached figure set is
valid only for the data version it was computed from, read from the database, so several
gunicorn workers, or several app hosts on one PostgreSQL, never disagree.

Triggers, not application code, keep the version: every write that can change a figure
(participations, encounters and their benchmarks and offers, pupils and their per-year
records, an organisation's kind, a school's rule settings) raises its school's version in the
same transaction, whether it comes from the ORM, a bulk INSERT, the MIS import, a migration
or a psql session. Each raise also records which pupils it touched (figure_change), so a
cache brings only those pupils up to date; pupil_id NULL means "every pupil" (a setting or an
organisation's kind changed). The log is pruned as it grows: figure_version.pruned_to says
how far, and a cache older than that recomputes everything. `epoch` is a random number
drawn when the school's row is made: a school deleted and made again under the same id, or a
database restored from a backup, never matches a cache made before. `paused` lets a bulk load
of a school made in the same transaction (the demo seed) skip the per-row bookkeeping; it
ends by raising the version once with "every pupil" (careers_app/reports/figure_cache.py,
`untracked_bulk_load`).

SQLite gets row-level triggers. PostgreSQL gets statement-level triggers with transition
tables for INSERT and DELETE, so a 300-pupil quick log raises the version once, and row-level
triggers for UPDATEs of the columns that matter.
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

PRUNE_EVERY = 500  # versions between prunes
KEEP = 5000  # versions of change log kept

# (table, events, columns for UPDATE, school_id of each source row "r",
#  SELECT of (school_id, pupil_id) changed, over source rows "r").
# Source rows are NEW (inserts, updates) or OLD (deletes, and updates of participation, whose
# pupil or encounter may change).
PUPIL_OF = "SELECT r.school_id AS school_id, r.pupil_id AS pupil_id FROM {src} r"
TRACKED = (
    ("participation", ("INSERT", "DELETE", "UPDATE"), ("pupil_id", "encounter_id"),
     PUPIL_OF),
    ("pupil", ("INSERT", "DELETE", "UPDATE"),
     ("cohort", "tutor_group", "send_status", "disadvantaged", "looked_after", "considering_he",
      "joined_on", "left_on", "legal_forename", "preferred_forename", "surname", "upn"),
     "SELECT r.school_id AS school_id, r.id AS pupil_id FROM {src} r"),
    ("pupil_year", ("INSERT", "DELETE", "UPDATE"),
     ("academic_year", "tutor_group", "send_status", "disadvantaged", "looked_after",
      "considering_he"),
     PUPIL_OF),
    ("encounter", ("UPDATE",),
     ("date", "academic_year", "organisation_id", "meaningful", "deleted_at", "planned",
      "adviser_level6", "adviser_name", "kind"),
     "SELECT r.school_id AS school_id, p.pupil_id AS pupil_id FROM {src} r "
     "JOIN participation p ON p.encounter_id = r.id"),
    ("encounter_benchmark", ("INSERT", "DELETE"), (),
     "SELECT e.school_id AS school_id, p.pupil_id AS pupil_id FROM {src} r "
     "JOIN encounter e ON e.id = r.encounter_id "
     "JOIN participation p ON p.encounter_id = r.encounter_id"),
    # An offer to a year group reaches every pupil of that cohort in the school.
    ("encounter_offer", ("INSERT", "DELETE"), (),
     "SELECT r.school_id AS school_id, p.id AS pupil_id FROM {src} r "
     "JOIN pupil p ON p.school_id = r.school_id AND p.cohort = r.cohort"),
    ("organisation", ("UPDATE",), ("kind",),
     "SELECT r.school_id AS school_id, CAST(NULL AS INTEGER) AS pupil_id FROM {src} r"),
    ("school", ("UPDATE",), ("settings",),
     "SELECT r.id AS school_id, CAST(NULL AS INTEGER) AS pupil_id FROM {src} r"),
)
# Whose version a source row raises, even when it touched no pupil (an encounter with nobody
# on it, an offer): a version with no change rows still makes every cache re-read its
# year-group counts.
SCHOOL_OF = {
    "encounter_benchmark": "SELECT e.school_id AS school_id FROM {src} r "
                           "JOIN encounter e ON e.id = r.encounter_id",
    "school": "SELECT r.id AS school_id FROM {src} r",
}


def _school_select(table: str) -> str:
    return SCHOOL_OF.get(table, "SELECT r.school_id AS school_id FROM {src} r")


def _name(table: str, event: str) -> str:
    return f"figures_{table}_{event.lower()}"


# SQLite ---------------------------------------------------------------------------------------

# SQLite has no statement-level triggers, so each row's bookkeeping is kept to two indexed
# statements written out per table (a generic subquery form cost ten times as much a row).
# table -> (the school of row R, the pupils it touched as "FROM ... WHERE" over R, or a value).
SQLITE_ROWS = {
    "participation": ("R.school_id", "R.pupil_id"),
    "pupil": ("R.school_id", "R.id"),
    "pupil_year": ("R.school_id", "R.pupil_id"),
    "encounter": ("R.school_id", "JOIN participation p ON p.encounter_id = R.id"),
    "encounter_benchmark": ("(SELECT school_id FROM encounter WHERE id = R.encounter_id)",
                            "JOIN participation p ON p.encounter_id = R.encounter_id"),
    "encounter_offer": ("R.school_id",
                        "JOIN pupil p ON p.school_id = R.school_id AND p.cohort = R.cohort"),
    "organisation": ("R.school_id", "NULL"),
    "school": ("R.id", "NULL"),
}


def _sqlite_steps(table: str, row: str) -> list[str]:
    school, pupils = (part.replace("R.", f"{row}.") for part in SQLITE_ROWS[table])
    if pupils.startswith("JOIN"):
        column = "p.id" if pupils.startswith("JOIN pupil ") else "p.pupil_id"
        change = (f"SELECT f.school_id, f.version, {column} FROM figure_version f {pupils} "
                  f"WHERE f.school_id = {school} AND NOT f.paused;")
    else:
        change = (f"SELECT f.school_id, f.version, {pupils} FROM figure_version f "
                  f"WHERE f.school_id = {school} AND NOT f.paused;")
    return [f"UPDATE figure_version SET version = version + 1 "
            f"WHERE school_id = {school} AND NOT paused;",
            "INSERT INTO figure_change (school_id, version, pupil_id) " + change]


def _sqlite_trigger(table: str, event: str, columns, _changed: str) -> list[str]:
    rows = ("OLD",) if event == "DELETE" else ("NEW", "OLD") if table == "participation" \
        and event == "UPDATE" else ("NEW",)
    of = f" OF {', '.join(columns)}" if event == "UPDATE" and columns else ""
    steps = [step for row in rows for step in _sqlite_steps(table, row)]
    return [f"CREATE TRIGGER {_name(table, event)} AFTER {event}{of} ON {table} "
            "BEGIN " + " ".join(steps) + " END"]


SQLITE_PRUNE = f"""
    CREATE TRIGGER figures_prune AFTER UPDATE OF version ON figure_version
    WHEN NEW.version % {PRUNE_EVERY} = 0
    BEGIN
        DELETE FROM figure_change
        WHERE school_id = NEW.school_id AND version <= NEW.version - {KEEP};
        UPDATE figure_version SET pruned_to = NEW.version - {KEEP}
        WHERE school_id = NEW.school_id AND NEW.version > {KEEP};
    END
"""
SQLITE_NEW_SCHOOL = """
    CREATE TRIGGER figures_new_school AFTER INSERT ON school
    BEGIN
        INSERT INTO figure_version (school_id, version, pruned_to, epoch)
        VALUES (NEW.id, 1, 0, abs(random() % 9007199254740991));
    END
"""


# PostgreSQL -----------------------------------------------------------------------------------

def _postgres_function(name: str, changed: str, schools: str) -> str:
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger AS $$
        BEGIN
            WITH c AS ({changed}),
                 s AS (SELECT DISTINCT school_id FROM ({schools}) x),
                 v AS (UPDATE figure_version f SET version = f.version + 1 FROM s
                       WHERE f.school_id = s.school_id AND NOT f.paused
                       RETURNING f.school_id, f.version)
            INSERT INTO figure_change (school_id, version, pupil_id)
            SELECT c.school_id, v.version, c.pupil_id FROM c JOIN v USING (school_id);
            RETURN NULL;
        END; $$ LANGUAGE plpgsql
    """


def _postgres_trigger(table: str, event: str, columns, changed: str) -> list[str]:
    name = _name(table, event)
    if event == "UPDATE":
        # Row level: PostgreSQL allows no column list with transition tables.
        src = ("(SELECT NEW.* UNION ALL SELECT OLD.*)" if table == "participation"
               else "(SELECT NEW.*)")
        return [_postgres_function(name, changed.format(src=src),
                                   _school_select(table).format(src=src)),
                f"CREATE TRIGGER {name} AFTER UPDATE OF {', '.join(columns)} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"]
    alias = "new_rows" if event == "INSERT" else "old_rows"
    which = "NEW" if event == "INSERT" else "OLD"
    return [_postgres_function(name, changed.format(src=alias),
                               _school_select(table).format(src=alias)),
            f"CREATE TRIGGER {name} AFTER {event} ON {table} "
            f"REFERENCING {which} TABLE AS {alias} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"]


POSTGRES_PRUNE = [f"""
    CREATE FUNCTION figures_prune() RETURNS trigger AS $$
    BEGIN
        DELETE FROM figure_change
        WHERE school_id = NEW.school_id AND version <= NEW.version - {KEEP};
        UPDATE figure_version SET pruned_to = NEW.version - {KEEP}
        WHERE school_id = NEW.school_id AND NEW.version > {KEEP};
        RETURN NULL;
    END; $$ LANGUAGE plpgsql
""", f"""
    CREATE TRIGGER figures_prune AFTER UPDATE OF version ON figure_version
    FOR EACH ROW WHEN (NEW.version % {PRUNE_EVERY} = 0) EXECUTE FUNCTION figures_prune()
"""]
POSTGRES_NEW_SCHOOL = ["""
    CREATE FUNCTION figures_new_school() RETURNS trigger AS $$
    BEGIN
        INSERT INTO figure_version (school_id, version, pruned_to, epoch)
        VALUES (NEW.id, 1, 0, floor(random() * 9007199254740991)::bigint);
        RETURN NULL;
    END; $$ LANGUAGE plpgsql
""", """
    CREATE TRIGGER figures_new_school AFTER INSERT ON school
    FOR EACH ROW EXECUTE FUNCTION figures_new_school()
"""]


def _statements(postgres: bool) -> list[str]:
    make = _postgres_trigger if postgres else _sqlite_trigger
    statements = []
    for table, events, columns, changed in TRACKED:
        for event in events:
            statements.extend(make(table, event, columns, changed))
    statements.extend(POSTGRES_PRUNE + POSTGRES_NEW_SCHOOL if postgres
                      else [SQLITE_PRUNE, SQLITE_NEW_SCHOOL])
    return statements


def upgrade():
    op.create_table(
        'figure_version',
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('pruned_to', sa.BigInteger(), nullable=False),
        sa.Column('epoch', sa.BigInteger(), nullable=False),
        sa.Column('paused', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('school_id'),
    )
    op.create_table(
        'figure_change',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('pupil_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_figure_change_school_version', 'figure_change',
                    ['school_id', 'version'])
    random = ("floor(random() * 9007199254740991)::bigint"
              if op.get_bind().dialect.name == "postgresql" else "abs(random() % 9007199254740991)")
    op.execute("INSERT INTO figure_version (school_id, version, pruned_to, epoch) "
               f"SELECT id, 1, 0, {random} FROM school")
    for statement in _statements(op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    names = [(_name(t, e), t) for t, events, _c, _s in TRACKED for e in events]
    names += [("figures_prune", "figure_version"), ("figures_new_school", "school")]
    for name, table in names:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_figure_change_school_version', table_name='figure_change')
    op.drop_table('figure_change')
    op.drop_table('figure_version')

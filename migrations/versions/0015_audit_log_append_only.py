"""audit log append-only: refuse DELETE as well as UPDATE; names out of audit rows

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24

- DELETE on audit_log is refused by a trigger on both databases (and TRUNCATE on
  PostgreSQL), except for rows older than the cutoff a transaction has declared through
  careers_app.database.audit_pruning(): the retention job.
- audit_log.username becomes actor_label: it now holds a name only when the actor is not
  an account (the command line, or a username typed at a login that matched no account).
  Account holders are identified by user_id alone, so erasing a pupil's account leaves no
  name or name-derived username behind. Existing rows are scrubbed once, here.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SQLITE_NO_UPDATE = """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
"""
# careers_audit_prune_before() is registered by the app on every SQLite connection; it
# returns '' (which no timestamp is below) unless the retention job declared a cutoff.
# Where the function does not exist (the sqlite3 shell) the trigger fails: still refused.
SQLITE_NO_DELETE = """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    WHEN NOT (OLD.at < careers_audit_prune_before())
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
"""
POSTGRES_NO_DELETE = """
    CREATE FUNCTION audit_log_refuse_delete() RETURNS trigger AS $$
    DECLARE
        cutoff text := COALESCE(current_setting('careers.audit_prune_before', true), '');
    BEGIN
        IF cutoff <> '' AND OLD.at < cutoff::timestamptz THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only';
    END; $$ LANGUAGE plpgsql
"""
POSTGRES_NO_TRUNCATE = """
    CREATE FUNCTION audit_log_refuse_truncate() RETURNS trigger AS $$
    BEGIN
        IF COALESCE(current_setting('careers.audit_prune_before', true), '') = 'infinity' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only';
    END; $$ LANGUAGE plpgsql
"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _without_update_trigger(statement: str) -> None:
    """Run one controlled UPDATE of old rows, with the append-only trigger lifted for it."""
    if _postgres():
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        op.execute(statement)
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(statement)
        op.execute(SQLITE_NO_UPDATE)


def upgrade():
    op.execute("ALTER TABLE audit_log RENAME COLUMN username TO actor_label")
    _without_update_trigger("UPDATE audit_log SET actor_label = '' WHERE user_id IS NOT NULL")
    if _postgres():
        op.execute(POSTGRES_NO_DELETE)
        op.execute("""
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_delete()
        """)
        op.execute(POSTGRES_NO_TRUNCATE)
        op.execute("""
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_truncate()
        """)
    else:
        op.execute(SQLITE_NO_DELETE)


def downgrade():
    if _postgres():
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_truncate()")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_delete()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    # Best effort: the usernames of accounts that still exist.
    _without_update_trigger(
        'UPDATE audit_log SET actor_label = (SELECT username FROM "user" '
        'WHERE "user".id = audit_log.user_id) '
        'WHERE user_id IS NOT NULL AND EXISTS (SELECT 1 FROM "user" WHERE "user".id = audit_log.user_id)')
    op.execute("ALTER TABLE audit_log RENAME COLUMN actor_label TO username")

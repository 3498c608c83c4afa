"""Database engine set-up and the write-transaction helper.

SQLite is tuned for a multi-process web server: WAL so readers never block the writer,
a busy timeout so writers queue instead of failing, foreign keys on, and write
transactions opened with BEGIN IMMEDIATE so two writers never deadlock on a lock upgrade
("database is locked"). Reads keep plain deferred transactions and never block anyone.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from flask import has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from .extensions import db

_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)

BUSY_TIMEOUT_MS = 10_000

# Requests that must never change anything (RFC 9110 safe methods). Werkzeug answers HEAD
# with the GET view, and CSRF protection skips all three, so a write reachable from any of
# them could be triggered by any page the user visits.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a safe request may still write: the security bookkeeping, nothing else. A view of
# special-category data, a refused access or a subject-access export adds an audit row, and
# a calendar feed notes when its link was last used. Anything else raises UnsafeWrite.
SAFE_METHOD_BOOKKEEPING = (
    re.compile(r"INSERT INTO audit_log\b", re.IGNORECASE),
    # That one column only (no comma: no other column in the SET list).
    re.compile(r"UPDATE calendar_token SET last_used_at=[^,]*? WHERE\b", re.IGNORECASE),
)
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "TRUNCATE",
                          "CREATE", "DROP", "ALTER", "COPY", "GRANT", "REVOKE", "VACUUM",
                          "REINDEX", "COMMENT", "LOCK"})
_FIRST_WORD = re.compile(r"\s*\(?\s*([A-Za-z]+)")
_DML_IN_CTE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class UnsafeWrite(RuntimeError):
    """A GET, HEAD or OPTIONS request tried to change the database: a bug, refused."""


def is_write_statement(statement: str) -> bool:
    """True for any SQL statement that can change data or schema."""
    match = _FIRST_WORD.match(statement)
    verb = match.group(1).upper() if match else ""
    return verb in _WRITE_VERBS or (verb == "WITH" and bool(_DML_IN_CTE.search(statement)))


def _refuse_writes_on_safe_requests(_conn, _cursor, statement, _parameters, _context,
                                    _executemany):
    """The one guard: no statement that writes reaches the database during a safe request.

    It sits below the ORM, so an autoflush, a bulk update, a raw `text()` and a
    `write_transaction()` are all caught alike, whichever view or service issued them.
    """
    if not has_request_context() or request.method not in SAFE_METHODS:
        return
    if not is_write_statement(statement):
        return
    if any(allowed.match(statement) for allowed in SAFE_METHOD_BOOKKEEPING):
        return
    raise UnsafeWrite(f"{request.method} {request.path} tried to write: {statement[:80]}")


def configure_sqlite(engine: Engine) -> None:
    """Install the pragmas and the BEGIN handling on a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised via engine
        # Take transaction control away from the sqlite3 module so we can BEGIN ourselves.
        dbapi_connection.isolation_level = None
        # The audit log's delete trigger asks this (see audit_pruning); where the function is
        # missing, as in the sqlite3 shell, the trigger fails and so refuses every delete.
        dbapi_connection.create_function("careers_audit_prune_before", 0, _sqlite_prune_before)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def init_engine_events(app) -> None:
    """Attach SQLite tuning to the app's engine when the database is SQLite, and the
    safe-method write guard to every engine."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)
        if not event.contains(engine, "before_cursor_execute", _refuse_writes_on_safe_requests):
            event.listen(engine, "before_cursor_execute", _refuse_writes_on_safe_requests)


# The audit log is append-only in the database itself (migration 0008): triggers refuse every
# UPDATE and DELETE (and, on PostgreSQL, TRUNCATE). The one exception is a transaction that
# has declared, through audit_pruning(), the cutoff before which entries may go: the
# retention job. Rows newer than the cutoff stay refused even then.
_prune_before: ContextVar[str] = ContextVar("audit_prune_before", default="")
EVERYTHING = datetime.max.replace(tzinfo=timezone.utc)
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite


def _sqlite_prune_before() -> str:
    # '' sorts before every stored timestamp, so without a declared cutoff nothing may go.
    return _prune_before.get()


@contextmanager
def audit_pruning(connection: Connection, before: datetime) -> Iterator[None]:
    """Within `connection`'s current transaction, let audit entries older than `before` be
    deleted. Only the retention job (and the test suite's clean-up) uses it."""
    before_utc = before.astimezone(timezone.utc)
    if connection.dialect.name == "postgresql":
        # is_local: the setting ends with the transaction, committed or not.
        value = "infinity" if before == EVERYTHING else before_utc.isoformat()
        connection.execute(text("SELECT set_config('careers.audit_prune_before', :value, true)"),
                           {"value": value})
    token = _prune_before.set(before_utc.strftime(SQLITE_DATETIME))
    try:
        yield
    finally:
        _prune_before.reset(token)


@contextmanager
def write_transaction() -> Iterator:
    """Run the block as one write transaction: commit on success, roll back on error.

    Any read transaction the request already holds is ended first, so that on SQLite the
    write starts with BEGIN IMMEDIATE and queues for the lock instead of failing.
    """
    session = db.session
    session.commit()
    token = _immediate.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _immediate.reset(token)


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, lower-cased, with %, _ and \\ taken literally.

    Use with `.like(pattern, escape="\\\\")` on a lower-cased column.
    """
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def backup_sqlite(path: str) -> tuple[int, str]:
    """Copy the live SQLite database to `path` with SQLite's online backup API.

    The copy is taken a few pages at a time, so writers are never blocked for long; returns
    the number of pages and the result of PRAGMA integrity_check on the copy.
    """
    import sqlite3

    source_path = db.engine.url.database
    source = sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_MS / 1000)
    target = sqlite3.connect(path)
    try:
        source.backup(target, pages=256, sleep=0.001)
        pages = target.execute("PRAGMA page_count").fetchone()[0]
        integrity = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    return pages, integrity

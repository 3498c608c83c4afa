"""Database engine set-up and the write-transaction helper.

SQLite is tuned for a multi-process web server: WAL so readers never block the writer,
a busy timeout so writers queue instead of failing, foreign keys on, and write
transactions opened with BEGIN IMMEDIATE so two writers never deadlock on a lock upgrade
("database is locked"). Reads keep plain deferred transactions and never block anyone.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)

BUSY_TIMEOUT_MS = 10_000


def configure_sqlite(engine: Engine) -> None:
    """Install the pragmas and the BEGIN handling on a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised via engine
        # Take transaction control away from the sqlite3 module so we can BEGIN ourselves.
        dbapi_connection.isolation_level = None
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
    """Attach SQLite tuning to the app's engine when the database is SQLite."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)


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

"""Count the SQL statements a block of code sends to the database.

Use the `count_statements` fixture (imported into tests/conftest.py):

    with count_statements() as statements:
        client.get("/reports/benchmarks")
    assert len(statements) <= 12, statements.text()

A page whose statement count grows with the number of pupils runs a query per pupil (an N+1):
count the same page at two roll sizes and compare, as well as pinning a ceiling.

An executemany counts once per parameter set: the driver sends (or at best pipelines) one
statement per row, so fifty rows written that way are fifty statements, not one.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from careers_app.extensions import db

# Transaction control and connection set-up are not queries the code chose to run.
_IGNORED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


class StatementLog(list):
    """The statements seen, in order, one SQL string each."""

    def text(self) -> str:
        """All statements, numbered, for an assertion message."""
        return "\n".join(f"{n}: {sql[:300]}" for n, sql in enumerate(self, start=1))

    def matching(self, fragment: str) -> list[str]:
        """The statements that contain `fragment` (case-insensitive)."""
        fragment = fragment.lower()
        return [sql for sql in self if fragment in sql.lower()]


@contextmanager
def statements_of(app) -> Iterator[StatementLog]:
    """Record every statement the app's engine executes inside the block."""
    log = StatementLog()

    def before_cursor_execute(_conn, _cursor, statement, parameters, _context, executemany):
        if not statement.lstrip().upper().startswith(_IGNORED):
            # A real executemany gets the list of parameter sets; SQLAlchemy's batched
            # "insertmanyvalues" also says executemany but sends one set per statement.
            rows = len(parameters) if executemany and isinstance(parameters, list) else 1
            log.extend([statement] * rows)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


@pytest.fixture
def count_statements(app):
    """A context manager factory: `with count_statements() as statements: ...`."""
    return lambda: statements_of(app)

"""SQLite tuning and the write-transaction helper."""
import threading

import pytest
from sqlalchemy import event, func, select, text

from careers_app import create_app
from careers_app.config import load_config
from careers_app.database import contains_pattern, write_transaction
from careers_app.extensions import db
from careers_app.models import School


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///careers.db"


@pytest.mark.parametrize("given, expected", [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_from_the_environment(monkeypatch, tmp_path, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == expected


def test_secret_key_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_config(str(tmp_path))["SECRET_KEY"] == "from-the-environment"


@pytest.fixture
def sqlite_app(tmp_path):
    from flask_migrate import upgrade
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        upgrade()
    return app


def test_sqlite_pragmas(sqlite_app):
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_writes_begin_immediate_and_reads_do_not(sqlite_app):
    statements = []
    with sqlite_app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *a: statements.append(statement))
        db.session.scalar(select(func.count()).select_from(School))
        db.session.commit()
        with write_transaction():
            db.session.add(School(name="A", slug="a"))
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_write_transaction_rolls_back_everything_on_error(sqlite_app):
    with sqlite_app.app_context():
        with pytest.raises(RuntimeError):
            with write_transaction():
                db.session.add(School(name="A", slug="a"))
                db.session.flush()
                raise RuntimeError("boom")
        assert db.session.scalar(select(func.count()).select_from(School)) == 0


def test_concurrent_writers_queue_instead_of_failing(sqlite_app):
    errors = []

    def writer(n):
        try:
            with sqlite_app.app_context():
                for i in range(15):
                    with write_transaction():
                        db.session.add(School(name=f"S{n}-{i}", slug=f"s{n}-{i}"))
                db.session.remove()
        except Exception as error:  # pragma: no cover - the assertion reports it
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 90


def test_foreign_keys_are_enforced(sqlite_app):
    from sqlalchemy.exc import IntegrityError
    from careers_app.models import Organisation
    with sqlite_app.app_context():
        with pytest.raises(IntegrityError):
            with write_transaction():
                db.session.add(Organisation(school_id=12345, name="Nowhere", kind="employer"))


@pytest.mark.parametrize("text_in, pattern", [
    ("Bank", "%bank%"), ("100%", "%100\\%%"), ("a_b", "%a\\_b%"), ("back\\slash", "%back\\\\slash%"),
])
def test_contains_pattern_takes_wildcards_literally(text_in, pattern):
    assert contains_pattern(text_in) == pattern

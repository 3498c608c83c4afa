"""Many writers at once lose nothing; the online backup is consistent."""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest
from sqlalchemy import func, select

from careers_app.extensions import db
from careers_app.models import Encounter, Participation

PROCESSES = 8
ENCOUNTERS_EACH = 12


def _log_many(database_url: str, school_id: int, user_id: int, pupil_ids: list[int],
              worker: int, results) -> None:
    """One worker process: its own app, its own connections, many quick logs."""
    from careers_app import create_app
    from careers_app.domain.benchmarks import EncounterKind
    from careers_app.domain.dates import today_london
    from careers_app.encounters.services import EncounterDetails, log_encounter_for_group
    from careers_app.models import User

    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x" * 32})
        with app.app_context():
            user = db.session.get(User, user_id)
            for n in range(ENCOUNTERS_EACH):
                log_encounter_for_group(
                    school_id=school_id, user=user,
                    details=EncounterDetails(title=f"Worker {worker} talk {n}",
                                             kind=EncounterKind.EMPLOYER_TALK, date=today_london()),
                    pupil_ids=pupil_ids, submission_key=f"w{worker}-{n}")
        results.put(("ok", worker))
    except Exception as error:  # reported to the test
        results.put(("error", f"{type(error).__name__}: {error}"))


def test_eight_processes_logging_at_once_lose_nothing(app, database_url, tutor, make_pupil):
    pupils = [make_pupil(year=10, tutor_group="10A") for _ in range(10)]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_log_many, args=(
        database_url, tutor.school_id, tutor.id, [p.id for p in pupils], n, results))
        for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    outcomes = [results.get(timeout=5) for _ in workers]
    assert [o for o in outcomes if o[0] != "ok"] == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Encounter)) == \
            PROCESSES * ENCOUNTERS_EACH
        assert db.session.scalar(select(func.count()).select_from(Participation)) == \
            PROCESSES * ENCOUNTERS_EACH * len(pupils)


def test_online_backup_while_writing(app, database_url, tmp_path, make_pupil, tutor):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite backup API; PostgreSQL uses pg_dump")
    make_pupil(year=10, tutor_group="10A")
    stop = threading.Event()

    def keep_writing():
        from careers_app.database import write_transaction
        from careers_app.models import Organisation
        with app.app_context():
            n = 0
            while not stop.is_set():
                with write_transaction():
                    db.session.add(Organisation(school_id=tutor.school_id, name=f"Org {n}",
                                                kind="employer"))
                n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        target = tmp_path / "backup.db"
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM pupil").fetchone()[0] == 1
    copy.close()


def test_backup_refuses_postgresql_with_advice(app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    result = app.test_cli_runner().invoke(args=["backup", "/tmp/x.db"])
    assert result.exit_code != 0 and "pg_dump" in result.output

"""The tutor's quick log through gunicorn: its submit for 30 and for 300 pupils, each beside a
bare multi-row INSERT of the same rows, and opening the form beside the hello floor.

    .venv/bin/python bench/quick_log.py                         # SQLite, 5 x 1,500 x 5 years
    .venv/bin/python bench/quick_log.py --database postgresql    # $BENCH_POSTGRES_URL

Logged in over HTTP as the demo tutor, interleaved A/B/A/B in one loop:

* the submit: POST /encounters/new (htmx, as the page sends it) for N pupils, answered 204;
* its INSERT floor, on a bare sqlite3/psycopg connection: one transaction (BEGIN IMMEDIATE on
  SQLite, as the app) with the encounter row, its benchmark rows and one multi-row INSERT of
  the N participations, committed; these rows are deleted at the end;
* the HTTP floor: a bare Flask "hello" under the same gunicorn settings.

Targets (printed, not asserted): 30 / 300 pupils <= 15 / <= 40 ms p50 on SQLite, <= 25 / <= 60 ms
on PostgreSQL.
"""
from __future__ import annotations

import uuid

import harness as h

TARGETS = {"sqlite": {30: 15, 300: 40}, "postgresql": {30: 25, 300: 60}}
FLOOR_KEY = "bench-floor-"
NEW_ID = object()  # stands for the new encounter's id in the prepared parameters


def bare_insert(bare: h.BareConnection, school_id: int, user_id: int, pupil_ids: list[int]):
    """The rows the quick log writes, written by hand on the bare connection, committed.
    Only the statements are timed: the SQL and its parameters are built before the clock
    starts (the new encounter's id is filled in, the one value not known beforehand)."""
    from careers_app.domain.academic import academic_year_of
    from careers_app.domain.benchmarks import ENCOUNTER_KINDS, EncounterKind
    from careers_app.domain.dates import today_london
    from careers_app.models import Encounter, EncounterBenchmark, Participation

    today = today_london()
    kind = EncounterKind.EMPLOYER_TALK
    benchmarks = bare.insert_sql(EncounterBenchmark.__table__, [
        dict(encounter_id=NEW_ID, benchmark=n) for n in ENCOUNTER_KINDS[kind].benchmarks])
    participations = [bare.insert_sql(Participation.__table__, [
        dict(school_id=school_id, encounter_id=NEW_ID, pupil_id=pid, reflection="",
             agreed_actions="") for pid in pupil_ids[start:start + 1000]], returning="id")
        for start in range(0, len(pupil_ids), 1000)]

    def run() -> float:
        encounter_sql, encounter_params = bare.insert_sql(Encounter.__table__, [dict(
            school_id=school_id, title="Bench talk", kind=kind, date=today,
            academic_year=academic_year_of(today), meaningful=True, created_by_id=user_id,
            submission_key=f"{FLOOR_KEY}{uuid.uuid4().hex}")], returning="id")
        cursor = bare.conn.cursor()

        def write():
            if bare.dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(encounter_sql, encounter_params)
            encounter_id = cursor.fetchone()[0]
            sql, params = benchmarks
            cursor.execute(sql, [encounter_id if v is NEW_ID else v for v in params])
            for sql, params in participations:
                cursor.execute(sql, [encounter_id if v is NEW_ID else v for v in params])
                cursor.fetchall()
            bare.conn.commit()
        return h.timed(write)
    return run


def remove_floor_rows(bare: h.BareConnection) -> None:
    p = bare.placeholder  # "?" or "%s": the SQL below holds only fixed names and placeholders
    cursor = bare.conn.cursor()
    if bare.dialect == "sqlite":
        cursor.execute("BEGIN IMMEDIATE")
    chosen = f"SELECT id FROM encounter WHERE submission_key LIKE {p}"  # nosec B608
    for table in ("participation", "encounter_benchmark"):
        cursor.execute(f"DELETE FROM {table} WHERE encounter_id IN ({chosen})",  # nosec B608
                       (f"{FLOOR_KEY}%",))
    cursor.execute(f"DELETE FROM encounter WHERE submission_key LIKE {p}",  # nosec B608
                   (f"{FLOOR_KEY}%",))
    bare.conn.commit()


def main() -> None:
    args = h.arguments(__doc__, runs=30).parse_args()
    data = h.dataset(args)
    app = h.InProcess(data.url)
    from sqlalchemy import select

    from careers_app.models import User
    school_id = h.demo_school(app)
    tutor_id = app.scalar(select(User.id).where(User.username == "tutor"))
    roll = h.pupils_on_roll(app, school_id)
    group = (h.pupils_on_roll(app, school_id, tutor_group="10A") + roll)
    sizes = {30: list(dict.fromkeys(group))[:30], 300: roll[:300]}
    h.header("quick log", data, args, school=f"'demo', {len(roll):,} pupils on roll",
             pupils_ticked=", ".join(f"{len(ids)}" for ids in sizes.values()))

    with h.Server(url=data.url, workers=args.workers) as server, \
            h.floor_server(args.workers) as floor:
        tutor = h.Client(server.base)
        tutor.login("tutor")
        hello = h.Client(floor.base)
        bare = h.BareConnection(data.url)

        def hello_ms():
            return hello.get("/", expect=(200,)).ms

        try:
            for size, ids in sizes.items():
                samples = h.interleave({
                    "page": lambda ids=ids: h.log_encounter(tutor, ids).ms,
                    "insert": bare_insert(bare, school_id, tutor_id, ids),
                    "hello": hello_ms}, args.runs)
                h.report(f"quick log submit, {len(ids)} pupils", [
                    h.Row("POST /encounters/new through gunicorn", samples["page"],
                          samples["insert"], "INSERT",
                          TARGETS[data.dialect][size] if len(ids) == size else None),
                    h.Row("INSERT floor: same rows, bare driver", samples["insert"]),
                    h.Row("HTTP floor: bare Flask hello, same gunicorn", samples["hello"]),
                ], data)
            samples = h.interleave({
                "form": lambda: tutor.get("/encounters/new", expect=(200,)).ms,
                "switch": lambda: tutor.get("/encounters/pupil-checklist?group=yg:9", htmx=True,
                                            expect=(200,)).ms,
                "hello": hello_ms}, args.runs)
            h.report("quick log form (no targets)", [
                h.Row("GET /encounters/new (tutor group ticked)", samples["form"],
                      samples["hello"], "hello"),
                h.Row("htmx: switch group to Year 9", samples["switch"], samples["hello"],
                      "hello"),
                h.Row("HTTP floor: bare Flask hello, same gunicorn", samples["hello"]),
            ], data)
        finally:
            remove_floor_rows(bare)
            bare.close()
    h.write_json(args)


if __name__ == "__main__":
    main()

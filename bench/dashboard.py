"""The benchmark dashboard and a drill-down through gunicorn, each beside its floors.

    .venv/bin/python bench/dashboard.py                          # SQLite, 5 x 1,500 x 5 years
    .venv/bin/python bench/dashboard.py --database postgresql     # $BENCH_POSTGRES_URL
    .venv/bin/python bench/dashboard.py --schools 1 --pupils 5000 --years 5

Seeds (unless the database already holds the same dataset) with `seed-demo`, timing it, then
logs in over HTTP as the careers leader of the first school and samples, interleaved A/B/A/B
in the same loop:

* the page, GET /reports/benchmarks (gunicorn, routing, session, the queries, the Python
  tally, the template, the bytes over loopback);
* its SQL floor: the very statements the page sends (captured from the app in this process
  as the driver receives them) replayed on a bare sqlite3/psycopg connection, every row read;
* the HTTP floor: a bare Flask "hello" under the same gunicorn settings.

"Just after a write" logs a 30-pupil encounter through the quick log before every sample, so
any cache the page keeps is invalidated each time. The drill-down is
/reports/benchmarks/bm5_year/9. Targets (printed, not asserted): dashboard <= 100 ms p50
just after a write at 1,500 pupils (<= 250 ms at 5,000), <= 30 ms on unchanged data; drill-down
<= 50 ms at 1,500 pupils (<= 100 ms at 5,000); seed-demo 5 x 1,500 x 5 <= 30 s SQLite, <= 60 s
PostgreSQL.
"""
from __future__ import annotations

import harness as h

DASHBOARD = "/reports/benchmarks"
DRILL_DOWN = "/reports/benchmarks/bm5_year/9"


def _by_size(pupils: int, at_1500: float, at_5000: float) -> float | None:
    return at_1500 if pupils <= 1500 else at_5000 if pupils <= 5000 else None


def main() -> None:
    args = h.arguments(__doc__, runs=30).parse_args()
    data = h.dataset(args)
    app = h.InProcess(data.url)
    school_id = h.demo_school(app)
    on_roll = len(h.pupils_on_roll(app, school_id))
    writers = (h.pupils_on_roll(app, school_id, tutor_group="10A")
               or h.pupils_on_roll(app, school_id))[:30]
    h.header("dashboard and drill-down", data, args,
             school=f"'demo', {on_roll:,} pupils on roll in Y7-13",
             write_between_samples=f"quick log of an encounter for {len(writers)} pupils")
    full_size = (args.schools, args.pupils, args.years) == (5, 1500, 5)
    if full_size:
        h.seed_row(data, 30 if data.dialect == "sqlite" else 60)

    with h.Server(url=data.url, workers=args.workers) as server, \
            h.floor_server(args.workers) as floor:
        lead = h.Client(server.base)
        lead.login("lead")
        hello = h.Client(floor.base)
        bare = h.BareConnection(data.url)
        app.login("lead")

        def write():
            h.log_encounter(lead, writers, "Bench write")

        def page(path):
            return lambda: lead.get(path, expect=(200,)).ms

        def hello_ms():
            return hello.get("/", expect=(200,)).ms

        for title, path, unchanged_target, write_target in (
                ("dashboard " + DASHBOARD, DASHBOARD, 30 if args.pupils <= 1500 else None,
                 _by_size(args.pupils, 100, 250)),
                ("drill-down " + DRILL_DOWN, DRILL_DOWN, _by_size(args.pupils, 50, 100),
                 _by_size(args.pupils, 50, 100))):
            app.capture_get(path)  # warm this process, as the workers are after warm-up
            unchanged_sql = app.capture_get(path)
            write()
            after_write_sql = app.capture_get(path)
            count = sum(s.kind == "execute" for s in unchanged_sql)
            for scenario, statements, before, target in (
                    ("unchanged data", unchanged_sql, None, unchanged_target),
                    ("just after a write", after_write_sql, write, write_target)):
                samples = h.interleave({
                    "page": page(path),
                    "sql": lambda statements=statements: bare.timed_run(statements),
                    "hello": hello_ms}, args.runs, before=before)
                h.report(f"{title}, {scenario} ({count} SQL statements)", [
                    h.Row("page through gunicorn", samples["page"], samples["sql"], "SQL",
                          target),
                    h.Row("SQL floor: same statements, bare driver", samples["sql"]),
                    h.Row("HTTP floor: bare Flask hello, same gunicorn", samples["hello"]),
                ], data)
                beyond = h.p50(samples["page"]) - h.p50(samples["sql"]) - h.p50(samples["hello"])
                print(f"   the app's own time beyond both floors (p50s): {beyond:.1f} ms")
        bare.close()
    h.write_json(args)


if __name__ == "__main__":
    main()

"""The trust dashboard (/trust) through gunicorn, beside its SQL floor and the HTTP floor.

    .venv/bin/python bench/trust_dashboard.py                        # SQLite, 20 x 1,500 x 5
    .venv/bin/python bench/trust_dashboard.py --database postgresql  # $BENCH_POSTGRES_URL
    .venv/bin/python bench/trust_dashboard.py --schools 5 --pupils 1500 --years 5

Seeds (unless the database already holds the same dataset) with `seed-demo`, which puts every
school in the demo trust, then logs in over HTTP as `trust`, the group lead, and samples,
interleaved A/B/C in the same loop:

* the page, GET /trust (gunicorn, session, the aggregate statements over every school, the
  per-school tallies in Python, the template, the audit entry per school);
* its SQL floor: the very statements the page sends, replayed on a bare driver connection;
* the HTTP floor: a bare Flask "hello" under the same gunicorn settings;

then the same for GET /trust?send=any (the filtered figures beside the whole cohort's).
Target (printed, not asserted): /trust <= 500 ms p50 on PostgreSQL at 20 x 1,500 x 5.
"""
from __future__ import annotations

import harness as h

PAGES = ("/trust", "/trust?send=any")
TARGET_MS = 500


def main() -> None:
    args = h.arguments(__doc__, schools=20, runs=15).parse_args()
    if args.schools < 2:
        raise SystemExit("a trust needs --schools 2 or more")
    data = h.dataset(args)
    app = h.InProcess(data.url)
    h.header("trust dashboard", data, args,
             group=f"the demo trust, {args.schools} schools x {args.pupils:,} pupils")
    full_size = (args.schools, args.pupils, args.years) == (20, 1500, 5)
    with h.Server(url=data.url, workers=args.workers) as server, \
            h.floor_server(args.workers) as floor:
        lead = h.Client(server.base)
        lead.login("trust")
        hello = h.Client(floor.base)
        bare = h.BareConnection(data.url)
        # A tutor of the first school logs an encounter before each "after a write" sample.
        writer = h.Client(server.base)
        writer.login("lead")
        school_id = h.demo_school(app)
        writers = (h.pupils_on_roll(app, school_id, tutor_group="10A")
                   or h.pupils_on_roll(app, school_id))[:30]

        def write():
            h.log_encounter(writer, writers, "Bench write")

        app.login("trust")
        for path, before, scenario in [(p, None, "unchanged data") for p in PAGES] + [
                (PAGES[0], write, "just after a write in one school")]:
            app.capture_get(path)  # warm this process, as the workers are after warm-up
            if before:
                before()
            statements = app.capture_get(path)
            count = sum(s.kind == "execute" for s in statements)
            samples = h.interleave({
                "page": lambda path=path: lead.get(path, expect=(200,)).ms,
                "sql": lambda statements=statements: bare.timed_run(statements),
                "hello": lambda: hello.get("/", expect=(200,)).ms}, args.runs, before=before)
            target = TARGET_MS if full_size or data.dialect == "postgresql" else None
            h.report(f"trust dashboard {path}, {scenario} ({count} SQL statements)", [
                h.Row("page through gunicorn", samples["page"], samples["sql"], "SQL", target),
                h.Row("SQL floor: same statements, bare driver", samples["sql"]),
                h.Row("HTTP floor: bare Flask hello, same gunicorn", samples["hello"]),
            ], data)
            beyond = h.p50(samples["page"]) - h.p50(samples["sql"]) - h.p50(samples["hello"])
            print(f"   page / SQL floor (p50s): {h.p50(samples['page']) / h.p50(samples['sql']):.2f}x;"
                  f" the app's own time beyond both floors: {beyond:.1f} ms")
        bare.close()
    h.write_json(args)


if __name__ == "__main__":
    main()

"""A pupil's own record, /me, through gunicorn beside its SQL floor and the hello floor.

    .venv/bin/python bench/me.py                          # SQLite, 5 x 1,500 x 5 years
    .venv/bin/python bench/me.py --database postgresql     # $BENCH_POSTGRES_URL

Logged in over HTTP as the demo pupil, interleaved A/B/A/B in one loop: GET /me; the same
SQL statements (captured from the app in this process) on a bare sqlite3/psycopg connection;
a bare Flask "hello" under the same gunicorn settings. Target (printed): /me <= 20 ms p50.
"""
from __future__ import annotations

import harness as h


def main() -> None:
    args = h.arguments(__doc__, runs=50).parse_args()
    data = h.dataset(args)
    app = h.InProcess(data.url)
    h.header("/me", data, args)
    with h.Server(url=data.url, workers=args.workers) as server, \
            h.floor_server(args.workers) as floor:
        pupil = h.Client(server.base)
        pupil.login("pupil")
        hello = h.Client(floor.base)
        bare = h.BareConnection(data.url)
        app.login("pupil")
        app.capture_get("/me")
        statements = app.capture_get("/me")
        samples = h.interleave({
            "page": lambda: pupil.get("/me", expect=(200,)).ms,
            "sql": lambda: bare.timed_run(statements),
            "hello": lambda: hello.get("/", expect=(200,)).ms}, args.runs)
        count = sum(s.kind == "execute" for s in statements)
        h.report(f"/me ({count} SQL statements)", [
            h.Row("GET /me through gunicorn", samples["page"], samples["sql"], "SQL", 20),
            h.Row("SQL floor: same statements, bare driver", samples["sql"]),
            h.Row("HTTP floor: bare Flask hello, same gunicorn", samples["hello"]),
        ], data)
        bare.close()
    h.write_json(args)


if __name__ == "__main__":
    main()

"""Time the benchmark dashboard and a drill-down against the raw aggregate SQL they run.

    .venv/bin/python bench/dashboard.py                       # SQLite file in /tmp, seeded
    .venv/bin/python bench/dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/bench_reports
    .venv/bin/python bench/dashboard.py --reuse               # keep the seeded database

It builds (unless --reuse) a database with `seed-demo --schools 5 --pupils 1500 --years 5`,
timing the seed, then logs in as the careers leader of the first school and requests:

* /reports/benchmarks (the full page, through the Flask test client: routing, the queries,
  the Python tally and the template), against the same SQL statements executed raw;
* one drill-down, /reports/benchmarks/bm5_year/9, against its raw SQL.

Each figure is the median of --runs requests after two warm-ups. Targets: dashboard
<= 250 ms and <= 3x the raw SQL; drill-down <= 100 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text  # noqa: E402

DEFAULT_SQLITE = "sqlite:////tmp/careers-bench.db"


def median_ms(fn, runs: int) -> float:
    for _ in range(2):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def fresh_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_SQLITE))
    parser.add_argument("--reuse", action="store_true", help="do not rebuild and re-seed")
    parser.add_argument("--schools", type=int, default=5)
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from careers_app import create_app
    from careers_app.demo import seed_demo
    from careers_app.domain.academic import YEAR_GROUPS, academic_year_of, cohort_for
    from careers_app.domain.dates import today_london
    from careers_app.domain.rules import RULES, RULES_BY_KEY, as_of_day
    from careers_app.extensions import db
    from careers_app.models import School
    from careers_app.reports import services

    password = "bench-password-123"
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    if not args.reuse:
        fresh_database(args.database_url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        result = seed_demo(pupils=args.pupils, years=args.years, schools=args.schools,
                           password=password)
        seeded = time.perf_counter() - started
        if result.created_schools:
            print(f"seed-demo --schools {args.schools} --pupils {args.pupils} --years {args.years}: "
                  f"{seeded:.1f} s ({result.pupils:,} pupils, {result.encounters:,} encounters, "
                  f"{result.participations:,} participations)")
        school_id = db.session.scalar(select(School.id).where(School.slug == "demo"))
        today = today_london()
        year = academic_year_of(today)
        as_of = as_of_day(year, today)
        settings = services.school_settings(school_id)

        def raw(year_groups, rules):
            cohorts = sorted(cohort_for(y, year) for y in year_groups)
            statements = [s for s in services.progress_queries(school_id, year, as_of, cohorts,
                                                               settings, rules)[:3] if s is not None]

            def run():
                for statement in statements:
                    db.session.execute(statement).all()
            return run

        raw_dashboard = median_ms(raw(YEAR_GROUPS, RULES), args.runs)
        raw_drill = median_ms(raw([9], [RULES_BY_KEY["bm5_year"]]), args.runs)
        on_roll = len(services.progress(school_id, year, today, settings=settings))
        db.session.remove()

    client = app.test_client()
    response = client.post("/login", data={"username": "lead", "password": password})
    assert response.status_code == 303, response.status_code

    def get(url):
        def run():
            reply = client.get(url)
            assert reply.status_code == 200, (url, reply.status_code)
        return run

    dashboard = median_ms(get("/reports/benchmarks"), args.runs)
    drill = median_ms(get("/reports/benchmarks/bm5_year/9"), args.runs)
    dialect = args.database_url.split(":", 1)[0]
    print(f"database: {dialect}; school 'demo' with {on_roll:,} pupils on roll in Y7-13")
    print(f"dashboard  /reports/benchmarks         {dashboard:7.1f} ms  (target <= 250 ms)")
    print(f"raw SQL    roll + aggregates          {raw_dashboard:7.1f} ms")
    print(f"ratio      dashboard / raw SQL        {dashboard / raw_dashboard:7.2f} x   (target <= 3 x)")
    print(f"drill-down /reports/benchmarks/bm5_year/9 {drill:7.1f} ms  (target <= 100 ms; raw SQL {raw_drill:.1f} ms)")


if __name__ == "__main__":
    main()

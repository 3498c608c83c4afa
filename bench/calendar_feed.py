"""Time the calendar feed: a 500-milestone render (target <= 50 ms) and the 304 path (<= 5 ms).

    .venv/bin/python bench/calendar_feed.py            # SQLite in a temporary file
    DATABASE_URL=postgresql://... .venv/bin/python bench/calendar_feed.py

Prints figures; asserts nothing (timings belong here, not in the test suite).
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, time as clock, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from careers_app import create_app  # noqa: E402
from careers_app.calendar import ical, services as calendar_services  # noqa: E402
from careers_app.extensions import db  # noqa: E402
from careers_app.models import Role, School, User  # noqa: E402
from careers_app.models.plans import ActionPlan, CalendarToken, Milestone, PlanItem  # noqa: E402

MILESTONES = 500
RUNS = 50


def _timed(client, url, headers=None, runs=RUNS):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - start) * 1000)
    return response, samples


def _report(label, samples, target):
    median = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    verdict = "ok" if median <= target else "OVER TARGET"
    print(f"{label:<36} median {median:6.2f} ms   p95 {p95:6.2f} ms   target <= {target} ms  {verdict}")


def main() -> None:
    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp.name}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False})
    with app.app_context():
        upgrade()
        school = School(name="Bench Academy", slug=f"bench-{os.getpid()}")
        db.session.add(school)
        db.session.flush()
        user = User(school_id=school.id, username=f"bench{os.getpid()}", display_name="Bench Lead",
                    role=Role.ADMIN, password_hash="x")
        plan = ActionPlan(school_id=school.id, title="Careers action plan, 2025-2027 – bench",
                          period="2025-2027")
        db.session.add_all([user, plan])
        db.session.flush()
        start = date(2025, 9, 1)
        for n in range(50):
            item = PlanItem(school_id=school.id, plan=plan, benchmark=n % 8 + 1,
                            aim=f"Aim {n}: encounters, workplaces; guidance\nsecond line",
                            lead_user_id=user.id)
            for m in range(MILESTONES // 50):
                timed = m % 3 == 0
                item.milestones.append(Milestone(
                    school_id=school.id, title=f"Milestone {n}.{m} – café, fair; résumé",
                    date=start + timedelta(days=(n * 10 + m) % 700),
                    start_time=clock(9) if timed else None, end_time=clock(15) if timed else None))
            db.session.add(item)
        token, digest = calendar_services.new_token()
        db.session.add(CalendarToken(school_id=school.id, user_id=user.id, scope="all",
                                     token_hash=digest))
        db.session.commit()
    client = app.test_client()
    feed_url = f"/calendar/{token}.ics"
    first = client.get(feed_url)
    assert first.status_code == 200, first.status_code
    events = first.get_data().count(b"BEGIN:VEVENT")
    print(f"database: {url.split('://')[0]}, events in feed: {events}, "
          f"body {len(first.get_data()) / 1024:.0f} KiB")

    def clear_all():
        ical.event_bytes.cache_clear()
        ical._calendar_shell.cache_clear()
        calendar_services._BODIES.clear()

    cold = []
    for _ in range(10):
        clear_all()
        _response, sample = _timed(client, feed_url, runs=1)
        cold += sample
    _report("cold: empty caches (worst case)", cold, 50)

    changed = []
    with app.app_context():
        ids = db.session.scalars(db.select(Milestone.id).order_by(Milestone.id)).all()
    for n in range(RUNS):
        with app.app_context():
            milestone = db.session.get(Milestone, ids[n * 7 % len(ids)])
            milestone.title = f"Changed {n} – café"
            db.session.commit()
        response, sample = _timed(client, feed_url, runs=1)
        assert response.status_code == 200
        changed += sample
    _report("after one milestone changed", changed, 50)
    _response, repeat = _timed(client, feed_url)
    _report("unchanged, no validators", repeat, 50)
    etag = client.get(feed_url).headers["ETag"]
    response, not_modified = _timed(client, feed_url, {"If-None-Match": etag}, runs=RUNS * 4)
    assert response.status_code == 304, response.status_code
    _report("304 Not Modified (If-None-Match)", not_modified, 5)
    tmp.cleanup()


if __name__ == "__main__":
    main()

"""The calendar feed of a 500-milestone action plan through gunicorn, beside its floors.

    .venv/bin/python bench/calendar_feed.py                         # SQLite
    .venv/bin/python bench/calendar_feed.py --database postgresql    # $BENCH_POSTGRES_URL

Adds a school "bench-calendar" (once) with 50 plan items and 500 milestones to the seeded
database and a fresh feed link (scope: all milestones), then samples, A/B/A/B in one loop,
the feed as a calendar app fetches it (no login: the token is the credential):

* just after one milestone changed (renamed through the app's models before every sample,
  so the ETag changes and the body is rendered again), beside the same SQL on a bare
  connection and the hello floor;
* unchanged, without validators (the body served again for the same ETag);
* 304 Not Modified (If-None-Match), beside the hello floor.

Targets (printed): render <= 50 ms p50, 304 <= 5 ms p50.
"""
from __future__ import annotations

import itertools
from datetime import date, time as clock, timedelta

import harness as h

SLUG = "bench-calendar"
ITEMS, PER_ITEM = 50, 10


def setup(app: h.InProcess) -> tuple[str, list[int]]:
    """The bench school (created once) and a new token for its milestone feed."""
    from sqlalchemy import select

    from careers_app.calendar import services as calendar_services
    from careers_app.extensions import db
    from careers_app.models import CalendarToken, Role, School, User
    from careers_app.models.plans import ActionPlan, Milestone, PlanItem
    from careers_app.security import hash_password

    with app.app.app_context():
        school = db.session.scalar(select(School).where(School.slug == SLUG))
        if school is None:
            school = School(name="Bench Calendar Academy", slug=SLUG)
            db.session.add(school)
            db.session.flush()
            user = User(school_id=school.id, username="bench-calendar-lead",
                        display_name="Bench Lead", role=Role.ADMIN,
                        password_hash=hash_password(h.PASSWORD))
            plan = ActionPlan(school_id=school.id, title="Careers action plan – bench",
                              period="2025-2027")
            db.session.add_all([user, plan])
            db.session.flush()
            start = date(2025, 9, 1)
            for n in range(ITEMS):
                item = PlanItem(school_id=school.id, plan=plan, benchmark=n % 8 + 1,
                                aim=f"Aim {n}: encounters, workplaces; guidance\nsecond line",
                                lead_user_id=user.id)
                for m in range(PER_ITEM):
                    timed = m % 3 == 0
                    item.milestones.append(Milestone(
                        school_id=school.id, title=f"Milestone {n}.{m} – café, fair; résumé",
                        date=start + timedelta(days=(n * 10 + m) % 700),
                        start_time=clock(9) if timed else None,
                        end_time=clock(15) if timed else None))
                db.session.add(item)
            db.session.flush()
        user_id = db.session.scalar(select(User.id).where(User.school_id == school.id))
        token, digest = calendar_services.new_token()
        db.session.add(CalendarToken(school_id=school.id, user_id=user_id, scope="all",
                                     token_hash=digest))
        db.session.commit()
        ids = db.session.scalars(select(Milestone.id).where(Milestone.school_id == school.id)
                                 .order_by(Milestone.id)).all()
        db.session.remove()
    return token, list(ids)


def main() -> None:
    args = h.arguments(__doc__, runs=30).parse_args()
    data = h.dataset(args)
    app = h.InProcess(data.url)
    token, milestone_ids = setup(app)
    url = f"/calendar/{token}.ics"
    counter = itertools.count()

    def change_one():
        from careers_app.extensions import db
        from careers_app.models.plans import Milestone
        n = next(counter)
        with app.app.app_context():
            milestone = db.session.get(Milestone, milestone_ids[n * 7 % len(milestone_ids)])
            milestone.title = f"Changed {n} – café"
            db.session.commit()
            db.session.remove()

    with h.Server(url=data.url, workers=args.workers) as server, \
            h.floor_server(args.workers) as floor:
        feed = h.Client(server.base)
        first = feed.get(url, expect=(200,))
        h.header("calendar feed", data, args, milestones=len(milestone_ids),
                 events_in_feed=first.body.count(b"BEGIN:VEVENT"),
                 body=f"{len(first.body) / 1024:.0f} KiB")
        hello = h.Client(floor.base)
        bare = h.BareConnection(data.url)

        def hello_ms():
            return hello.get("/", expect=(200,)).ms

        change_one()
        changed_sql = app.capture_get(url)
        unchanged_sql = app.capture_get(url)
        samples = h.interleave({
            "page": lambda: feed.get(url, expect=(200,)).ms,
            "sql": lambda: bare.timed_run(changed_sql),
            "hello": hello_ms}, args.runs, before=change_one)
        count = sum(s.kind == "execute" for s in changed_sql)
        h.report(f"feed just after one milestone changed ({count} SQL statements)", [
            h.Row("GET feed through gunicorn (rendered)", samples["page"], samples["sql"], "SQL",
                  50),
            h.Row("SQL floor: same statements, bare driver", samples["sql"]),
            h.Row("HTTP floor: bare Flask hello, same gunicorn", samples["hello"]),
        ], data)

        etag = feed.get(url, expect=(200,)).headers["ETag"]
        samples = h.interleave({
            "page": lambda: feed.get(url, expect=(200,)).ms,
            "sql": lambda: bare.timed_run(unchanged_sql),
            "not_modified": lambda: feed.get(url, headers={"If-None-Match": etag},
                                             expect=(304,)).ms,
            "hello": hello_ms}, args.runs)
        h.report("feed unchanged", [
            h.Row("GET feed, no validators", samples["page"], samples["sql"], "SQL", 50),
            h.Row("GET feed, If-None-Match: 304", samples["not_modified"], samples["hello"],
                  "hello", 5),
            h.Row("SQL floor: same statements, bare driver", samples["sql"]),
            h.Row("HTTP floor: bare Flask hello, same gunicorn", samples["hello"]),
        ], data)
        bare.close()
    h.write_json(args)


if __name__ == "__main__":
    main()

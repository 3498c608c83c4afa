"""Load test: concurrent tutors and pupils against gunicorn on loopback, standard library only.

    bench/load.sh                                 # 50 users, 5 years of data, SQLite
    bench/load.sh --database postgresql           # $BENCH_POSTGRES_URL
    bench/load.sh --users 50 --seconds 60 --warmup 20 --workers 5

The dataset is `seed-demo --schools 5 --pupils 1500 --years 5` (reused when the database
already holds it). gunicorn runs with --workers (default $WEB_CONCURRENCY, else 2 x cores + 1).
Users start at --spawn-rate a second, each with its own session: 3 tutors to 2 pupils,
spread over the schools' demo accounts (tutor, tutor2, ...; pupil, pupil2, ...). A tutor opens
the quick log, switches group (htmx), logs an encounter for their group (htmx), searches
encounters and pupils; a pupil opens /me; each waits 1-3 s between tasks, like a person.

Phases: each gunicorn worker is sent a few requests; every user logs in (timed apart, shown for
information); once all are in, --warmup seconds of normal use are run and thrown away; the
statistics are reset and --seconds of use are measured. Requests started before the reset
never reach the figures. The login figures are taken in the measured window, under the same
load, by a fresh browser logging in every --login-interval seconds; logins never enter the
page figures. Every loop is bounded (a deadline and a count).

Targets (printed): pages p95 <= 150 ms with 0 errors; logins (argon2id at OWASP settings)
p95 <= 400 ms.
"""
from __future__ import annotations

import os
import random
import re
import threading
import time
import uuid
from collections import defaultdict

import harness as h
from careers_app.domain.dates import today_london

PUPIL_IDS = re.compile(r'name="pupil_ids" value="(\d+)"')
MAX_TASKS_PER_USER = 100_000


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.measuring = False
        self.pages: dict[str, list[float]] = defaultdict(list)
        self.page_failures: dict[str, int] = defaultdict(int)
        self.logins: dict[str, list[float]] = defaultdict(list)  # measured, under the load
        self.login_failures: dict[str, int] = defaultdict(int)
        self.ramp_logins: dict[str, list[float]] = defaultdict(list)  # the users' own logins
        self.ramp_login_failures: dict[str, int] = defaultdict(int)
        self.errors: list[str] = []

    def record(self, name: str, ms: float | None, error: str | None, *, login: bool,
               counted: bool) -> None:
        with self.lock:
            if login and counted:
                samples, failures = self.logins, self.login_failures
            elif login:
                samples, failures = self.ramp_logins, self.ramp_login_failures
            elif counted:
                samples, failures = self.pages, self.page_failures
            else:
                return  # warm-up
            if error is None:
                samples[name].append(ms)
            else:
                failures[name] += 1
                samples.setdefault(name, [])
                if len(self.errors) < 10:
                    self.errors.append(f"{name}: {error}")


class User(threading.Thread):
    def __init__(self, base: str, username: str, role: str, stats: Stats, stop_at: list[float],
                 seed: int):
        super().__init__(daemon=True)
        self.client = h.Client(base, timeout=60)
        self.username, self.role, self.stats, self.stop_at = username, role, stats, stop_at
        self.rng = random.Random(seed)
        self.logged_in = threading.Event()
        self.login_failed = False

    def call(self, name: str, method: str, path: str, *, login: bool = False, **kwargs):
        counted = self.stats.measuring  # decided when the request starts
        started = time.perf_counter()
        try:
            reply = self.client.request(method, path, **kwargs)
        except Exception as error:  # noqa: BLE001 - any failure is an error to count
            self.stats.record(name, (time.perf_counter() - started) * 1000, str(error)[:200],
                              login=login, counted=counted)
            return None
        self.stats.record(name, reply.ms, None, login=login, counted=counted)
        return reply

    def log_in(self) -> bool:
        page = self.call("GET /login", "GET", "/login", login=True, expect=(200,))
        if page is None:
            return False
        reply = self.call("POST /login", "POST", "/login", login=True, expect=(303,), data={
            "username": self.username, "password": h.PASSWORD, "csrf_token": self.client.csrf})
        if reply is None:
            return False
        # The home page gives the new session's CSRF token (a pupil is sent on to /me).
        home = self.call("GET / after login", "GET", "/", login=True, expect=(200, 302))
        if home is not None and home.status == 302:
            home = self.call("GET /me after login", "GET", "/me", login=True, expect=(200,))
        return home is not None

    def run(self) -> None:
        try:
            if not self.log_in():
                self.login_failed = True
                return
        finally:
            self.logged_in.set()
        tasks = ([(self.quick_log, 3), (self.search_encounters, 2), (self.search_pupils, 1)]
                 if self.role == "tutor" else [(self.my_record, 1)])
        for _ in range(MAX_TASKS_PER_USER):
            if time.monotonic() >= self.stop_at[0]:
                return
            task = self.rng.choices([t for t, _w in tasks], weights=[w for _t, w in tasks])[0]
            task()
            pause = self.rng.uniform(1, 3)
            time.sleep(max(0.0, min(pause, self.stop_at[0] - time.monotonic())))

    def quick_log(self) -> None:
        page = self.call("GET /encounters/new", "GET", "/encounters/new", expect=(200,))
        self.call("GET /encounters/pupil-checklist [htmx]", "GET",
                  "/encounters/pupil-checklist?group=yg:9", htmx=True, expect=(200,))
        pupils = PUPIL_IDS.findall(page.text) if page is not None else []
        if pupils:
            self.call("POST /encounters/new [htmx]", "POST", "/encounters/new", htmx=True,
                      expect=(204,), data={
                          "kind": "employer_talk", "title": "Load test talk",
                          "date": today_london().isoformat(), "group": "tg:10A",
                          "meaningful": "y", "submission_key": uuid.uuid4().hex,
                          "pupil_ids": pupils[2:]})

    def search_encounters(self) -> None:
        self.call("GET /encounters/?q [htmx]", "GET", "/encounters/?q=talk", htmx=True,
                  expect=(200,))

    def search_pupils(self) -> None:
        self.call("GET /pupils/?q [htmx]", "GET", "/pupils/?q=sm", htmx=True, expect=(200,))

    def my_record(self) -> None:
        self.call("GET /me", "GET", "/me", expect=(200,))


class LoginProbe(threading.Thread):
    """During the measured window, a fresh browser logs in every `interval` seconds (a new
    client each time, accounts in turn): the login figures, taken under the same load."""

    def __init__(self, base: str, accounts_: list[tuple[str, str]], stats: Stats,
                 stop_at: list[float], interval: float):
        super().__init__(daemon=True)
        self.base, self.accounts, self.stats = base, accounts_, stats
        self.stop_at, self.interval = stop_at, interval

    def run(self) -> None:
        for n in range(MAX_TASKS_PER_USER):
            if time.monotonic() >= self.stop_at[0]:
                return
            username, role = self.accounts[n % len(self.accounts)]
            User(self.base, username, role, self.stats, self.stop_at, seed=n).log_in()
            time.sleep(max(0.0, min(self.interval, self.stop_at[0] - time.monotonic())))


def accounts(users: int, schools: int) -> list[tuple[str, str]]:
    """3 tutors to 2 pupils, round-robin over the schools' demo accounts."""
    chosen = []
    for n in range(users):
        role = "tutor" if n % 5 < 3 else "pupil"
        index = n // 5 % schools if users >= 5 * schools else n % schools
        chosen.append((role if index == 0 else f"{role}{index + 1}", role))
    return chosen


def table(title: str, samples: dict[str, list[float]], failures: dict[str, int],
          seconds: float | None = None) -> tuple[list[float], int]:
    print(f"   {title}")
    print(f"   {'request':<42}{'count':>7}{'fail':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"
          f"  (ms)")
    everything: list[float] = []
    failed = 0
    for name in sorted(samples):
        values = samples[name]
        everything += values
        failed += failures.get(name, 0)
        if values:
            ordered = sorted(values)
            p99 = ordered[max(0, -(-len(ordered) * 99 // 100) - 1)]
            print(f"   {name:<42}{len(values):>7}{failures.get(name, 0):>6}{h.p50(values):9.1f}"
                  f"{h.p95(values):9.1f}{p99:9.1f}{ordered[-1]:9.1f}")
        else:
            print(f"   {name:<42}{0:>7}{failures.get(name, 0):>6}")
    if everything:
        rate = f", {len(everything) / seconds:.1f} requests/s" if seconds else ""
        print(f"   {'all of the above':<42}{len(everything):>7}{failed:>6}"
              f"{h.p50(everything):9.1f}{h.p95(everything):9.1f}{'':>18}{rate}")
    return everything, failed


def main() -> None:
    parser = h.arguments(__doc__, runs=None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="measured time")
    parser.add_argument("--warmup", type=float, default=20,
                        help="seconds of use after every login, thrown away")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started a second")
    parser.add_argument("--login-interval", type=float, default=2,
                        help="seconds between the measured logins")
    parser.set_defaults(workers=int(os.environ.get("WEB_CONCURRENCY")
                                    or 2 * (os.cpu_count() or 1) + 1))
    args = parser.parse_args()
    if not (1 <= args.users <= 500 and 1 <= args.seconds <= 3600 and 0 <= args.warmup <= 600
            and 0.1 <= args.spawn_rate <= 100):
        raise SystemExit("--users 1-500, --seconds 1-3600, --warmup 0-600, --spawn-rate 0.1-100")
    data = h.dataset(args)
    h.header(f"load: {args.users} users", data, args,
             phases=f"logins, {args.warmup:g} s warm-up (discarded), {args.seconds:g} s measured")
    if data.seed_seconds is not None and (args.schools, args.pupils, args.years) == (5, 1500, 5):
        h.seed_row(data, 30 if data.dialect == "sqlite" else 60)
    stats = Stats()
    # Until every user is in, nobody stops; then the deadline is set once.
    stop_at = [time.monotonic() + 3600]
    with h.Server(url=data.url, workers=args.workers) as server:
        warm = h.Client(server.base)
        for _ in range(3 * args.workers):  # every worker past its first request
            warm.get("/login", expect=(200,))
        chosen = accounts(args.users, args.schools)
        users = [User(server.base, username, role, stats, stop_at, seed=n)
                 for n, (username, role) in enumerate(chosen)]
        for user in users:
            user.start()
            time.sleep(1 / args.spawn_rate)
        for user in users:
            user.logged_in.wait(timeout=300)
        login_failures = sum(u.login_failed for u in users)
        time.sleep(args.warmup)
        with stats.lock:  # reset: from here on, requests count
            stats.pages.clear()
            stats.page_failures.clear()
            stats.measuring = True
        measured_from = time.monotonic()
        cpu_from = time.process_time()
        stop_at[0] = measured_from + args.seconds
        probe = LoginProbe(server.base, chosen, stats, stop_at, args.login_interval)
        probe.start()
        for user in users + [probe]:
            user.join(timeout=args.seconds + 120)
        measured = time.monotonic() - measured_from
        own_cpu = time.process_time() - cpu_from
        stuck = sum(u.is_alive() for u in users + [probe])
    print()
    pages, page_failures = table(f"pages, {measured:.0f} s measured after the warm-up "
                                 "(logins excluded)", stats.pages, stats.page_failures, measured)
    table(f"logins measured under the load (a fresh browser every {args.login_interval:g} s)",
          stats.logins, stats.login_failures)
    table("the users' own logins while ramping up (warm-up, for information)",
          stats.ramp_logins, stats.ramp_login_failures)
    post_login = stats.logins.get("POST /login", [])
    rows = []
    if pages:
        rows.append(h.Row("pages, all (logins excluded)", pages, target=150, target_p95=True,
                          note=f"; errors {page_failures} (target 0) "
                               f"{'ok' if page_failures == 0 else 'MISSED'}"))
    if post_login:
        rows.append(h.Row("POST /login", post_login, target=400, target_p95=True,
                          note=f"; errors {stats.login_failures.get('POST /login', 0)}"))
    h.report("load test against its targets", rows, data)
    print(f"   the load generator's own CPU in the measured window: {own_cpu:.1f} s in "
          f"{measured:.0f} s ({100 * own_cpu / measured:.0f}% of one core)")
    for error in stats.errors:
        print(f"   error: {error}")
    if login_failures or stuck:
        print(f"   {login_failures} user(s) could not log in; {stuck} thread(s) still running")
    h.write_json(args)


if __name__ == "__main__":
    main()

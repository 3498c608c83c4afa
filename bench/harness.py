"""Shared bench harness: every figure is taken through HTTP against gunicorn, beside its floor.

What it gives the scripts in bench/:

* `arguments()`: the options every script takes (--database sqlite|postgresql, --database-url,
  --schools/--pupils/--years, --runs, --workers, --fresh, --json);
* `dataset()`: a database migrated and seeded with `flask --app wsgi seed-demo` (the seed is
  timed; a database already seeded with the same sizes is reused unless --fresh);
* `Server`: gunicorn on 127.0.0.1 with a free port against that database, waited for on
  /healthz; `floor_server()` is the bare Flask "hello" (bench/floor_app.py) under the same
  gunicorn settings, the HTTP floor;
* `Client`: a logged-in HTTP client (http.client, cookies kept, the CSRF token read from each
  page's <meta name="csrf-token"> and sent as X-CSRFToken, the way the htmx pages do);
* `InProcess`: the app in this process, for setting data up and for capturing the exact SQL a
  request runs; `BareConnection` replays that SQL on a bare driver connection (sqlite3 or
  psycopg, the same PRAGMAs as the app), the SQL floor;
* `interleave()`: A/B/A/B sampling (the order flips each round, an optional write before every
  sample), so a page and its floor see the same machine, caches and data;
* `report()`: a table of medians, p95, the floor's median, the ratio and the target.

Targets are printed beside the figures, never asserted: timings belong here, not in tests.
Loopback only; every loop is bounded in count.
"""
from __future__ import annotations

import argparse
import enum
import http.client
import json
import math
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-2026"
SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789abcdef"
CACHE_DIR = Path(os.environ.get("BENCH_DIR") or Path(tempfile.gettempdir()) / "careers-bench")
CSRF_META = re.compile(r'<meta name="csrf-token" id="csrf-token" content="([^"]+)"')
MARKER_PREFIX = "careers-bench dataset "
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite


class BenchError(RuntimeError):
    """Something the bench needs did not work (a page answered wrongly, a server died)."""


# Options --------------------------------------------------------------------------------------

def arguments(description: str, *, schools: int = 5, pupils: int = 1500, years: int = 5,
              runs: int | None = 30) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="default: a SQLite file in $BENCH_DIR "
                        "(/tmp/careers-bench), or $BENCH_POSTGRES_URL for --database postgresql; "
                        "the database is wiped and seeded unless it holds this bench's dataset")
    parser.add_argument("--schools", type=int, default=schools)
    parser.add_argument("--pupils", type=int, default=pupils, help="pupils on roll per school")
    parser.add_argument("--years", type=int, default=years, help="years of encounter history")
    if runs is not None:
        parser.add_argument("--runs", type=int, default=runs,
                            help="samples of each measurement")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")),
                        help="gunicorn workers, for the app and for the hello floor")
    parser.add_argument("--fresh", action="store_true", help="wipe and re-seed even if the "
                        "database already holds this dataset (times seed-demo again)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    return parser


def check_sizes(args) -> None:
    if not (1 <= args.schools <= 50 and 7 <= args.pupils <= 100_000 and 1 <= args.years <= 10
            and 1 <= getattr(args, "runs", 1) <= 10_000 and 1 <= args.workers <= 64):
        raise SystemExit("sizes out of range: --schools 1-50, --pupils 7-100000, --years 1-10, "
                         "--runs 1-10000, --workers 1-64")


# The seeded database --------------------------------------------------------------------------

@dataclass
class Dataset:
    url: str                    # DATABASE_URL as the app reads it
    dialect: str                # "sqlite" or "postgresql"
    key: str                    # "5 schools x 1500 pupils x 5 years"
    seed_seconds: float | None  # None when an existing dataset was reused
    seed_output: str = ""

    @property
    def label(self) -> str:
        return "SQLite" if self.dialect == "sqlite" else "PostgreSQL"


def app_env(url: str | None = None) -> dict[str, str]:
    """The environment gunicorn and the flask CLI run with: production settings, this tree."""
    env = dict(os.environ)
    env.update(SECRET_KEY=SECRET_KEY, DEMO_PASSWORD=PASSWORD, CAREERS_ENV="production",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p))
    if url:
        env["DATABASE_URL"] = url
    return env


def _flask(url: str, *argv: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *argv], cwd=ROOT,
                          env=app_env(url), capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BenchError(f"flask {' '.join(argv)} failed:\n{done.stdout}{done.stderr[-3000:]}")
    return done.stdout


def _sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///"):])


def _psycopg():
    import psycopg
    return psycopg


def _marker(url: str) -> str | None:
    """The dataset this bench last seeded into the database, or None (nothing, or not ours)."""
    if url.startswith("sqlite:///"):
        side = Path(str(_sqlite_path(url)) + ".bench")
        if _sqlite_path(url).exists() and side.exists():
            return side.read_text().strip()
        return None
    with _psycopg().connect(url) as conn:
        row = conn.execute("SELECT obj_description('public'::regnamespace, 'pg_namespace')"
                           ).fetchone()
    comment = row[0] if row else None
    return comment[len(MARKER_PREFIX):] if comment and comment.startswith(MARKER_PREFIX) else None


def _has_tables(url: str) -> bool:
    if url.startswith("sqlite:///"):
        return _sqlite_path(url).exists() and _sqlite_path(url).stat().st_size > 0
    with _psycopg().connect(url) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                            ).fetchone()[0] > 0


def _wipe(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", ".bench"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with _psycopg().connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _set_marker(url: str, key: str) -> None:
    if url.startswith("sqlite:///"):
        Path(str(_sqlite_path(url)) + ".bench").write_text(key)
        return
    with _psycopg().connect(url, autocommit=True) as conn:
        conn.execute(f"COMMENT ON SCHEMA public IS '{MARKER_PREFIX}{key}'")  # key: digits only


def database_url(args) -> str:
    if args.database_url:
        return args.database_url
    key = f"{args.schools}x{args.pupils}x{args.years}"
    if args.database == "sqlite":
        return f"sqlite:///{CACHE_DIR / f'bench-{key}.db'}"
    url = os.environ.get("BENCH_POSTGRES_URL")
    if not url:
        raise SystemExit("--database postgresql needs --database-url or BENCH_POSTGRES_URL "
                         "(a throwaway database: the bench wipes it), e.g. "
                         "postgresql://postgres@127.0.0.1:5432/bench")
    return url


def dataset(args) -> Dataset:
    """The database seeded with `seed-demo --schools S --pupils P --years Y`, timed."""
    check_sizes(args)
    url = database_url(args)
    if url.startswith("postgres") != (args.database == "postgresql"):
        raise SystemExit(f"--database {args.database} does not match --database-url {url}")
    key = f"{args.schools}x{args.pupils}x{args.years}"
    label = f"{args.schools} schools x {args.pupils:,} pupils x {args.years} years"
    found = _marker(url)
    if found == key and not args.fresh:
        return Dataset(url, args.database, label, None)
    if found is None and _has_tables(url) and not args.fresh:
        raise SystemExit(f"{url} holds tables this bench did not seed; pass --fresh to wipe it")
    _wipe(url)
    _flask(url, "db", "upgrade")
    started = time.perf_counter()
    output = _flask(url, "seed-demo", "--schools", str(args.schools), "--pupils",
                    str(args.pupils), "--years", str(args.years))
    seconds = time.perf_counter() - started
    _set_marker(url, key)
    return Dataset(url, args.database, label, seconds, output.splitlines()[0] if output else "")


# gunicorn -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving `app_spec` on 127.0.0.1 (a free port) until the with-block ends."""

    def __init__(self, app_spec: str = "wsgi:app", *, url: str | None = None, workers: int = 2,
                 pythonpath: Path | None = None):
        self.app_spec, self.url, self.workers, self.pythonpath = app_spec, url, workers, pythonpath
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.port = free_port()
        self.log = tempfile.TemporaryFile(mode="w+")
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
                   "--chdir", str(ROOT)]
        if self.pythonpath:
            command += ["--pythonpath", str(self.pythonpath)]
        self.process = subprocess.Popen(command + [self.app_spec], cwd=ROOT, env=app_env(self.url),
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn {self.app_spec} exited:\n{self._log_tail()}")
            try:
                reply = Client(self.base, timeout=5).get("/healthz")
                if reply.status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        tail = self._log_tail()
        self.__exit__(None, None, None)
        raise BenchError(f"gunicorn {self.app_spec} did not answer /healthz:\n{tail}")

    def _log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:]

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the master stops its own workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def floor_server(workers: int) -> Server:
    """The bare Flask "hello" under the same gunicorn settings as the app."""
    return Server("floor_app:app", workers=workers, pythonpath=ROOT / "bench")


# HTTP client ----------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    ms: float  # from sending the request to the last byte of the body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _multipart(data: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in data.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{item}\r\n".encode())
    for name, (filename, content, mimetype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """One browser: its cookies, its CSRF token; http.client over loopback."""

    def __init__(self, base: str, timeout: float = 120):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = parsed.hostname, parsed.port, timeout
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, *, data: dict | None = None,
                files: dict | None = None, headers: dict | None = None, htmx: bool = False,
                expect: Sequence[int] | None = None) -> Reply:
        sent = {"Accept": "text/html,*/*", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD", "OPTIONS") and self.csrf:
            sent.setdefault("X-CSRFToken", self.csrf)
        if htmx:
            sent["HX-Request"] = "true"
        body = None
        if files:
            body, sent["Content-Type"] = _multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body, sent)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        ms = (time.perf_counter() - started) * 1000
        reply = Reply(response.status, response.headers, payload, ms)
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        if (response.headers.get("Content-Type") or "").startswith("text/html"):
            match = CSRF_META.search(reply.text)
            if match:
                self.csrf = match.group(1)
        if expect is not None and reply.status not in expect:
            raise BenchError(f"{method} {path} answered {reply.status}, expected {list(expect)}: "
                             f"{reply.text[:300]!r}")
        return reply

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in (morsel["expires"] or ""):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Reply:
        return self.request("POST", path, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> Reply:
        """Log in like a browser: the login form's CSRF token, then the home page (which
        gives the new session's token). Returns the POST /login reply (its time is the login)."""
        self.get("/login", expect=(200,))
        reply = self.post("/login", data={"username": username, "password": password,
                                          "csrf_token": self.csrf or ""}, expect=(303,))
        page = self.get("/", expect=(200, 302, 303))
        for _ in range(3):
            if page.status not in (302, 303):
                break
            page = self.get(urllib.parse.urlsplit(page.headers["Location"]).path or "/",
                            expect=(200, 302, 303))
        if page.status != 200 or not self.csrf:
            raise BenchError(f"logged in as {username} but the home page gave no CSRF token")
        return reply


# The app in this process: setup, and the SQL a request runs ----------------------------------

@dataclass
class Statement:
    kind: str                 # "execute", "commit" or "rollback"
    sql: str = ""
    parameters: object = None
    many: bool = False


class InProcess:
    """The app, in this process, on the same database (CSRF off: it never serves HTTP)."""

    def __init__(self, url: str):
        from careers_app import create_app
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                               "WTF_CSRF_ENABLED": False})
        self.client = self.app.test_client()

    def login(self, username: str, password: str = PASSWORD) -> None:
        response = self.client.post("/login", data={"username": username, "password": password})
        if response.status_code != 303:
            raise BenchError(f"in-process login as {username} answered {response.status_code}")

    def capture(self, action: Callable[[], object]) -> list[Statement]:
        """Every statement, commit and rollback `action` sends to the database, as the driver
        receives it (SQL text and bound parameters after SQLAlchemy's processing)."""
        from sqlalchemy import event

        from careers_app.extensions import db
        with self.app.app_context():
            engine = db.engine
        captured: list[Statement] = []

        def on_execute(_conn, _cursor, statement, parameters, _context, executemany):
            captured.append(Statement("execute", statement, parameters, executemany))

        def on_commit(_conn):
            captured.append(Statement("commit"))

        def on_rollback(_conn):
            captured.append(Statement("rollback"))

        hooks = (("before_cursor_execute", on_execute), ("commit", on_commit),
                 ("rollback", on_rollback))
        for name, hook in hooks:
            event.listen(engine, name, hook)
        try:
            action()
        finally:
            for name, hook in hooks:
                event.remove(engine, name, hook)
        return captured

    def capture_get(self, path: str, **kwargs) -> list[Statement]:
        def get():
            response = self.client.get(path, **kwargs)
            if response.status_code not in (200, 304):
                raise BenchError(f"in-process GET {path} answered {response.status_code}")
        return self.capture(get)

    def scalars(self, statement) -> list:
        from careers_app.extensions import db
        with self.app.app_context():
            try:
                return list(db.session.scalars(statement).all())
            finally:
                db.session.remove()

    def scalar(self, statement):
        rows = self.scalars(statement)
        return rows[0] if rows else None


class BareConnection:
    """A bare driver connection (sqlite3 with the app's PRAGMAs, or psycopg), kept open like
    the app's pooled connection, that replays captured statements."""

    def __init__(self, url: str):
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        if self.dialect == "sqlite":
            from careers_app.database import BUSY_TIMEOUT_MS
            self.conn = sqlite3.connect(str(_sqlite_path(url)), isolation_level=None,
                                        check_same_thread=False)
            for pragma in (f"busy_timeout = {BUSY_TIMEOUT_MS}", "journal_mode = WAL",
                           "synchronous = NORMAL", "foreign_keys = ON"):
                self.conn.execute(f"PRAGMA {pragma}")
        else:
            self.conn = _psycopg().connect(url)
        self.placeholder = "?" if self.dialect == "sqlite" else "%s"

    def run(self, statements: Sequence[Statement]) -> int:
        """Send the statements (fetching every row), end any open transaction; rows read."""
        rows = 0
        cursor = self.conn.cursor()
        for statement in statements:
            if statement.kind == "commit":
                self.conn.commit()
            elif statement.kind == "rollback":
                self.conn.rollback()
            elif statement.many:
                cursor.executemany(statement.sql, statement.parameters)
            else:
                cursor.execute(statement.sql, statement.parameters)
                if cursor.description is not None:
                    rows += len(cursor.fetchall())
        self.end()
        return rows

    def end(self) -> None:
        if self.dialect == "sqlite":
            if self.conn.in_transaction:
                self.conn.rollback()
        elif self.conn.info.transaction_status != 0:  # not IDLE
            self.conn.rollback()

    def timed_run(self, statements: Sequence[Statement]) -> float:
        started = time.perf_counter()
        self.run(statements)
        return (time.perf_counter() - started) * 1000

    def value(self, value):
        """A Python value as the app stores it through this driver."""
        if isinstance(value, enum.Enum):
            return value.value
        if self.dialect == "sqlite":
            if isinstance(value, datetime):
                return value.strftime(SQLITE_DATETIME)  # as careers_app.database says
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, bool):
                return int(value)
        return value

    def insert_sql(self, table, rows: list[dict], returning: str | None = None) -> tuple[str, list]:
        """A multi-row INSERT of `rows` into `table` (a SQLAlchemy Table), every column given:
        the row's value, else the column's default (scalar or callable), else NULL. Build it
        before the clock starts: this Python work is not the database's."""
        columns = [c for c in table.columns if not (c.primary_key and c.name == "id")]
        params: list = []
        groups = []
        for row in rows:
            for column in columns:
                if column.name in row:
                    value = row[column.name]
                elif column.default is not None and column.default.is_scalar:
                    value = column.default.arg
                elif column.default is not None and column.default.is_callable:
                    try:
                        value = column.default.arg(None)
                    except (AttributeError, TypeError) as error:  # needs the statement context
                        raise BenchError(f"give {table.name}.{column.name} a value") from error
                else:
                    value = None
                params.append(self.value(value))
            groups.append("(" + ", ".join([self.placeholder] * len(columns)) + ")")
        # Names come from the models, every value is a bound parameter.
        names = ", ".join(c.name for c in columns)
        sql = (f'INSERT INTO "{table.name}" ({names}) VALUES '  # nosec B608
               + ", ".join(groups) + (f" RETURNING {returning}" if returning else ""))
        return sql, params

    def close(self) -> None:
        self.conn.close()


# Sampling and the table -----------------------------------------------------------------------

def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def interleave(contenders: dict[str, Callable[[], float]], runs: int, *,
               before: Callable[[], object] | None = None,
               warmup: int = 3) -> dict[str, list[float]]:
    """Sample each contender `runs` times, A/B/A/B in one loop (the order flips every round),
    after `warmup` discarded rounds. Each contender returns its own time in ms; `before`
    (untimed) runs before every sample, e.g. a write so each sample is "just after a write"."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(warmup + runs):
        for name in names if round_ % 2 == 0 else reversed(names):
            if before is not None:
                before()
            ms = contenders[name]()
            if round_ >= warmup:
                samples[name].append(ms)
    return samples


def p50(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


@dataclass
class Row:
    label: str
    samples: list[float]
    floor: list[float] | None = None   # the floor this row is divided by
    floor_label: str = ""
    target: float | None = None        # ms, on the median unless target_p95
    target_p95: bool = False
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        figure = p95(self.samples) if self.target_p95 else p50(self.samples)
        return "ok" if figure <= self.target else "MISSED"


_RESULTS: list[dict] = []


def header(title: str, data: Dataset | None, args=None, **facts) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n== {title}")
    bits = []
    if data is not None:
        bits.append(f"{data.label}, {data.key}")
    if args is not None:
        bits.append(f"gunicorn {args.workers} worker(s)")
        if getattr(args, "runs", None):
            bits.append(f"{args.runs} runs")
    bits.append(f"{os.cpu_count()} cores, load average {load}")
    print("   " + "; ".join(bits))
    for name, value in facts.items():
        print(f"   {name.replace('_', ' ')}: {value}")
    if data is not None and data.seed_seconds is not None:
        print(f"   seed-demo --schools/--pupils/--years as above: {data.seed_seconds:.1f} s "
              f"wall clock ({data.seed_output})")


def report(title: str, rows: list[Row], data: Dataset | None = None) -> None:
    print(f"{'':3}{title}")
    print(f"   {'measurement':<44}{'n':>5}{'p50':>9}{'p95':>9}   {'floor p50':>17}{'ratio':>8}"
          f"   target")
    for row in rows:
        floor = (f"{p50(row.floor):7.2f} {row.floor_label:<9}" if row.floor else "")
        ratio = f"{p50(row.samples) / p50(row.floor):7.2f}x" if row.floor else ""
        target = ""
        if row.target is not None:
            target = f"{'p95' if row.target_p95 else 'p50'} <= {row.target:g} ms {row.verdict}"
        print(f"   {row.label:<44}{len(row.samples):>5}{p50(row.samples):9.2f}"
              f"{p95(row.samples):9.2f}   {floor:>17}{ratio:>8}   {target}{row.note}")
        _RESULTS.append({
            "section": title, "measurement": row.label,
            "database": data.dialect if data else None, "dataset": data.key if data else None,
            "n": len(row.samples), "p50_ms": round(p50(row.samples), 3),
            "p95_ms": round(p95(row.samples), 3),
            "floor": row.floor_label or None,
            "floor_p50_ms": round(p50(row.floor), 3) if row.floor else None,
            "ratio": round(p50(row.samples) / p50(row.floor), 3) if row.floor else None,
            "target_ms": row.target, "target_on": "p95" if row.target_p95 else "p50",
            "verdict": row.verdict or None})


def seed_row(data: Dataset, target_s: float) -> None:
    if data.seed_seconds is None:
        return
    verdict = "ok" if data.seed_seconds <= target_s else "MISSED"
    print(f"   seed-demo ({data.key}) on {data.label}: {data.seed_seconds:.1f} s, "
          f"target <= {target_s:g} s {verdict}")
    _RESULTS.append({"section": "seed-demo", "measurement": f"seed-demo {data.key}",
                     "database": data.dialect, "seconds": round(data.seed_seconds, 2),
                     "target_s": target_s, "verdict": verdict})


def write_json(args) -> None:
    if getattr(args, "json", None):
        path = Path(args.json)
        previous = json.loads(path.read_text()) if path.exists() else []
        path.write_text(json.dumps(previous + _RESULTS, indent=1))


# Things several scripts do --------------------------------------------------------------------

def demo_school(app: InProcess, slug: str = "demo") -> int:
    from sqlalchemy import select

    from careers_app.models import School
    school_id = app.scalar(select(School.id).where(School.slug == slug))
    if school_id is None:
        raise BenchError(f"no school {slug!r} in the database")
    return school_id


def pupils_on_roll(app: InProcess, school_id: int, year_group: int | None = None,
                   tutor_group: str | None = None) -> list[int]:
    from sqlalchemy import select

    from careers_app.domain.academic import academic_year_of, cohort_for
    from careers_app.domain.dates import today_london
    from careers_app.models import Pupil
    year = academic_year_of(today_london())
    query = select(Pupil.id).where(Pupil.school_id == school_id, Pupil.left_on.is_(None),
                                   Pupil.cohort.between(cohort_for(13, year), cohort_for(7, year)))
    if year_group is not None:
        query = query.where(Pupil.cohort == cohort_for(year_group, year))
    if tutor_group is not None:
        query = query.where(Pupil.tutor_group == tutor_group)
    return app.scalars(query.order_by(Pupil.id))


def log_encounter(client: Client, pupil_ids: Sequence[int], title: str = "Bench talk") -> Reply:
    """The quick log's submit (htmx), for these pupils, today: a write through the app."""
    from careers_app.domain.dates import today_london
    return client.post("/encounters/new", htmx=True, expect=(204,), data={
        "kind": "employer_talk", "title": title, "date": today_london().isoformat(),
        "group": "", "meaningful": "y", "submission_key": f"bench-{uuid.uuid4().hex}",
        "pupil_ids": [str(i) for i in pupil_ids]})

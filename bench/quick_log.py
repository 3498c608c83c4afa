"""Times the tutor's quick log on the server: open the form, switch group (htmx), submit.

Usage: .venv/bin/python bench/quick_log.py [--runs 200] [--database-url URL]
Prints median and p95 in milliseconds for each step. Uses a fresh temporary SQLite database
with the demo school unless --database-url is given (its data is left in place).
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from careers_app import create_app  # noqa: E402
from careers_app.demo import seed_demo  # noqa: E402
from careers_app.domain.dates import today_london  # noqa: E402

PASSWORD = "bench-password-123"
TOKEN_RE = re.compile(r'X-CSRFToken&#34;: &#34;([^&]+)&#34;|"X-CSRFToken": "([^"]+)"')


def token(html: str) -> str:
    match = TOKEN_RE.search(html)
    return match.group(1) or match.group(2)


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key-0123456789"})
    with app.app_context():
        upgrade()
        seed_demo(password=PASSWORD)
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "tutor", "password": PASSWORD,
                                "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)})
    page = client.get("/encounters/new").get_data(as_text=True)
    csrf = token(page)
    pupil_ids = re.findall(r'name="pupil_ids" value="(\d+)"', page)
    headers = {"X-CSRFToken": csrf, "HX-Request": "true"}

    def open_form():
        assert client.get("/encounters/new").status_code == 200

    def switch_group():
        assert client.get("/encounters/pupil-checklist?group=yg:9",
                          headers={"HX-Request": "true"}).status_code == 200

    counter = iter(range(10**9))

    def submit():
        data = {"kind": "employer_talk", "title": "Bench talk", "date": today_london().isoformat(),
                "group": "tg:10A", "meaningful": "y", "submission_key": f"bench-{next(counter)}",
                "pupil_ids": pupil_ids[2:]}
        response = client.post("/encounters/new", data=data, headers=headers)
        assert response.status_code == 204, response.status_code

    print(f"Quick log, tutor group of {len(pupil_ids)} ({len(pupil_ids) - 2} ticked), "
          f"{args.runs} runs, {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    for name, fn in (("open the form", open_form), ("switch group (htmx)", switch_group),
                     ("submit (one transaction)", submit)):
        median, p95 = timed(fn, args.runs)
        print(f"  {name:<26} median {median:6.1f} ms   p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()

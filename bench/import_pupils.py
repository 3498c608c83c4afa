"""Time the pupil import of a 2,000-row MIS export: preview, then commit, then a re-import.

    .venv/bin/python bench/import_pupils.py [--rows 2000] [--database-url URL]

Uses a fresh temporary SQLite database unless --database-url is given (it must be an empty,
throwaway database: the schema is built by the migrations). Drives the same services the web
pages and the CLI use, including the HTTP views for the preview and the confirm, and prints
the seconds each step took.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from careers_app import create_app  # noqa: E402
from careers_app.domain.upn import make_upn  # noqa: E402
from careers_app.extensions import db  # noqa: E402
from careers_app.models import Role, School, User  # noqa: E402
from careers_app.security import hash_password  # noqa: E402

PASSWORD = "bench password 123"
FORENAMES = ["Zoë", "Amir", "Olivia", "Noah", "Ava", "Leo", "Isla", "Jack", "Freya", "Muhammad"]
SURNAMES = ["O’Brien", "Smith", "Khan", "Jones", "Williams", "Taylor", "Müller", "Patel", "Brown"]


def export_csv(rows: int, group_suffix: str = "") -> bytes:
    """A SIMS-style export in Windows-1252, as Excel saves it."""
    lines = ['"UPN","Legal Surname","Legal Forename","Preferred Forename","Year","Reg Group",'
             '"SEN Status","Pupil Premium","In Care"']
    for n in range(rows):
        year = 7 + n % 7
        lines.append(",".join(f'"{v}"' for v in [
            make_upn(886, 5000 + n // 1000, 10, n % 1000), SURNAMES[n % len(SURNAMES)],
            FORENAMES[n % len(FORENAMES)], "", f"Year {year}", f"{year}{'ABCD'[n % 4]}{group_suffix}",
            "NKE"[n % 3] if n % 5 == 0 else "N", "Y" if n % 4 == 0 else "N",
            "Y" if n % 97 == 0 else "N"]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench-secret-key-0123456789abcdef"})
    with app.app_context():
        upgrade()
        school = School(name="Bench Academy", slug="bench")
        db.session.add(school)
        db.session.flush()
        db.session.add(User(school_id=school.id, username="benchlead", display_name="Lead",
                            role=Role.ADMIN, password_hash=hash_password(PASSWORD)))
        db.session.commit()

    data = export_csv(args.rows)
    client = app.test_client()
    client.post("/login", data={"username": "benchlead", "password": PASSWORD})

    def timed(label, fn):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
        print(f"{label:<44} {elapsed:6.2f} s")
        return result, elapsed

    print(f"{args.rows:,}-row Windows-1252 SIMS-style export on {url.split(':')[0]}")

    def upload_and_preview(data=data):
        response = client.post("/pupils/import", data={"file": (io.BytesIO(data), "sims.csv")},
                               content_type="multipart/form-data")
        token = re.search(r"/pupils/import/([^/]+)$", response.headers["Location"]).group(1)
        page = client.get(f"/pupils/import/{token}")
        assert page.status_code == 200 and f"<dd>{args.rows:,}</dd>" in page.get_data(as_text=True)
        return token

    token, preview_s = timed("upload + preview (all new)", upload_and_preview)
    response, import_s = timed("confirm: import in one transaction",
                               lambda: client.post(f"/pupils/import/{token}/confirm"))
    assert response.status_code == 303, response.status_code
    with app.app_context():
        from sqlalchemy import func, select

        from careers_app.models import Pupil
        assert db.session.scalar(select(func.count()).select_from(Pupil)) == args.rows
    token2, repreview_s = timed("re-upload + preview (all unchanged)", upload_and_preview)
    _r, reimport_s = timed("confirm the re-import (changes nothing)",
                           lambda: client.post(f"/pupils/import/{token2}/confirm"))
    moved = export_csv(args.rows, group_suffix="X")  # every pupil changes tutor group
    token3, _s = timed("re-upload + preview (all updated)", lambda: upload_and_preview(moved))
    _r, _s = timed("confirm: update every pupil",
                   lambda: client.post(f"/pupils/import/{token3}/confirm"))
    print(f"preview + import of {args.rows:,} rows: {preview_s + import_s:.2f} s "
          f"(bar: under 5 s)")
    tmp.cleanup()


if __name__ == "__main__":
    main()

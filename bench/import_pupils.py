"""The pupil import of a 2,000-row MIS export through gunicorn, beside a bare multi-row INSERT
of the same pupils.

    .venv/bin/python bench/import_pupils.py [--rows 2000]            # SQLite
    .venv/bin/python bench/import_pupils.py --database postgresql     # $BENCH_POSTGRES_URL

Each sample imports into a new, empty school (created through the app's models; its careers
leader logs in over HTTP, untimed) on top of the seeded dataset. Interleaved A/B/A/B:

* the import as a careers leader does it: upload the Windows-1252 SIMS-style CSV (POST
  /pupils/import), the preview page (GET), confirm (POST): the three requests' times added;
* its INSERT floor: the same pupils written by one prepared INSERT, executemany (psycopg
  pipelines it, as SQLAlchemy does for the app's bulk insert) on a bare sqlite3/psycopg
  connection, committed, into another new school; the parameters are built before the clock
  starts;
* the re-import of the same file (all unchanged, nothing written), for information.

Target (printed): upload + preview + import of 2,000 rows under 5 s. The pupils both sides
wrote are deleted at the end (the bench schools stay, empty).
"""
from __future__ import annotations

import uuid

import harness as h

FORENAMES = ["Zoë", "Amir", "Olivia", "Noah", "Ava", "Leo", "Isla", "Jack", "Freya", "Muhammad"]
SURNAMES = ["O’Brien", "Smith", "Khan", "Jones", "Williams", "Taylor", "Müller", "Patel", "Brown"]
SLUG = "bench-import-"


def pupils(rows: int) -> list[dict]:
    from careers_app.domain.upn import make_upn
    out = []
    for n in range(rows):
        year = 7 + n % 7
        out.append(dict(upn=make_upn(886, 5000 + n // 1000, 10, n % 1000),
                        surname=SURNAMES[n % len(SURNAMES)],
                        legal_forename=FORENAMES[n % len(FORENAMES)], year=year,
                        tutor_group=f"{year}{'ABCD'[n % 4]}",
                        send_status="NKE"[n % 3] if n % 5 == 0 else "N",
                        disadvantaged=n % 4 == 0, looked_after=n % 97 == 0))
    return out


def export_csv(rows: list[dict]) -> bytes:
    """A SIMS-style export in Windows-1252, as Excel saves it."""
    lines = ['"UPN","Legal Surname","Legal Forename","Preferred Forename","Year","Reg Group",'
             '"SEN Status","Pupil Premium","In Care"']
    for p in rows:
        lines.append(",".join(f'"{v}"' for v in [
            p["upn"], p["surname"], p["legal_forename"], "", f"Year {p['year']}",
            p["tutor_group"], p["send_status"], "Y" if p["disadvantaged"] else "N",
            "Y" if p["looked_after"] else "N"]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def new_school(app: h.InProcess, password_hash: str) -> tuple[int, str]:
    from careers_app.extensions import db
    from careers_app.models import Role, School, User
    tag = uuid.uuid4().hex[:10]
    with app.app.app_context():
        school = School(name=f"Bench Import {tag}", slug=f"{SLUG}{tag}")
        db.session.add(school)
        db.session.flush()
        db.session.add(User(school_id=school.id, username=f"{SLUG}{tag}", display_name="Lead",
                            role=Role.ADMIN, password_hash=password_hash))
        db.session.commit()
        school_id = school.id
        db.session.remove()
    return school_id, f"{SLUG}{tag}"


def main() -> None:
    parser = h.arguments(__doc__, runs=5)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    if not 1 <= args.rows <= 20_000:
        raise SystemExit("--rows 1-20000")
    data = h.dataset(args)
    app = h.InProcess(data.url)
    from careers_app.domain.academic import academic_year_of, cohort_for
    from careers_app.domain.dates import today_london
    from careers_app.domain.search_text import pupil_search_text
    from careers_app.models import Pupil
    from careers_app.security import hash_password

    password_hash = hash_password(h.PASSWORD)
    rows = pupils(args.rows)
    csv = export_csv(rows)
    today = today_london()
    year = academic_year_of(today)
    h.header("pupil import", data, args,
             file=f"{args.rows:,}-row Windows-1252 SIMS-style export, {len(csv) / 1024:.0f} KiB")
    reimports: list[float] = []

    with h.Server(url=data.url, workers=args.workers) as server:
        bare = h.BareConnection(data.url)

        def through_app() -> float:
            _school_id, username = new_school(app, password_hash)
            lead = h.Client(server.base)
            lead.login(username)

            def upload() -> float:
                sent = lead.post("/pupils/import", files={"file": ("sims.csv", csv, "text/csv")},
                                 expect=(303,))
                location = sent.headers["Location"]
                if "/columns" in location:
                    raise h.BenchError("the import asked for the column mapping")
                token = location.rstrip("/").rsplit("/", 1)[-1]
                preview = lead.get(f"/pupils/import/{token}", expect=(200,))
                if f"{args.rows:,}" not in preview.text:
                    raise h.BenchError("the preview does not show every row as new")
                confirm = lead.post(f"/pupils/import/{token}/confirm", expect=(303,))
                return sent.ms + preview.ms + confirm.ms

            total = upload()
            reimports.append(upload())  # the same file again: all unchanged
            return total

        def floor() -> float:
            school_id, _username = new_school(app, password_hash)
            values = [dict(school_id=school_id, upn=p["upn"], legal_forename=p["legal_forename"],
                           preferred_forename=None, surname=p["surname"],
                           cohort=cohort_for(p["year"], year), tutor_group=p["tutor_group"],
                           send_status=p["send_status"], disadvantaged=p["disadvantaged"],
                           looked_after=p["looked_after"], considering_he=False,
                           joined_on=today, left_on=None,
                           search_text=pupil_search_text(p["legal_forename"], None,
                                                         p["surname"], p["upn"]))
                      for p in rows]
            sql, _params = bare.insert_sql(Pupil.__table__, values[:1])
            params = [bare.insert_sql(Pupil.__table__, [row])[1] for row in values]
            cursor = bare.conn.cursor()

            def write():
                if bare.dialect == "sqlite":
                    cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(sql, params)
                bare.conn.commit()
            return h.timed(write)

        try:
            samples = h.interleave({"import": through_app, "insert": floor}, args.runs, warmup=1)
            h.report(f"import of {args.rows:,} new pupils", [
                h.Row("upload + preview + confirm, through gunicorn", samples["import"],
                      samples["insert"], "INSERT", 5000 if args.rows <= 2000 else None),
                h.Row("INSERT floor: same pupils, bare driver", samples["insert"]),
                h.Row("re-import of the same file (all unchanged)", reimports[-args.runs:]),
            ], data)
        finally:
            p = bare.placeholder
            cursor = bare.conn.cursor()
            if bare.dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("DELETE FROM pupil WHERE school_id IN "  # nosec B608 (a placeholder)
                           f"(SELECT id FROM school WHERE slug LIKE {p})", (f"{SLUG}%",))
            bare.conn.commit()
            bare.close()
    h.write_json(args)


if __name__ == "__main__":
    main()

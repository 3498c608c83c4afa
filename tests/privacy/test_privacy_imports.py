"""The roster's history and UK GDPR: the subject-access export includes each year's record,
the tutor group of each participation and what the import history holds; erasure and
anonymising leave nothing of the pupil in it, and the last import can still be undone for
everyone else; the retention job clears import data past the undo window."""
from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from careers_app.domain import mis_import
from careers_app.extensions import db
from careers_app.models import AuditLog, Participation, Pupil, PupilYear
from careers_app.models.base import utcnow
from careers_app.models.roster import ImportBatch
from careers_app.privacy import services as privacy
from careers_app.roster import services as roster, undo, writing

NOVEMBER = date(2025, 11, 10)
HEAD = "UPN,Legal Surname,Legal Forename,Year,Reg Group,SEN Status,Pupil Premium"
ANN, BEN, CAT, DAN = "J886432110001", "Y886432110002", "M886432110003", "Q886432110005"
FIRST = [f"{ANN},Able,Ann,Year 10,10A,N,N", f"{BEN},Baker,Ben,Year 10,10B,K,Y",
         f"{CAT},Cole,Cat,Year 11,11A,N,N"]
# Ann is renamed, moves group and gets SEN support; Ben is unchanged; Cat is missing (a
# leaver); Dan is new, with an EHCP.
SECOND = [f"{ANN},Abel,Ann,Year 10,10C,K,N", f"{BEN},Baker,Ben,Year 10,10B,K,Y",
          f"{DAN},Dee,Dan,Year 7,7A,E,Y"]
SURNAMES = {ANN: ("Able", "Abel"), BEN: ("Baker",), CAT: ("Cole",), DAN: ("Dee",)}


def _csv(lines) -> bytes:
    return ("\n".join([HEAD, *lines]) + "\n").encode()


def _import(school, lines, today, **choices):
    table = mis_import.read_table(_csv(lines))
    mapping = mis_import.guess_mapping(table.headers, roster.remembered_mapping(school.id))
    return writing.import_table(school.id, table, mapping, writing.ImportChoices(**choices),
                                today=today)


def _state() -> dict[str, tuple]:
    """Every pupil's columns and this year's record, by UPN."""
    years = {r.pupil_id: (r.tutor_group, r.send_status) for r in db.session.scalars(
        select(PupilYear).where(PupilYear.academic_year == 2025))}
    found = {p.upn: (p.surname, p.tutor_group, p.send_status, p.left_on, years.get(p.id))
             for p in db.session.scalars(select(Pupil))}
    db.session.expunge_all()
    return found


def _ids() -> dict[str, int]:
    return dict(db.session.execute(select(Pupil.upn, Pupil.id)).all())


def _pupil_ref(pupil_id: int) -> SimpleNamespace:
    """A pupil for the make_encounter factory, which writes in a session of its own: end
    this session's read first (SQLite cannot then write from a stale snapshot)."""
    db.session.commit()
    return SimpleNamespace(id=pupil_id)


@pytest.fixture
def imported(app_ctx, school):
    return _two_imports(school)


def _two_imports(school) -> dict[str, tuple]:
    """Two imports (the second undoable), and an upload not yet imported that holds Ben.
    Returns every pupil's state between the two."""
    _import(school, FIRST, NOVEMBER)
    before = _state()
    _import(school, SECOND, NOVEMBER + timedelta(3), mark_leavers=True, leaving_date=NOVEMBER,
            confirm_large=True)
    roster.start_import(school.id, None, "pending.csv", _csv([FIRST[1]]))
    return before


def _batches_text() -> str:
    """Every column of every import batch, as the database holds them."""
    rows = db.session.execute(select(ImportBatch.__table__)).mappings().all()
    return json.dumps([dict(row) for row in rows], default=str)


def _snapshot_ids() -> set[int]:
    ids: set[int] = set()
    for batch in db.session.scalars(select(ImportBatch)):
        snapshot = batch.undo or {}
        ids |= set(snapshot.get("new", [])) | set(snapshot.get("years_created", []))
        ids |= {r["id"] for r in snapshot.get("updated", []) + snapshot.get("leavers", [])}
        ids |= {r["pupil_id"] for r in snapshot.get("years_before", [])}
    return ids


# Subject-access export ------------------------------------------------------------------

def test_export_has_each_years_record_and_the_group_at_each_encounter(imported, school,
                                                                     make_encounter):
    ann = _pupil_ref(_ids()[ANN])
    encounter = make_encounter([ann], title="Banking talk", on=NOVEMBER)
    db.session.execute(update(Participation).where(Participation.encounter_id == encounter.id)
                       .values(tutor_group="10A"))
    db.session.add(PupilYear(school_id=school.id, pupil_id=ann.id, academic_year=2024,
                             tutor_group="9A", send_status="N"))
    db.session.commit()
    data = privacy.subject_access_export(db.session.get(Pupil, ann.id))
    assert [(y["academic_year"], y["tutor_group"], y["send_status"]) for y in data["years"]] \
        == [("2024/25", "9A", "N"), ("2025/26", "10C", "K")]
    assert data["encounters"][0]["tutor_group_then"] == "10A"


def test_export_has_what_the_undo_snapshot_holds_about_the_pupil_only(imported):
    ids = _ids()
    ann = privacy.subject_access_export(db.session.get(Pupil, ids[ANN]))
    first, entry = ann["imports"]  # the first import added her; the second changed her
    assert first == {**first, "added_by_this_import": True}
    assert entry["values_before"]["surname"] == "Able"
    assert entry["year_record_before"]["tutor_group"] == "10A"
    assert entry["kept_for_undo_until"] and "added_by_this_import" not in entry
    text = json.dumps(ann)
    assert not any(name in text for name in ("Baker", "Cole", "Dee", BEN, CAT, DAN))
    dan = privacy.subject_access_export(db.session.get(Pupil, ids[DAN]))
    assert [e.get("added_by_this_import") for e in dan["imports"]] == [True]
    cat = privacy.subject_access_export(db.session.get(Pupil, ids[CAT]))
    assert cat["imports"][1]["last_day_on_roll_before"] is None  # on roll before
    # Ben's row of the file uploaded but not yet imported.
    ben = privacy.subject_access_export(db.session.get(Pupil, ids[BEN]))
    pending = [e for e in ben["imports"] if e.get("not_yet_imported")]
    assert pending[0]["cells"]["Legal Surname"] == "Baker"
    assert "Able" not in json.dumps(ben)


# Erasure ----------------------------------------------------------------------------------

@pytest.mark.parametrize("upn", [ANN, BEN, CAT, DAN],
                         ids=["updated", "unchanged and pending", "leaver", "new"])
def test_erasure_leaves_nothing_in_the_import_history_and_undo_still_works(imported, school,
                                                                          upn):
    pupil_id = _ids()[upn]
    privacy.erase_pupil(db.session.get(Pupil, pupil_id))
    text = _batches_text()
    assert upn not in text and not any(name in text for name in SURNAMES[upn])
    assert pupil_id not in _snapshot_ids()
    assert db.session.scalar(select(PupilYear).where(PupilYear.pupil_id == pupil_id)) is None
    # The history line stays; the undo restores everyone else as before the second import.
    last = undo.last_applied(school.id)
    assert last.result["new"] == 1
    undo.undo_batch(last.id, school.id)
    expected = {u: values for u, values in imported.items() if u != upn}
    assert _state() == expected


def test_erasure_deletes_an_upload_not_yet_imported_that_holds_the_pupil(imported):
    assert db.session.scalar(select(ImportBatch).where(ImportBatch.filename == "pending.csv"))
    privacy.erase_pupil(db.session.get(Pupil, _ids()[ANN]))
    assert db.session.scalar(select(ImportBatch).where(ImportBatch.filename == "pending.csv"))
    privacy.erase_pupil(db.session.get(Pupil, _ids()[BEN]))
    assert db.session.scalar(select(ImportBatch).where(
        ImportBatch.filename == "pending.csv")) is None


# Anonymising --------------------------------------------------------------------------------

def test_anonymising_scrubs_the_history_and_an_undo_never_gives_the_name_back(imported, school,
                                                                              make_encounter):
    ids = _ids()
    encounter = make_encounter([_pupil_ref(ids[ANN])], on=NOVEMBER)
    db.session.execute(update(Participation).where(Participation.encounter_id == encounter.id)
                       .values(tutor_group="10C"))
    db.session.execute(update(Pupil).where(Pupil.id == ids[ANN]).values(left_on=date(2015, 7, 20)))
    db.session.commit()
    plan = privacy.retention_plan(school.id, 6)
    assert [p.id for p in plan.pupils] == [ids[ANN]]
    assert privacy.anonymise(plan) == 1
    text = _batches_text()
    assert ANN not in text and "Able" not in text and "Abel" not in text
    assert ids[ANN] not in _snapshot_ids()
    # The year's flags stay for old figures; the tutor groups go, as on the Pupil.
    year = db.session.scalar(select(PupilYear).where(PupilYear.pupil_id == ids[ANN]))
    assert (year.tutor_group, year.send_status) == (None, "K")
    assert db.session.scalar(select(Participation.tutor_group).where(
        Participation.pupil_id == ids[ANN])) is None
    undo.undo_batch(undo.last_applied(school.id).id, school.id)
    state = _state()
    assert state[f"ANON{ids[ANN]:09d}"][0] == f"#{ids[ANN]}"  # not "Able" again
    assert {u: v for u, v in state.items() if u in (BEN, CAT)} == {
        u: imported[u] for u in (BEN, CAT)}
    assert DAN not in state


# Retention of import data ----------------------------------------------------------------

def _age(filename: str, **ago) -> None:
    db.session.execute(update(ImportBatch).where(ImportBatch.filename == filename).values(
        **{column: utcnow() - delta for column, delta in ago.items()}))
    db.session.commit()


def _applied_days_ago(days: int) -> None:
    db.session.execute(update(ImportBatch).where(ImportBatch.applied_at.is_not(None)).values(
        applied_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def test_retention_clears_import_data_past_the_undo_window(app, school, lead, client):
    assert undo.UNDO_WINDOW == timedelta(days=7)
    with app.app_context():  # (not app_ctx: the client's requests need contexts of their own)
        _two_imports(school)
        roster.start_import(school.id, None, "fresh.csv", _csv(SECOND))
        _age("pending.csv", created_at=timedelta(days=2, hours=1))
        _applied_days_ago(8)
        assert privacy.retention_plan(school.id, 6).expired_imports == 3
    client.login("lead")
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "held by 3 imports" in page and "Clear the old import data" in page
    assert client.post("/admin/retention").status_code == 303
    with app.app_context():
        batches = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
        assert [b.filename for b in batches] == ["", "", "fresh.csv"]
        for batch in batches[:2]:  # the history lines, with their counts only
            assert not batch.undo and batch.rows == [] and batch.result["new"] in (1, 3)
        text = json.dumps([[b.undo, b.rows] for b in batches[:2]])
        assert not any(u in text for u in SURNAMES) and "send_status" not in text
        assert batches[2].rows  # a fresh upload stays until it is a couple of days old
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "retention"))
        assert "cleared the pupil data of 3 old import(s)" in entry.detail


def test_what_the_retention_job_counts_as_expired(imported, school):
    # The first import can never be undone now (it is not the last): its snapshot goes.
    # The last is still undoable, and the upload is fresh.
    assert privacy.retention_plan(school.id, 6).expired_imports == 1
    last = undo.last_applied(school.id)
    undo.undo_batch(last.id, school.id)  # an undone import drops its snapshot itself
    _age("pending.csv", created_at=timedelta(hours=23))
    assert privacy.retention_plan(school.id, 6).expired_imports == 1
    _age("pending.csv", created_at=timedelta(days=2, minutes=1))
    assert privacy.retention_plan(school.id, 6).expired_imports == 2


def test_after_retention_nothing_about_pupils_stays_in_import_batch(imported, school):
    _applied_days_ago(9)
    _age("pending.csv", created_at=timedelta(days=9))
    privacy.anonymise(privacy.retention_plan(school.id, 6))
    text = _batches_text()
    for upn, surnames in SURNAMES.items():
        assert upn not in text and not any(name in text for name in surnames)
    held = json.dumps([[b.undo, b.rows] for b in db.session.scalars(select(ImportBatch))])
    assert held == "[[null, []], [null, []]]"  # no flags, no cells: the counts only


def test_a_new_upload_also_clears_expired_snapshots(imported, school):
    _applied_days_ago(8)
    roster.start_import(school.id, None, "next.csv", _csv(SECOND))
    assert all(not b.undo for b in db.session.scalars(select(ImportBatch).where(
        ImportBatch.applied_at.is_not(None))))


def test_retention_cli_counts_and_clears_old_imports(imported, app, school):
    _applied_days_ago(8)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "--school", "test"])
    assert "2 MIS imports hold pupil data" in dry.output and "Dry run" in dry.output
    applied = runner.invoke(args=["retention", "--school", "test", "--apply"])
    assert applied.exit_code == 0, applied.output
    assert privacy.retention_plan(school.id, 6).expired_imports == 0

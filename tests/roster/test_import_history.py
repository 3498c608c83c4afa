"""Issue 12, the roster half: dates on roll from the MIS, first imports, leavers' last day,
the 10% confirmation, undo, per-year records and value matching (services, with `today`)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from careers_app.domain import mis_import
from careers_app.domain.academic import cohort_for
from careers_app.extensions import db
from careers_app.models import AuditLog, Pupil, PupilYear
from careers_app.models.roster import ImportBatch
from careers_app.pupils import history
from careers_app.pupils.services import on_roll
from careers_app.roster import services, undo, writing
from careers_app.roster.writing import ImportChoices

NOVEMBER = date(2025, 11, 10)
HEAD = "UPN,Legal Surname,Legal Forename,Year,Reg Group,SEN Status,Pupil Premium"
ROWS = {
    "J886432110001": "J886432110001,Able,Ann,Year 10,10A,N,N",
    "Y886432110002": "Y886432110002,Baker,Ben,Year 10,10B,K,Y",
    "M886432110003": "M886432110003,Cole,Cat,Year 11,11A,N,N",
}


def _csv(*lines: str, head: str = HEAD) -> bytes:
    return ("\n".join([head, *lines]) + "\n").encode()


def _import(school, data: bytes, today: date, **choices) -> writing.ImportResult:
    table = mis_import.read_table(data)
    mapping = mis_import.guess_mapping(table.headers, services.remembered_mapping(school.id))
    return writing.import_table(school.id, table, mapping, ImportChoices(**choices), today=today)


def _pupils() -> dict[str, Pupil]:
    pupils = {p.upn: p for p in db.session.scalars(select(Pupil))}
    db.session.expunge_all()
    return pupils


def _years() -> dict[tuple[str, int], tuple]:
    rows = db.session.execute(select(Pupil.upn, PupilYear.academic_year, PupilYear.tutor_group,
                                     PupilYear.send_status, PupilYear.disadvantaged)
                              .join(Pupil, Pupil.id == PupilYear.pupil_id)).all()
    return {(r.upn, r.academic_year): (r.tutor_group, r.send_status, r.disadvantaged) for r in rows}


# A first import is not a day of joining ---------------------------------------------------

def test_first_import_in_november_puts_pupils_on_roll_from_1_september(app_ctx, school):
    _import(school, _csv(*ROWS.values()), NOVEMBER)
    pupils = _pupils()
    assert {p.joined_on for p in pupils.values()} == {date(2025, 9, 1)}
    roll = db.session.scalars(select(Pupil.upn).where(on_roll(date(2025, 9, 15)))).all()
    assert sorted(roll) == sorted(ROWS)  # September's back-filled encounters count
    batch = db.session.scalar(select(ImportBatch))
    assert batch.on_roll_from == date(2025, 9, 1)


def test_first_import_on_roll_from_a_date_the_leader_picks(app_ctx, school):
    _import(school, _csv(*ROWS.values()), NOVEMBER, on_roll_from=date(2025, 4, 21))
    assert {p.joined_on for p in _pupils().values()} == {date(2025, 4, 21)}


def test_a_later_date_than_today_is_refused(app_ctx, school):
    with pytest.raises(writing.ImportRefused, match="cannot be after today"):
        _import(school, _csv(*ROWS.values()), NOVEMBER, on_roll_from=date(2025, 12, 1))
    assert _pupils() == {}


def test_a_new_pupil_in_a_later_import_joins_on_the_import_day(app_ctx, school):
    _import(school, _csv(ROWS["J886432110001"]), NOVEMBER)
    later = date(2026, 1, 12)
    _import(school, _csv(ROWS["J886432110001"], ROWS["Y886432110002"]), later)
    pupils = _pupils()
    assert pupils["J886432110001"].joined_on == date(2025, 9, 1)
    assert pupils["Y886432110002"].joined_on == later


def test_the_files_admission_and_leaving_dates_are_used(app_ctx, school):
    head = HEAD + ",Admission Date,Leaving Date"
    _import(school, _csv(ROWS["J886432110001"] + ",03/09/2021,", head=head), NOVEMBER)
    _import(school, _csv(ROWS["J886432110001"] + ",03/09/2021,",
                         ROWS["Y886432110002"] + ",2026-01-05,20/03/2026", head=head),
            date(2026, 1, 12))
    pupils = _pupils()
    assert pupils["J886432110001"].joined_on == date(2021, 9, 3)
    assert (pupils["Y886432110002"].joined_on, pupils["Y886432110002"].left_on) == (
        date(2026, 1, 5), date(2026, 3, 20))
    on_last_day = db.session.scalars(select(Pupil.upn).where(on_roll(date(2026, 3, 20)))).all()
    after = db.session.scalars(select(Pupil.upn).where(on_roll(date(2026, 3, 21)))).all()
    assert "Y886432110002" in on_last_day and "Y886432110002" not in after


# Leavers get a real leaving date ----------------------------------------------------------

@pytest.mark.parametrize("today, suggested", [
    (date(2026, 9, 1), date(2026, 8, 31)), (date(2026, 9, 30), date(2026, 8, 31)),
    (date(2026, 10, 1), date(2026, 9, 30)), (date(2026, 3, 1), date(2026, 2, 28)),
])
def test_suggested_leaving_date(today, suggested):
    from careers_app.domain.mis_plan import suggest_leaving_date
    assert suggest_leaving_date(today) == suggested


def test_a_31_august_leaver_is_not_in_the_new_year(app_ctx, school):
    _import(school, _csv(*ROWS.values()), date(2026, 6, 1))
    september = date(2026, 9, 1)
    table = mis_import.read_table(_csv(ROWS["J886432110001"], ROWS["Y886432110002"]))
    preview = services.build_preview(school.id, table, mis_import.guess_mapping(table.headers),
                                     september)
    assert preview.suggested_leaving_date == date(2026, 8, 31)
    _import(school, _csv(ROWS["J886432110001"], ROWS["Y886432110002"]), september,
            mark_leavers=True, leaving_date=date(2026, 8, 31), confirm_large=True)
    assert _pupils()["M886432110003"].left_on == date(2026, 8, 31)
    roll = set(db.session.scalars(select(Pupil.upn).where(on_roll(september))))
    assert roll == {"J886432110001", "Y886432110002"}
    assert "M886432110003" in db.session.scalars(select(Pupil.upn).where(
        on_roll(date(2026, 8, 31)))).all()


def test_leavers_need_a_leaving_date_no_later_than_today(app_ctx, school):
    _import(school, _csv(*ROWS.values()), NOVEMBER)
    for day, message in ((None, "Enter the last day"), (NOVEMBER + timedelta(1), "after today")):
        with pytest.raises(writing.ImportRefused, match=message):
            _import(school, _csv(ROWS["J886432110001"], ROWS["Y886432110002"]), NOVEMBER,
                    mark_leavers=True, leaving_date=day, confirm_large=True)
    assert all(p.left_on is None for p in _pupils().values())


# Imports cannot silently wreck the roll ---------------------------------------------------

def _roll_of(count: int) -> list[str]:
    from careers_app.domain.upn import make_upn
    return [f"{make_upn(886, 4321, 40 + n // 1000, n % 1000)},S{n},F{n},Year 9,9A,N,N"
            for n in range(count)]


@pytest.mark.parametrize("missing, needs_second", [(10, False), (11, True), (94, True)])
def test_more_than_10_percent_leavers_needs_a_second_confirmation(app_ctx, school, missing,
                                                                 needs_second):
    lines = _roll_of(100)
    _import(school, _csv(*lines), NOVEMBER)
    kept = _csv(*lines[missing:])
    table = mis_import.read_table(kept)
    preview = services.build_preview(school.id, table, mis_import.guess_mapping(table.headers),
                                     NOVEMBER)
    assert (len(preview.plan.missing), preview.plan.roll) == (missing, 100)
    assert preview.leaver_percent == missing and preview.plan.needs_large_confirmation is needs_second
    choices = dict(mark_leavers=True, leaving_date=NOVEMBER)
    if needs_second:
        with pytest.raises(writing.ImportRefused) as refused:
            _import(school, kept, NOVEMBER, **choices)
        assert refused.value.field_name == "confirm_large"
        assert f"{missing} pupils ({missing}% of the roll) would become leavers" in \
            refused.value.message
        assert all(p.left_on is None for p in _pupils().values())  # nothing written
        assert db.session.scalar(select(ImportBatch).where(ImportBatch.result["leavers"]
                                 .as_integer() > 0)) is None
    result = _import(school, kept, NOVEMBER, confirm_large=True, **choices)
    assert result.leavers == missing


# Per-year records ---------------------------------------------------------------------------

def test_every_import_upserts_the_years_record_with_one_statement(app_ctx, school,
                                                                  count_statements):
    _import(school, _csv(*ROWS.values()), date(2025, 6, 2))  # 2024/25
    with count_statements() as statements:
        _import(school, _csv(ROWS["J886432110001"].replace("10A", "10C"),
                             ROWS["Y886432110002"].replace(",K,", ",E,"),
                             ROWS["M886432110003"]), NOVEMBER)  # 2025/26
    assert len(statements.matching("INSERT INTO pupil_year")) == 1
    years = _years()
    assert years[("J886432110001", 2024)] == ("10A", "N", False)
    assert years[("J886432110001", 2025)] == ("10C", "N", False)
    assert years[("Y886432110002", 2024)] == ("10B", "K", True)
    assert years[("Y886432110002", 2025)] == ("10B", "E", True)
    assert years[("M886432110003", 2025)] == ("11A", "N", False)  # unchanged: recorded too
    # A second import in the same year overwrites that year's record only.
    _import(school, _csv(ROWS["J886432110001"].replace("10A", "10D")), NOVEMBER)
    assert _years()[("J886432110001", 2025)][0] == "10D"
    assert _years()[("J886432110001", 2024)][0] == "10A"
    flags = history.flags_in_year(school.id, 2024)
    ids = {p.upn: p.id for p in _pupils().values()}
    assert flags[ids["Y886432110002"]].send_status == "K"
    assert history.flags_in_year(school.id, 2019)[ids["Y886432110002"]].send_status == "E"


def test_the_statement_count_does_not_grow_with_the_file(app_ctx, school, count_statements):
    counts = []
    for size in (20, 200):
        lines = _roll_of(size)
        _import(school, _csv(*lines[: size // 2]), NOVEMBER)
        with count_statements() as statements:
            _import(school, _csv(*lines), NOVEMBER + timedelta(1))
        counts.append(len([s for s in statements if "UPDATE pupil SET" not in s]))
        db.session.execute(db.delete(Pupil))
        db.session.commit()
    assert counts[0] == counts[1], counts


# Undo -------------------------------------------------------------------------------------

def _snapshot():
    return ({u: (p.tutor_group, p.send_status, p.left_on, p.surname, p.joined_on)
             for u, p in _pupils().items()}, _years())


def test_undo_reverses_new_updated_leavers_and_years_and_is_audited(app_ctx, school):
    _import(school, _csv(*ROWS.values()), NOVEMBER)
    before = _snapshot()
    _import(school, _csv(ROWS["J886432110001"].replace("Able", "Abel").replace("10A", "10C"),
                         ROWS["Y886432110002"], "Q886432110005,Dee,Dan,Year 7,7A,E,Y"),
            NOVEMBER + timedelta(3), mark_leavers=True, leaving_date=NOVEMBER, confirm_large=True)
    assert _snapshot() != before
    batch_id = undo.last_applied(school.id).id
    result = undo.undo_batch(batch_id, school.id)
    assert (result.removed, result.restored, result.leavers) == (1, 1, 1)
    assert _snapshot() == before
    assert db.session.scalar(select(Pupil).where(Pupil.search_text.like("%able%"))) is not None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "undo_import_pupils"))
    assert entry.entity_id == str(batch_id) and "1 new pupils removed" in entry.detail
    with pytest.raises(undo.UndoRefused, match="already been undone"):
        undo.undo_batch(batch_id, school.id)


def test_undo_is_refused_after_a_week_and_for_an_earlier_import(app_ctx, school):
    _import(school, _csv(ROWS["J886432110001"]), NOVEMBER)
    first = undo.last_applied(school.id)
    _import(school, _csv(*ROWS.values()), NOVEMBER)
    with pytest.raises(undo.UndoRefused, match="most recent"):
        undo.undo_batch(first.id, school.id)
    last = undo.last_applied(school.id)
    eight_days = datetime.now(timezone.utc) + timedelta(days=8)
    with pytest.raises(undo.UndoRefused, match="for a week only"):
        undo.undo_batch(last.id, school.id, now=eight_days)
    six_days = datetime.now(timezone.utc) + timedelta(days=6)
    assert undo.undo_batch(last.id, school.id, now=six_days).removed == 2


def test_undo_is_refused_when_a_new_pupil_has_records(app_ctx, school, make_encounter):
    _import(school, _csv(*ROWS.values()), NOVEMBER)
    pupil = _pupils()["J886432110001"]
    make_encounter([pupil], on=NOVEMBER)
    with pytest.raises(undo.UndoRefused, match="now have records"):
        undo.undo_batch(undo.last_applied(school.id).id, school.id)
    assert len(_pupils()) == 3


# Admin edits keep the year's record too ---------------------------------------------------

def test_an_admin_edit_upserts_the_years_record(app_ctx, school, make_pupil):
    from careers_app.pupils.services import update_pupil
    pupil = db.session.get(Pupil, make_pupil(tutor_group="10A").id)
    values = {name: getattr(pupil, name) for name in (
        "legal_forename", "preferred_forename", "surname", "upn", "cohort", "tutor_group",
        "send_status", "disadvantaged", "looked_after", "considering_he", "left_on")}
    update_pupil(pupil, {**values, "tutor_group": "10Z", "send_status": "K"}, today=NOVEMBER)
    assert _years()[(values["upn"], 2025)] == ("10Z", "K", False)
    update_pupil(db.session.get(Pupil, pupil.id), {**values, "send_status": "E"},
                 today=NOVEMBER)
    assert _years()[(values["upn"], 2025)] == ("10A", "E", False)


# MIS dialects and dates -------------------------------------------------------------------

@pytest.mark.parametrize("head, tutor, joined, left", [
    ("UPN,Surname,Forename,Year Group,Registration Form,Start Date,End Date", "10A",
     "01/09/2021", "31/08/2026"),  # Arbor
    ("UPN,Surname,Forename,Year Group,Registration Form,Enrolment Date,Leaving Date", "10A",
     "2021-09-01", "2026-08-31"),  # Arbor, another report
    ("UPN;Surname;Forename;NC Year;Tutor Group;Admission Date;Leaving Date", "10A",
     "01/09/2021", "31/08/2026"),  # Bromcom
    ("UPN,Legal Surname,Legal Forename,Year,Reg Group,Date of Admission,Date of Leaving", "10A",
     "1/9/2021", "31-08-2026"),  # SIMS
])
def test_each_mis_names_its_dates_and_groups(head, tutor, joined, left):
    sep = ";" if ";" in head else ","
    table = mis_import.read_table(_csv(sep.join(["J886432110001", "Able", "Ann", "10", tutor,
                                                 joined, left]), head=head))
    mapping = mis_import.guess_mapping(table.headers)
    assert {"tutor_group", "admission_date", "leaving_date"} <= set(mapping)
    row = mis_import.check_rows(table, mapping, 2025).rows["J886432110001"]
    assert (row["tutor_group"], row["joined_on"], row["left_on"]) == (
        tutor, date(2021, 9, 1), date(2026, 8, 31))


def test_bad_dates_are_row_errors_with_line_numbers():
    head = "UPN,Surname,Forename,Year,Admission Date,Leaving Date"
    table = mis_import.read_table(_csv(
        "J886432110001,Able,Ann,10,31/02/2025,", "Y886432110002,Baker,Ben,10,next week,",
        "M886432110003,Cole,Cat,10,01/09/2025,01/09/2024", "Q886432110005,Dee,Dan,10,01/09/1950,",
        head=head))
    checked = mis_import.check_rows(table, mis_import.guess_mapping(table.headers), 2025)
    by_line = {e.line: e.message for e in checked.errors}
    assert by_line == {
        2: "Admission date: “31/02/2025” is not a real date.",
        3: "Admission date: “next week” is not a date (use DD/MM/YYYY, like 01/09/2025).",
        4: "The leaving date is before the admission date.",
        5: "Admission date: Enter a date from 2000 onwards (not “01/09/1950”).",
    }
    assert checked.rows == {}

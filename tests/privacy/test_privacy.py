"""Subject-access export, erasure and retention (UK GDPR)."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from careers_app.domain.benchmarks import EncounterKind
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import AuditLog, Encounter, Participation, Pupil, Role, User
from careers_app.models.roster import Destination


@pytest.fixture
def two_pupils(make_pupil):
    return (make_pupil(year=11, legal_forename="Asha", surname="Ahmed"),
            make_pupil(year=11, legal_forename="Ben", surname="Bright"))


@pytest.fixture
def history(app, two_pupils, make_encounter, make_organisation, lead):
    asha, ben = two_pupils
    org = make_organisation("Harbour Bank plc")
    talk = make_encounter([asha, ben], title="Banking talk", organisation=org,
                          notes="Ben asked about his dad's job")
    guidance_asha = make_encounter([asha], title="Guidance", kind=EncounterKind.GUIDANCE_INTERVIEW,
                                   notes="Asha is worried about maths", notes_staff_only=True,
                                   adviser_name="J Adviser", adviser_level6=True)
    guidance_ben = make_encounter([ben], title="Guidance", kind=EncounterKind.GUIDANCE_INTERVIEW,
                                  notes="Ben wants to be a pilot")
    with app.app_context():
        part = db.session.scalar(select(Participation).filter_by(
            encounter_id=guidance_asha.id, pupil_id=asha.id))
        part.agreed_actions = "Visit the college open evening"
        db.session.add(Destination(school_id=asha.school_id, pupil_id=asha.id, year_after=1,
                                   status="education", provider="Riverside College"))
        db.session.add(User(school_id=asha.school_id, username="asha", display_name="Asha",
                            role=Role.PUPIL, password_hash="x", pupil_id=asha.id, active=True,
                            session_version=1, must_change_password=False))
        db.session.commit()
    return {"talk": talk, "guidance_asha": guidance_asha, "guidance_ben": guidance_ben}


def test_subject_access_export_has_everything_about_one_pupil_only(app, client, lead, two_pupils,
                                                                  history):
    asha, _ben = two_pupils
    client.login("lead")
    response = client.get(f"/pupils/{asha.id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["pupil"]["upn"] == asha.upn and data["pupil"]["surname"] == "Ahmed"
    assert data["account"]["username"] == "asha"
    titles = sorted(e["title"] for e in data["encounters"])
    assert titles == ["Banking talk", "Guidance"]
    guidance = next(e for e in data["encounters"] if e["title"] == "Guidance")
    assert guidance["agreed_actions"] == "Visit the college open evening"
    assert guidance["notes"] == "Asha is worried about maths" and guidance["notes_staff_only"]
    assert data["destinations"][0]["provider"] == "Riverside College"
    text = response.get_data(as_text=True)
    # Nothing about anyone else: not Ben, not the group notes that mention him.
    assert "Ben" not in text and "Bright" not in text and "pilot" not in text
    # The trail of what was done to her record comes too (here: its creation).
    assert [e["action"] for e in data["audit_log"]][:1] == ["create"]


def test_export_is_audited_and_admin_only(app, client, lead, tutor, pupil_user, two_pupils):
    asha, _ = two_pupils
    client.login("tutor")
    assert client.get(f"/pupils/{asha.id}/export").status_code == 403
    client.post("/logout")
    client.login("pupil")
    assert client.get(f"/pupils/{asha.id}/export").status_code == 404
    client.post("/logout")
    client.login("lead")
    client.get(f"/pupils/{asha.id}/export")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "export", AuditLog.entity_id == str(asha.id))) == 1


def test_export_pupil_cli(app, school, two_pupils, history):
    asha, _ = two_pupils
    result = app.test_cli_runner().invoke(args=["export-pupil", asha.upn, "--school", "test"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pupil"]["legal_forename"] == "Asha" and "Bright" not in result.output
    missing = app.test_cli_runner().invoke(args=["export-pupil", "X123", "--school", "test"])
    assert missing.exit_code != 0


def test_erase_removes_the_pupil_everywhere(app, client, lead, two_pupils, history):
    asha, ben = two_pupils
    client.login("lead")
    wrong = client.post(f"/pupils/{asha.id}/erase", data={"confirm_upn": "nope"})
    assert wrong.status_code == 422
    response = client.post(f"/pupils/{asha.id}/erase", data={"confirm_upn": asha.upn.lower()})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Pupil, asha.id) is None
        assert db.session.scalar(select(User).filter_by(username="asha")) is None
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.pupil_id == asha.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Destination)) == 0
        # Her one-to-one guidance (with its notes) is gone; the group talk and Ben's stay.
        assert db.session.get(Encounter, history["guidance_asha"].id) is None
        assert db.session.get(Encounter, history["talk"].id) is not None
        assert db.session.get(Encounter, history["guidance_ben"].id) is not None
        assert db.session.get(Pupil, ben.id) is not None
        erased = db.session.scalar(select(AuditLog).filter_by(action="erase"))
        assert erased.entity_id == str(asha.id) and "Asha" not in erased.detail


def test_erase_is_admin_only(client, tutor, two_pupils):
    asha, _ = two_pupils
    client.login("tutor")
    assert client.post(f"/pupils/{asha.id}/erase", data={"confirm_upn": asha.upn}).status_code == 403


def test_retention_dry_run_then_apply(app, client, lead, make_pupil, make_encounter):
    today = today_london()
    old = make_pupil(year=13, legal_forename="Olive", surname="Oldham",
                     left_on=today - timedelta(days=365 * 7))
    recent = make_pupil(year=13, legal_forename="Rita", surname="Recent",
                        left_on=today - timedelta(days=365 * 2))
    make_encounter([old, recent], title="Old talk", on=today - timedelta(days=365 * 8))
    client.login("lead")
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "Oldham, Olive" in page and "Recent" not in page
    with app.app_context():
        assert db.session.get(Pupil, old.id).surname == "Oldham"  # a dry run changes nothing
    assert client.post("/admin/retention").status_code == 303
    with app.app_context():
        gone = db.session.get(Pupil, old.id)
        assert gone.legal_forename == "Former pupil" and "Oldham" not in gone.surname
        assert gone.upn != old.upn and len(gone.upn) <= 13
        # Still counted in old figures.
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.pupil_id == old.id)) == 1
        assert db.session.get(Pupil, recent.id).surname == "Recent"


def test_retention_cli_is_a_dry_run_unless_told(app, school, make_pupil):
    old = make_pupil(year=13, surname="Oldham", left_on=date(2010, 7, 20))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "--school", "test"])
    assert "1 former pupils" in dry.output and "Dry run" in dry.output
    with app.app_context():
        assert db.session.get(Pupil, old.id).surname == "Oldham"
    too_short = runner.invoke(args=["retention", "--school", "test", "--years", "2"])
    assert too_short.exit_code != 0 and "at least 3" in too_short.output
    applied = runner.invoke(args=["retention", "--school", "test", "--apply"])
    assert "Anonymised 1" in applied.output
    with app.app_context():
        assert db.session.get(Pupil, old.id).surname != "Oldham"

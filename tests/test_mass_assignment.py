"""Extra form fields such as role, school_id or pupil_id change nothing."""
from sqlalchemy import select

from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Pupil, Role, User

from tests.helpers import PASSWORD

EXTRA = {"role": "admin", "school_id": "999", "pupil_id": "1", "created_by_id": "999",
         "id": "999", "session_version": "0", "active": "y", "deleted_at": "2020-01-01",
         "academic_year": "1999", "upn": "ZZZZZZZZZZZZZ"}


def test_quick_log_ignores_extra_fields(app, client, tutor, make_pupil, make_school):
    pupil = make_pupil(year=10, tutor_group="10A")
    other = make_school()
    client.login("tutor")
    response = client.post("/encounters/new", data={
        "kind": "employer_talk", "title": "Talk", "date": today_london().isoformat(),
        "group": "tg:10A", "meaningful": "y", "pupil_ids": [str(pupil.id)],
        **EXTRA, "school_id": str(other.id)})
    assert response.status_code == 303
    with app.app_context():
        encounter = db.session.scalar(select(Encounter))
        assert encounter.school_id == tutor.school_id
        assert encounter.created_by_id == tutor.id
        assert encounter.deleted_at is None
        assert encounter.academic_year != 1999
        assert db.session.get(User, tutor.id).role == Role.STAFF


def test_password_change_cannot_promote(app, client, tutor):
    client.login("tutor")
    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a new passphrase",
        "confirm_password": "a new passphrase", **EXTRA})
    with app.app_context():
        user = db.session.get(User, tutor.id)
        assert user.role == Role.STAFF and user.school_id == tutor.school_id
        assert user.pupil_id is None


def test_pupil_edit_cannot_move_a_pupil_to_another_school(app, client, lead, make_pupil,
                                                         make_school):
    pupil = make_pupil(year=9, tutor_group="9B", legal_forename="Kit", surname="Kay")
    other = make_school()
    client.login("lead")
    page = client.get(f"/pupils/{pupil.id}/edit")
    assert page.status_code == 200
    client.post(f"/pupils/{pupil.id}/edit", data={
        "legal_forename": "Kit", "surname": "Kay", "year_group": "9",
        "tutor_group": "9B", "send_status": "N",
        **{**EXTRA, "upn": pupil.upn, "school_id": str(other.id)}})
    with app.app_context():
        saved = db.session.get(Pupil, pupil.id)
        assert saved.school_id == pupil.school_id and saved.upn == pupil.upn

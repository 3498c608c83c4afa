"""The stable CLI commands: seed-demo and create-user."""
from sqlalchemy import func, select

from careers_app.domain.academic import academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter, Organisation, Pupil, Role, School, User
from careers_app.security import hash_password, verify_password


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_is_idempotent_and_prints_the_password(app, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Password: a-demo-password" in first.output
    with app.app_context():
        totals = [count(m) for m in (School, Pupil, User, Organisation, Encounter)]
        # About 200 pupils on roll (the demo adds three years of leavers besides).
        on_roll = db.session.scalar(select(func.count(Pupil.id)).where(Pupil.left_on.is_(None)))
        assert 190 <= on_roll <= 210
        assert totals[4] > 10
        roles = dict(db.session.execute(select(User.username, User.role)).all())
        assert roles == {"lead": Role.ADMIN, "tutor": Role.STAFF, "pupil": Role.PUPIL}
        tutor = db.session.scalar(select(User).filter_by(username="tutor"))
        pupil_user = db.session.scalar(select(User).filter_by(username="pupil"))
        assert tutor.tutor_group and pupil_user.pupil.tutor_group == tutor.tutor_group
        this_year = academic_year_of(today_london())
        years = {p.year_group_in(this_year) for p in db.session.scalars(select(Pupil))}
    assert years >= set(range(7, 14))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already there" in second.output
    with app.app_context():
        assert [count(m) for m in (School, Pupil, User, Organisation, Encounter)] == totals


def test_seed_demo_resets_demo_passwords_from_demo_password(app, monkeypatch):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    monkeypatch.setenv("DEMO_PASSWORD", "another-password")
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        lead = db.session.scalar(select(User).filter_by(username="lead"))
        assert verify_password(lead.password_hash, "another-password")


def test_seed_demo_several_schools(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--pupils", "70", "--years", "2",
                                                "--schools", "2"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert count(School) == 2
        assert {u.username for u in db.session.scalars(select(User))} == {
            "lead", "tutor", "pupil", "lead2", "tutor2", "pupil2", "trust"}
        # Two years of history: some encounters in each academic year.
        assert len(set(db.session.scalars(select(Encounter.academic_year)))) == 2


def test_create_user(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "jsmith", "--role", "staff",
                                 "--name", "J Smith", "--tutor-group", "9B",
                                 "--password", "a long password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="jsmith"))
        assert user.role == Role.STAFF and user.tutor_group == "9B"
        assert verify_password(user.password_hash, "a long password")


def test_create_user_refuses_short_passwords_and_duplicates(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["create-user", "--username", "a", "--role", "staff",
                                "--password", "short"])
    assert short.exit_code != 0 and "at least 8" in short.output
    common = runner.invoke(args=["create-user", "--username", "c", "--role", "staff",
                                 "--password", "Password123"])
    assert common.exit_code != 0 and "most common" in common.output
    runner.invoke(args=["create-user", "--username", "b", "--role", "admin",
                        "--password", "long enough pw"])
    again = runner.invoke(args=["create-user", "--username", "B", "--role", "admin",
                                "--password", "long enough pw"])
    assert again.exit_code != 0 and "already a user" in again.output


def test_create_pupil_user_needs_a_known_upn(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "p", "--role", "pupil",
                                 "--upn", "A123", "--password", "long enough pw"])
    assert result.exit_code != 0 and "No pupil with UPN" in result.output
    with app.app_context():
        assert count(User) == 0


def test_a_second_seed_keeps_passwords_and_each_account_has_its_own_salt(app, monkeypatch):
    """Without DEMO_PASSWORD a re-run resets nothing; the three hashes differ (own salts)."""
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--pupils", "40"])
    with app.app_context():
        lead = db.session.scalar(select(User).filter_by(username="lead"))
        lead.password_hash = hash_password("the leader changed it")
        db.session.commit()
        hashes = set(db.session.scalars(select(User.password_hash)))
    assert len(hashes) == 3
    second = runner.invoke(args=["seed-demo", "--pupils", "40"])
    assert "Passwords unchanged" in second.output
    with app.app_context():
        lead = db.session.scalar(select(User).filter_by(username="lead"))
        assert verify_password(lead.password_hash, "the leader changed it")

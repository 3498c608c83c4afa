"""create-group, and create-user for group leads."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from careers_app.extensions import db
from careers_app.models import Role, User
from careers_app.models.group import GroupLead, SchoolGroup, SchoolGroupMember

PASSWORD = "a long enough pass phrase"


def _members(app, name):
    with app.app_context():
        return sorted(db.session.scalars(
            select(SchoolGroupMember.school_id).join(
                SchoolGroup, SchoolGroup.id == SchoolGroupMember.group_id)
            .where(SchoolGroup.name == name)))


def test_create_group_then_add_schools(app, school, make_school):
    second, third = make_school(slug="b"), make_school(slug="c")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-group", "Kent Trust", "--kind", "trust",
                                 "--schools", "test,b"])
    assert result.exit_code == 0, result.output
    assert "added 2 school(s); 2 in all" in result.output
    assert _members(app, "Kent Trust") == sorted([school.id, second.id])
    again = runner.invoke(args=["create-group", "Kent Trust", "--kind", "trust",
                                "--schools", "b, c"])
    assert again.exit_code == 0 and "added 1 school(s); 3 in all" in again.output
    assert _members(app, "Kent Trust") == sorted([school.id, second.id, third.id])


@pytest.mark.parametrize("args, message", [
    (["--kind", "trust", "--schools", "test,nowhere,elsewhere"], "'nowhere', 'elsewhere'"),
    (["--kind", "partnership", "--schools", "test"], "is a trust, not a partnership"),
])
def test_create_group_refuses_and_changes_nothing(app, school, args, message):
    runner = app.test_cli_runner()
    runner.invoke(args=["create-group", "Kent Trust", "--kind", "trust", "--schools", "test"])
    result = runner.invoke(args=["create-group", "Kent Trust", *args])
    assert result.exit_code == 1 and message in result.output, result.output
    assert _members(app, "Kent Trust") == [school.id]


def test_an_unknown_slug_creates_no_group(app, school):
    result = app.test_cli_runner().invoke(args=["create-group", "New Partnership", "--kind",
                                                "partnership", "--schools", "nowhere"])
    assert result.exit_code == 1 and "No school with the slug 'nowhere'" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SchoolGroup)) == 0


@pytest.mark.parametrize("role", ["group-lead", "group_lead"])
def test_create_user_group_lead(app, school, role):
    runner = app.test_cli_runner()
    runner.invoke(args=["create-group", "Kent Trust", "--kind", "trust", "--schools", "test"])
    result = runner.invoke(args=["create-user", "--username", "klt", "--role", role,
                                 "--group", "Kent Trust", "--school", "test",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Leads Kent Trust" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "klt"))
        assert user.role == Role.GROUP_LEAD and user.school_id == school.id
        assert db.session.scalar(select(GroupLead.group_id).where(GroupLead.user_id == user.id))


def test_an_admin_may_lead_a_group_too(app, school):
    runner = app.test_cli_runner()
    runner.invoke(args=["create-group", "Kent Trust", "--kind", "trust", "--schools", "test"])
    result = runner.invoke(args=["create-user", "--username", "boss", "--role", "admin",
                                 "--group", "Kent Trust", "--school", "test",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "boss"))
        assert user.role == Role.ADMIN and user.leads_groups


@pytest.mark.parametrize("args, code, message", [
    (["--role", "group-lead"], 2, "needs --group"),
    (["--role", "group-lead", "--group", "Nowhere Trust"], 1, "no group called 'Nowhere Trust'"),
    (["--role", "staff", "--group", "Kent Trust"], 2, "Only a group lead or a careers leader"),
])
def test_create_user_group_errors_write_nothing(app, school, args, code, message):
    runner = app.test_cli_runner()
    runner.invoke(args=["create-group", "Kent Trust", "--kind", "trust", "--schools", "test"])
    result = runner.invoke(args=["create-user", "--username", "klt", *args, "--school", "test",
                                 "--password", PASSWORD])
    assert result.exit_code == code and message in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "klt")) is None


def test_seed_demo_puts_the_schools_in_a_trust_with_its_plan(app):
    from careers_app.demo_groups import TRUST_NAME
    from careers_app.models.plans import ActionPlan

    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--pupils", "35", "--schools", "2"])
    assert result.exit_code == 0, result.output
    assert "trust (lead of the demo trust)" in result.output
    assert len(_members(app, TRUST_NAME)) == 2
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.username == "trust"))
        assert lead.role == Role.GROUP_LEAD and lead.leads_groups
        plans = db.session.execute(select(ActionPlan.title, ActionPlan.group_id, ActionPlan.school_id)
                                   .where(ActionPlan.title.like("%Learning Trust%"))).all()
        assert len(plans) == 1 and plans[0].group_id is not None  # one trust plan, no copies
    again = runner.invoke(args=["seed-demo", "--pupils", "35", "--schools", "3"])
    assert again.exit_code == 0, again.output
    assert len(_members(app, TRUST_NAME)) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActionPlan)
                                 .where(ActionPlan.title.like("%Learning Trust%"))) == 1

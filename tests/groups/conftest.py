"""A trust of two schools (the test school and "Second Academy"), a school outside it, a
group lead, and pupils with encounters in each school."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from careers_app.database import write_transaction
from careers_app.domain.benchmarks import EncounterKind
from careers_app.extensions import db
from careers_app.models import Role
from careers_app.models.group import GroupLead, SchoolGroup, SchoolGroupMember


@pytest.fixture
def trust(app, school, make_school, make_user, make_pupil, make_encounter):
    second = make_school(name="Second Academy", slug="second")
    outside = make_school(name="Outside School", slug="outside")
    with app.app_context(), write_transaction():
        group = SchoolGroup(name="Test Learning Trust", kind="trust")
        other = SchoolGroup(name="Other Partnership", kind="partnership")
        db.session.add_all([group, other])
        db.session.flush()
        db.session.add_all([SchoolGroupMember(group_id=group.id, school_id=school.id),
                            SchoolGroupMember(group_id=group.id, school_id=second.id),
                            SchoolGroupMember(group_id=other.id, school_id=outside.id)])
        group_id, other_id = group.id, other.id
    lead = make_user("trustlead", Role.GROUP_LEAD, display_name="Mr Trust")
    other_lead = make_user("otherlead", Role.GROUP_LEAD, school_id=outside.id)
    staff_a = make_user("staffa", Role.STAFF)
    admin_a = make_user("admina", Role.ADMIN)
    admin_b = make_user("adminb", Role.ADMIN, school_id=second.id)
    admin_out = make_user("adminout", Role.ADMIN, school_id=outside.id)
    staff_out = make_user("staffout", Role.STAFF, school_id=outside.id)
    with app.app_context(), write_transaction():
        db.session.add_all([GroupLead(group_id=group_id, user_id=lead.id),
                            GroupLead(group_id=other_id, user_id=other_lead.id)])
    pupils = {}
    for target, names in ((school, ("Alice", "Aaron", "Abigail")),
                          (second, ("Bella", "Ben")), (outside, ("Olive",))):
        made = [make_pupil(year=7 + n * 2, school_id=target.id, legal_forename=name,
                           surname=f"Secretname{name}", send_status="K" if n == 0 else "N",
                           disadvantaged=n == 1)
                for n, name in enumerate(names)]
        pupils[target.slug] = made
        make_encounter(made[:2], kind=EncounterKind.EMPLOYER_TALK, school_id=target.id,
                       meaningful=True, title=f"Talk at {target.name}")
    pupil_user = make_user("pupila", Role.PUPIL, pupil_id=pupils["test"][0].id)
    return SimpleNamespace(group_id=group_id, other_id=other_id, school=school, second=second,
                           outside=outside, lead=lead, other_lead=other_lead, pupils=pupils,
                           staff_a=staff_a, admin_a=admin_a, admin_b=admin_b,
                           admin_out=admin_out, staff_out=staff_out, pupil_user=pupil_user)

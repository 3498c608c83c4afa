"""The quick log does not over-claim "meaningful": the default is the school's, per kind."""
from __future__ import annotations

import re

from careers_app.domain.meaningful import BUILT_IN, MEANING_2025, defaults_from, defaults_to
from careers_app.extensions import db
from careers_app.models import School


def _meaningful_checked(html: str) -> bool:
    tag = re.search(r'<input[^>]*name="meaningful"[^>]*>', html).group(0)
    return "checked" in tag


def test_an_employer_talk_does_not_start_as_meaningful(client, tutor):
    client.login("tutor")
    html = client.get("/encounters/new").get_data(as_text=True)
    assert not _meaningful_checked(html)
    # The hint says what meaningful means since 2025.
    assert "clear purpose" in html and "learning outcomes" in html
    assert "two-way interaction" in html and "reflection" in html
    assert "Meaningful encounter" in html


def test_the_careers_leader_chooses_the_kinds_that_start_ticked(app, client, lead, tutor, school):
    client.login("lead")
    page = client.get("/encounters/settings")
    assert page.status_code == 200
    assert '<input checked id="kinds-' in page.get_data(as_text=True)  # built-in choices shown
    response = client.post("/encounters/settings",
                           data={"kinds": ["employer_talk", "workplace_visit"]})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(School, school.id).settings["meaningful_defaults"]
    assert stored["employer_talk"] is True and stored["work_experience"] is False
    client.post("/logout")
    client.login("tutor")
    html = client.get("/encounters/new").get_data(as_text=True)
    assert _meaningful_checked(html)
    # The script gets every kind's default to follow a change of type.
    assert "data-meaningful-defaults" in html and "&#34;careers_fair&#34;: false" in html


def test_settings_keep_the_other_school_settings(app, client, lead, school):
    with app.app_context():
        row = db.session.get(School, school.id)
        row.settings = {"thresholds": {"bm6_pre16": 3}}
        db.session.commit()
    client.login("lead")
    client.post("/encounters/settings", data={"kinds": []})
    with app.app_context():
        settings = db.session.get(School, school.id).settings
    assert settings["thresholds"] == {"bm6_pre16": 3}
    assert not any(settings["meaningful_defaults"].values())


def test_an_unknown_kind_is_refused(client, lead):
    client.login("lead")
    response = client.post("/encounters/settings", data={"kinds": ["tea_party"]})
    assert response.status_code == 422
    assert "is not a valid choice" in response.get_data(as_text=True)


def test_only_careers_leaders_change_the_settings(client, tutor, pupil_user):
    client.login("tutor")
    assert client.get("/encounters/settings").status_code == 403
    assert client.post("/encounters/settings", data={"kinds": []}).status_code == 403
    client.post("/logout")
    client.login("pupil")
    assert client.get("/encounters/settings").status_code == 404


def test_the_domain_reads_only_booleans_for_known_kinds():
    assert defaults_from(None) == BUILT_IN
    assert defaults_from({"meaningful_defaults": {"employer_talk": "yes", "assembly": True}}) == BUILT_IN
    chosen = defaults_from(defaults_to(["careers_fair"], {"other": 1}))
    assert chosen["careers_fair"] is True and sum(chosen.values()) == 1
    assert MEANING_2025.count(",") >= 3

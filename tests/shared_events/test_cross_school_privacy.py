"""Every route and fragment, asked by staff of the host school A about school B's pupils,
encounters, register and notes at a shared event: B's names and notes never reach A."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from careers_app.database import write_transaction
from careers_app.extensions import db
from careers_app.models import Encounter, Organisation, Participation

from tests.helpers import Client
from tests.shared_events.partnership import build

SECRETS = ("SecretnameB", "PupilB", "Secretyoung", "B-private-note")


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    p = build(app, make_school, make_user, make_pupil)
    with app.app_context(), write_transaction():
        b_encounter = db.session.scalar(select(Encounter).where(
            Encounter.shared_event_id == p.event_id, Encounter.school_id == p.schools["B"]))
        db.session.add(Participation(school_id=p.schools["B"], encounter_id=b_encounter.id,
                                     pupil_id=p.pupils["B"]))
        b_encounter.planned = False
        org = db.session.scalar(select(Organisation).where(
            Organisation.school_id == p.schools["B"]))
        org.private_notes = "B-private-note"
        b_encounter_id = b_encounter.id
    with app.app_context():
        directory_id = db.session.scalar(select(Organisation.directory_id).where(
            Organisation.school_id == p.schools["B"]))
        return p, {"pupil_id": p.pupils["B"], "leaver_id": p.pupils["B"],
                   "encounter_id": b_encounter_id, "shared_event_id": p.event_id,
                   "directory_id": directory_id, "keep_id": directory_id,
                   "drop_id": directory_id}


def _value(match, ids) -> str:
    converter, name = match.group(1), match.group(2)
    return str(ids.get(name, 1 if converter == "int" else "x" * 40))


@pytest.mark.parametrize("who", ["leadA", "staffA"])
def test_school_a_never_sees_school_bs_pupils_or_notes(app, world, who):
    _p, ids = world
    app.test_client_class = Client
    client = app.test_client()
    client.login(who)
    # The host (and A's staff, invited) see B's numbers on the shared event, never names.
    body = client.get(f"/shared-events/{ids['shared_event_id']}").get_data(as_text=True)
    assert "School B" in body and "Taken" in body
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "calendar.feed", "auth.logout"):
            continue
        url = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: _value(m, ids), rule.rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            for htmx in (False, True):
                response = client.open(url, method=method, htmx=htmx, data={})
                body = response.get_data(as_text=True)
                assert response.status_code < 500, (method, url)
                leaked = [s for s in SECRETS if s in body]
                assert not leaked, (method, url, leaked)
                checked += 1
    assert checked > 150


def test_the_walk_could_see_a_leak(app, world):
    """B's own staff do see the names the walk looks for: the check can fail."""
    _p, ids = world
    app.test_client_class = Client
    client = app.test_client()
    client.login("staffB")
    assert "SecretnameB" in client.get(f"/pupils/{ids['pupil_id']}").get_data(as_text=True)
    assert "B-private-note" in client.get(
        f"/organisations/{ids['directory_id']}").get_data(as_text=True)

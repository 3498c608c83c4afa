"""A pupil's placements in the subject-access export, erasure and the retention job."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Encounter
from careers_app.models.placement import Placement, PlacementFeedback
from careers_app.placements import services


def _evaluated(app, pupil, organisation, make_placement, make_feedback, start, end):
    placement = make_placement(pupil, organisation, start=start, end=end, status="completed",
                               employer_task="Plan a display", notes="Worried about travel")
    make_feedback(placement, comment="Asha was brilliant")
    with app.app_context():
        services.save_evaluation(db.session.get(Placement, placement.id), "Displays",
                                 "Retail is busy", "Go", today_london())
    return placement


def test_the_export_has_the_pupils_placements(app, client, lead, make_pupil, make_organisation,
                                              make_placement, make_feedback, past_week_dates):
    asha = make_pupil(legal_forename="Asha", surname="Ahmed")
    ben = make_pupil(legal_forename="Ben", surname="Bright")
    acme = make_organisation("Acme Ltd")
    _evaluated(app, asha, acme, make_placement, make_feedback, *past_week_dates)
    make_placement(ben, make_organisation("Bens Employer"), status="arranged")
    client.login("lead")
    data = json.loads(client.get(f"/pupils/{asha.id}/export").get_data(as_text=True))
    assert [p["employer"] for p in data["placements"]] == ["Acme Ltd"]
    placement = data["placements"][0]
    assert placement["evaluation"]["learnt"] == "Retail is busy"
    assert placement["employer_feedback"]["comment"] == "Asha was brilliant"
    assert "Bens Employer" not in json.dumps(data)


def test_erasing_a_pupil_removes_their_placements_and_their_record(app, client, lead,
                                                                   make_pupil,
                                                                   make_organisation,
                                                                   make_placement,
                                                                   make_feedback,
                                                                   past_week_dates):
    asha = make_pupil(legal_forename="Asha", surname="Ahmed")
    _evaluated(app, asha, make_organisation("Acme Ltd"), make_placement, make_feedback,
               *past_week_dates)
    client.login("lead")
    assert client.post(f"/pupils/{asha.id}/erase",
                       data={"confirm_upn": asha.upn}).status_code == 303
    with app.app_context():
        for model in (Placement, PlacementFeedback, Encounter):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_anonymised_leavers_keep_counts_but_not_words(app, client, lead, make_pupil,
                                                      make_organisation, make_placement,
                                                      make_feedback):
    leaver = make_pupil(year=13, left_on=today_london() - timedelta(days=365 * 7),
                        legal_forename="Old", surname="Leaver")
    start = date(2016, 7, 4)
    placement = make_placement(leaver, make_organisation("Acme Ltd"), start=start,
                               end=start + timedelta(days=4), status="evaluated",
                               employer_task="Plan a display", notes="About the pupil",
                               evaluation_learnt="Things", evaluated_at=None)
    make_feedback(placement, comment="Lovely")
    client.login("lead")
    assert client.post("/admin/retention").status_code == 303
    with app.app_context():
        row = db.session.get(Placement, placement.id)
        assert (row.notes, row.employer_task, row.evaluation_learnt) == ("", "", "")
        assert db.session.scalar(select(PlacementFeedback.comment)) == ""
        assert row.status == "evaluated" and row.school_days == 5

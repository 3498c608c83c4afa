"""The employer's feedback form with no login: what it shows, and every way it must refuse.

A link works once and for 30 days; a bad, used or expired link gives the same 404 page; a
burst of guesses from one address is throttled (429) for good links too; a large body is
refused; CSRF is required; GET and HEAD never write; and nothing leads to another placement.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from careers_app.extensions import db
from careers_app.models import AuditLog, LoginAttempt
from careers_app.models.base import utcnow
from careers_app.models.placement import (FeedbackAttempt, Placement, PlacementFeedback,
                                          PlacementFeedbackLink)
from careers_app import logfilter
from careers_app.placements import feedback

from tests.helpers import Client

ANSWERS = {"attendance": "every_day", "punctuality": "mostly", "task": "Stock the shelves",
           "task_outcome": "well", "skills": ["teamwork", "reliability"],
           "comment": "A great help all week."}


@pytest.fixture
def placement(lead, make_pupil, make_organisation, make_placement, past_week_dates):
    start, end = past_week_dates
    pupil = make_pupil(year=10, legal_forename="Priya", preferred_forename="Pri",
                       surname="Secretname", upn="H801200001001")
    return make_placement(pupil, make_organisation("Acme Ltd"), start=start, end=end,
                          status="completed", employer_task="Stock the shelves",
                          notes="Staff-only note about Priya")


@pytest.fixture
def employer(app) -> Client:
    """A browser with no login: the employer."""
    app.test_client_class = Client
    return app.test_client()


def open_form(employer, token: str):
    """Load the form (the client picks up the CSRF token the page carries)."""
    return employer.get(f"/feedback/{token}")


def state(app) -> dict:
    ignored = {"audit_log", "login_attempt"}
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t))
                for t in db.metadata.sorted_tables if t.name not in ignored}


def test_staff_make_a_link_shown_once_and_stored_hashed(app, client, placement):
    client.login("lead")
    response = client.post(f"/placements/{placement.id}/feedback-link", htmx=True)
    assert response.status_code == 201
    body = response.get_data(as_text=True)
    assert 'id="feedback-link"' in body and "<html" not in body
    url = body.split('id="feedback-link-url" value="')[1].split('"')[0]
    token = url.rsplit("/", 1)[1]
    assert url.startswith("http://localhost/feedback/") and len(token) >= 43  # 256 bits
    assert response.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        row = db.session.scalar(select(PlacementFeedbackLink))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr(db.session.execute(select(PlacementFeedbackLink.__table__)).all())
    # Shown once: the placement's page never shows it again.
    assert token not in client.get(f"/placements/{placement.id}").get_data(as_text=True)


def test_a_new_link_stops_the_old_one(app, client, placement, make_link, employer):
    _row, old = make_link(placement)
    client.login("lead")
    assert client.post(f"/placements/{placement.id}/feedback-link").status_code == 201
    assert employer.get(f"/feedback/{old}").status_code == 404


def test_no_link_before_there_is_an_employer_and_a_start(app, client, lead, make_pupil,
                                                         make_placement, coming_week_dates):
    start, end = coming_week_dates
    seeking = make_placement(make_pupil(), start=start, end=end)
    client.login("lead")
    response = client.post(f"/placements/{seeking.id}/feedback-link")
    assert response.status_code == 422
    assert state(app)["placement_feedback_link"] == 0


def test_the_form_shows_only_the_first_name_and_the_dates(app, placement, make_link, employer):
    _row, token = make_link(placement)
    response = open_form(employer, token)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pri" in body and placement.start_on.strftime("%b") in body
    for secret in ("Secretname", "Priya", "H801200001001", "Staff-only note", "Acme Ltd"):
        assert secret not in body
    assert f"/placements/{placement.id}" not in body  # no way into the school's pages
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_submit_once(app, placement, make_link, employer):
    _row, token = make_link(placement)
    open_form(employer, token)
    response = employer.post(f"/feedback/{token}", data=ANSWERS)
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    with app.app_context():
        saved = db.session.scalar(select(PlacementFeedback))
        assert (saved.attendance, saved.punctuality, saved.task_outcome, saved.skills) == (
            "every_day", "mostly", "well", ["teamwork", "reliability"])
        assert db.session.scalar(select(PlacementFeedbackLink.used_at)) is not None
        # The write is in the audit trail, by nobody logged in.
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "placement_feedback")) == 1


def test_the_link_used_twice(app, placement, make_link, employer):
    _row, token = make_link(placement)
    open_form(employer, token)
    assert employer.post(f"/feedback/{token}", data=ANSWERS).status_code == 200
    again = employer.post(f"/feedback/{token}", data={**ANSWERS, "comment": "Changed my mind"})
    assert again.status_code == 404
    assert employer.get(f"/feedback/{token}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(PlacementFeedback.comment)) == "A great help all week."


def test_an_expired_link(app, placement, make_link, employer):
    past = utcnow() - timedelta(days=31)
    _row, token = make_link(placement, created_at=past, expires_at=past + timedelta(days=30))
    assert employer.get(f"/feedback/{token}").status_code == 404
    assert employer.post(f"/feedback/{token}", data=ANSWERS).status_code in (400, 404)
    assert state(app)["placement_feedback"] == 0


def test_a_link_expires_after_thirty_days(app, placement):
    with app.app_context():
        row = db.session.get(Placement, placement.id)
        link, token = feedback.create_link(row, None, row.end_on)
        assert feedback.find_link(token, link.created_at + timedelta(days=29)) is not None
        assert feedback.find_link(token, link.created_at + timedelta(days=30)) is None


def test_bad_used_expired_and_cancelled_links_all_look_the_same(app, placement, make_link,
                                                                employer, make_pupil,
                                                                make_placement,
                                                                make_organisation):
    _used, used = make_link(placement, used_at=utcnow())
    past = utcnow() - timedelta(days=40)
    _old, expired = make_link(placement, created_at=past, expires_at=past + timedelta(days=30))
    cancelled_placement = make_placement(make_pupil(), make_organisation("Closed Co"),
                                         status="cancelled", cancel_reason="Closed")
    _c, cancelled = make_link(cancelled_placement)
    guessed = "A" * 43
    bodies = set()
    for token in (used, expired, cancelled, guessed, "short", "../../etc/passwd"):
        response = employer.get(f"/feedback/{token}")
        assert response.status_code == 404, token
        bodies.add(response.get_data(as_text=True).replace(token, ""))
    assert len(bodies) == 1
    assert "Page not found" in bodies.pop()
    # A NUL in any address is refused before routing, the same on every URL of the app.
    nul = employer.get("/feedback/%00")
    assert nul.status_code == 400 and "Bad request" in nul.get_data(as_text=True)


def test_a_burst_of_guesses_is_throttled_even_for_a_good_link(app, placement, make_link,
                                                               employer, monkeypatch):
    monkeypatch.setattr(feedback, "MAX_FAILURES", 5)
    _row, token = make_link(placement)
    open_form(employer, token)
    for n in range(5):
        assert employer.post(f"/feedback/{'g' * 40}{n:03d}", data=ANSWERS).status_code == 404
    refused = employer.post(f"/feedback/{token}", data=ANSWERS)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert employer.get(f"/feedback/{token}").status_code == 429
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeedbackAttempt)) == 5
        assert db.session.scalar(select(func.count()).select_from(PlacementFeedback)) == 0
        # Kept apart from the login throttle: guessing links locks nobody out of logging in.
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
    # Another address is not affected.
    other = app.test_client()
    assert other.get(f"/feedback/{token}",
                     environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_an_oversized_body_is_refused_and_writes_nothing(app, placement, make_link, employer):
    _row, token = make_link(placement)
    open_form(employer, token)
    before = state(app)
    response = employer.post(f"/feedback/{token}",
                             data={**ANSWERS, "comment": "x" * (feedback.MAX_BODY_BYTES + 10)})
    assert response.status_code == 413
    huge = employer.post(f"/feedback/{token}", data={**ANSWERS, "comment": "x" * 3_000_000})
    assert huge.status_code == 413
    assert state(app) == before
    # Just over a field's limit: a clear 422, the link still works.
    long = employer.post(f"/feedback/{token}", data={**ANSWERS, "comment": "x" * 1001})
    assert long.status_code == 422 and "1000" in long.get_data(as_text=True)
    assert state(app) == before


@pytest.mark.parametrize("missing", ["attendance", "punctuality", "task", "task_outcome"])
def test_each_answer_is_needed(app, placement, make_link, employer, missing):
    _row, token = make_link(placement)
    open_form(employer, token)
    response = employer.post(f"/feedback/{token}",
                             data={k: v for k, v in ANSWERS.items() if k != missing}, htmx=True)
    assert response.status_code == 422
    assert 'id="feedback-area"' in response.get_data(as_text=True)
    assert state(app)["placement_feedback"] == 0


def test_answers_outside_the_choices_are_refused(app, placement, make_link, employer):
    _row, token = make_link(placement)
    open_form(employer, token)
    for bad in ({"attendance": "always"}, {"skills": ["hacking"]}, {"task_outcome": "<b>"}):
        assert employer.post(f"/feedback/{token}", data={**ANSWERS, **bad}).status_code == 422
    assert state(app)["placement_feedback"] == 0


def test_csrf_is_required(app, placement, make_link, employer):
    _row, token = make_link(placement)
    open_form(employer, token)
    response = employer.post(f"/feedback/{token}", data=ANSWERS, csrf=False)
    assert response.status_code == 400
    assert state(app)["placement_feedback"] == 0


def test_head_and_get_never_write(app, placement, make_link, employer):
    _row, token = make_link(placement)
    before = state(app)
    with app.app_context():
        audit_before = db.session.scalar(select(func.count()).select_from(AuditLog))
    for method in ("GET", "HEAD"):
        for target in (token, "B" * 43, "nope"):
            for _ in range(3):
                employer.open(f"/feedback/{target}", method=method)
    assert state(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == audit_before
        assert db.session.scalar(select(PlacementFeedbackLink.used_at)) is None
    assert open_form(employer, token).status_code == 200  # the link still works


def test_the_token_never_reaches_a_log():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '127.0.0.1 - "GET /feedback/%s HTTP/1.1" 200', ("s3cret-token",),
                               None)
    logfilter.FeedbackTokenFilter().filter(record)
    assert "s3cret-token" not in record.getMessage()
    assert "/feedback/[token]" in record.getMessage()


def test_feedback_makes_the_placement_meaningful(app, placement, make_link, employer):
    _row, token = make_link(placement)
    with app.app_context():
        row = db.session.get(Placement, placement.id)
        from careers_app.placements import services
        services.save_evaluation(row, "Shelves", "Retail", "Go", row.end_on + timedelta(days=1))
    open_form(employer, token)
    assert employer.post(f"/feedback/{token}", data=ANSWERS).status_code == 200
    with app.app_context():
        from careers_app.models import Encounter
        row = db.session.get(Placement, placement.id)
        assert db.session.get(Encounter, row.encounter_id).meaningful is True

"""Something in the future has not happened (issue 12): on /me a future-dated encounter is
"coming up", not among what the pupil has taken part in, counts for nothing and cannot be
reflected on."""
from datetime import date, timedelta

import pytest

from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import Pupil, User
from careers_app.pupils.services import PupilRecord, YearRecord
from careers_app.pupils.summary import happened_and_coming_up


@pytest.fixture
def me(app, pupil_user):
    with app.app_context():
        pupil = db.session.get(Pupil, db.session.get(User, pupil_user.id).pupil_id)
        db.session.expunge(pupil)
    return pupil


def test_a_future_talk_is_coming_up_not_taken_part_in(app, client, me, make_encounter):
    later = make_encounter([me], K.EMPLOYER_TALK, today_london() + timedelta(days=20),
                           title="Talk still to come")
    done = make_encounter([me], K.EMPLOYER_TALK, today_london(), title="Talk today")
    client.login("pupil")
    page = client.get("/me").get_data(as_text=True)
    coming, _, record = page.partition("Everything you have taken part in")
    assert "Coming up" in coming and "Talk still to come" in coming
    assert "Talk still to come" not in record and "Talk today" in record
    assert client.get(f"/me/reflections/{later.id}").status_code == 404
    assert client.post(f"/me/reflections/{later.id}",
                       data={f"e{later.id}-reflection": "Not yet"}).status_code == 404
    assert client.get(f"/me/reflections/{done.id}").status_code == 200


def test_a_future_talk_counts_for_no_rule(app, client, me, make_encounter):
    make_encounter([me], K.EMPLOYER_TALK, today_london() + timedelta(days=1))
    client.login("pupil")
    from careers_app.reports.own import own_progress
    with app.app_context():
        result = {r.rule.key: r for r in own_progress(db.session.get(Pupil, me.id),
                                                      today_london()).results}
    assert result["bm5_year"].count == 0


def test_happened_and_coming_up_splits_by_today():
    class E:
        def __init__(self, id, day):
            self.id, self.date = id, day
    today = date(2026, 3, 15)
    record = PupilRecord([YearRecord(2025, [E(3, date(2027, 3, 15)), E(2, date(2026, 3, 16)),
                                            E(1, today)])])
    record.guidance, record.reflections = [], {1: "Good"}
    happened, coming = happened_and_coming_up(record, today)
    assert [e.id for y in happened for e in y.encounters] == [1]
    assert [e.id for e in coming] == [2, 3] and happened.reflections == {1: "Good"}
    nothing, later = happened_and_coming_up(PupilRecord([YearRecord(2026, [E(4, date(2027, 1, 1))])]),
                                            today)
    assert list(nothing) == [] and [e.id for e in later] == [4]


def test_staff_see_a_future_encounter_as_coming_up_not_in_the_record(client, lead, make_pupil,
                                                                       make_encounter):
    from datetime import timedelta

    from careers_app.domain.dates import today_london

    pupil = make_pupil(year=10)
    make_encounter([pupil], title="Talk that happened", on=today_london() - timedelta(days=2))
    make_encounter([pupil], title="Talk booked ahead", on=today_london() + timedelta(days=9))
    client.login("lead")
    page = client.get(f"/pupils/{pupil.id}").get_data(as_text=True)
    coming, _sep, rest = page.partition('id="coming-up-heading"')[2].partition("</section>")
    assert "Talk booked ahead" in coming and "Talk booked ahead" not in rest
    assert "Talk that happened" in rest

"""The pure rules of work experience, from tables: school days, dates, status, the meaningful
criteria, the stuck rule, the day buckets and experiences without a day counted twice."""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.domain import placements as wex
from careers_app.domain.placements import (Mode, PlacementFacts, PlacementSpan, Status,
                                           WorkplaceVisit)

D = date
# 2026/27: Monday 6 July 2026 is a Monday; half term 26-30 Oct 2026; Christmas 21 Dec - 1 Jan.
HALF_TERM = (D(2026, 10, 26), D(2026, 10, 30))
CHRISTMAS = (D(2026, 12, 21), D(2027, 1, 1))
BANK_HOLIDAY = (D(2026, 8, 31), D(2026, 8, 31))


@pytest.mark.parametrize("start, end, holidays, days", [
    (D(2026, 7, 6), D(2026, 7, 10), (), 5),                      # Monday to Friday
    (D(2026, 7, 6), D(2026, 7, 17), (), 10),                     # two weeks
    (D(2026, 7, 4), D(2026, 7, 5), (), 0),                       # a weekend only
    (D(2026, 7, 10), D(2026, 7, 13), (), 2),                     # Friday to Monday
    (D(2026, 7, 8), D(2026, 7, 8), (), 1),                       # one day
    (D(2026, 10, 19), D(2026, 10, 30), (HALF_TERM,), 5),         # a week straddling half term
    (D(2026, 12, 14), D(2027, 1, 8), (CHRISTMAS,), 10),          # Christmas left out
    (D(2026, 8, 31), D(2026, 9, 4), (BANK_HOLIDAY,), 4),         # a bank holiday Monday
    (D(2026, 10, 26), D(2026, 10, 30), (HALF_TERM,), 0),         # all holiday
    (D(2026, 12, 14), D(2027, 1, 8), (CHRISTMAS, CHRISTMAS), 10),  # a holiday given twice
    (D(2027, 2, 26), D(2027, 3, 1), (), 2),                      # across the end of February
])
def test_school_days(start, end, holidays, days):
    assert wex.school_day_count(start, end, holidays) == days
    assert all(day.weekday() < 5 for day in wex.school_days(start, end, holidays))


@pytest.mark.parametrize("start, end, holidays, problem", [
    (D(2026, 7, 6), D(2026, 7, 10), (), None),
    (None, D(2026, 7, 10), (), "Enter the first and last day."),
    (D(2026, 7, 10), D(2026, 7, 6), (), "The last day is before the first day."),
    (D(2026, 7, 4), D(2026, 7, 5), (), "Those dates have no school days"),
    (D(2026, 10, 26), D(2026, 10, 30), (HALF_TERM,), "Those dates have no school days"),
    (D(2026, 1, 5), D(2026, 7, 10), (), "92 days at most"),
])
def test_date_problems(start, end, holidays, problem):
    found = wex.date_problems(start, end, holidays)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0]


START, END = D(2026, 7, 6), D(2026, 7, 10)
BEFORE, DURING, AFTER = D(2026, 7, 1), D(2026, 7, 8), D(2026, 7, 13)
NONE = PlacementFacts(START, END)
EMPLOYER = PlacementFacts(START, END, has_employer=True)
CHECKED = PlacementFacts(START, END, has_employer=True, insurance_seen_on=BEFORE,
                         risk_assessment_on=BEFORE)
VIRTUAL = PlacementFacts(START, END, has_employer=True, mode=Mode.VIRTUAL)
HALF_CHECKED = PlacementFacts(START, END, has_employer=True, mode=Mode.BOTH,
                              insurance_seen_on=BEFORE)
EVALUATED = PlacementFacts(START, END, has_employer=True, insurance_seen_on=BEFORE,
                           risk_assessment_on=BEFORE, evaluated=True)


@pytest.mark.parametrize("target, facts, as_of, problems", [
    ("seeking", NONE, BEFORE, []),
    ("arranged", NONE, BEFORE, ["Choose the employer first."]),
    ("arranged", EMPLOYER, BEFORE, []),
    ("checks_done", EMPLOYER, BEFORE, ["insurance", "risk assessment"]),
    ("checks_done", HALF_CHECKED, BEFORE, ["risk assessment"]),
    ("checks_done", CHECKED, BEFORE, []),
    ("checks_done", VIRTUAL, BEFORE, []),                 # nothing to insure or assess
    ("under_way", CHECKED, BEFORE, ["before its first day"]),
    ("under_way", CHECKED, START, []),
    ("under_way", EMPLOYER, DURING, ["insurance", "risk assessment"]),
    ("completed", CHECKED, DURING, ["before its last day"]),  # nothing in the future is done
    ("completed", CHECKED, END, []),
    ("completed", VIRTUAL, AFTER, []),
    ("completed", NONE, AFTER, ["employer", "insurance", "risk assessment"]),
    ("evaluated", CHECKED, AFTER, ["pupil has filled in their evaluation"]),
    ("evaluated", EVALUATED, AFTER, []),
    ("evaluated", EVALUATED, DURING, ["before its last day"]),
])
def test_status_requirements(target, facts, as_of, problems):
    found = wex.status_problems(target, facts, as_of)
    assert len(found) == len(problems), found
    for expected, message in zip(problems, found):
        assert expected in message


@pytest.mark.parametrize("current, reason, problems", [
    ("seeking", "Employer withdrew", []),
    ("under_way", "Pupil ill all week", []),
    ("arranged", "", ["Say why"]),
    ("arranged", "   ", ["Say why"]),
    ("arranged", "x" * 501, ["under 500"]),
    ("completed", "Oops", ["cannot be cancelled"]),
    ("evaluated", "", ["cannot be cancelled", "Say why"]),
])
def test_cancelling_needs_a_reason_and_a_placement_that_has_not_happened(current, reason,
                                                                        problems):
    found = wex.status_problems("cancelled", NONE, DURING, current=current, reason=reason)
    assert len(found) == len(problems), found
    for expected, message in zip(problems, found):
        assert expected in message


@pytest.mark.parametrize("requested, evaluated, settled", [
    ("completed", False, Status.COMPLETED),
    ("completed", True, Status.EVALUATED),
    ("evaluated", False, Status.COMPLETED),
    ("evaluated", True, Status.EVALUATED),
    ("under_way", True, Status.UNDER_WAY),
    ("cancelled", True, Status.CANCELLED),
])
def test_settled_status(requested, evaluated, settled):
    assert wex.settled_status(requested, evaluated) is settled


@pytest.mark.parametrize("status, end, as_of, done", [
    ("completed", END, END, True),
    ("evaluated", END, AFTER, True),
    ("completed", END, DURING, False),   # dates in the future never count
    ("under_way", END, AFTER, False),
    ("cancelled", END, AFTER, False),
    ("seeking", END, AFTER, False),
])
def test_counts_as_done(status, end, as_of, done):
    assert wex.counts_as_done(status, end, as_of) is done


@pytest.mark.parametrize("status, has_employer, as_of, allowed", [
    ("completed", True, AFTER, True),
    ("under_way", True, END, True),
    ("checks_done", True, AFTER, True),
    ("evaluated", True, AFTER, True),     # may change their evaluation
    ("completed", True, DURING, False),   # not over yet
    ("seeking", False, AFTER, False),
    ("arranged", False, AFTER, False),
    ("cancelled", True, AFTER, False),
])
def test_when_the_pupil_may_evaluate(status, has_employer, as_of, allowed):
    assert wex.can_evaluate(status, END, has_employer, as_of) is allowed


@pytest.mark.parametrize("status, since, end, as_of, stuck", [
    ("seeking", D(2026, 6, 1), END, D(2026, 6, 8), False),   # exactly a week
    ("seeking", D(2026, 6, 1), END, D(2026, 6, 9), True),    # more than a week
    ("arranged", D(2026, 6, 20), END, D(2026, 6, 30), True),
    ("checks_done", D(2026, 6, 29), END, D(2026, 6, 30), False),
    ("under_way", D(2026, 7, 6), END, D(2026, 7, 10), False),  # it lasts its days
    ("under_way", D(2026, 7, 6), END, D(2026, 7, 17), False),  # a week after its end
    ("under_way", D(2026, 7, 6), END, D(2026, 7, 18), True),   # still not marked completed
    ("completed", D(2026, 7, 10), END, D(2026, 7, 20), True),  # awaiting the evaluation
    ("evaluated", D(2026, 7, 10), END, D(2027, 1, 1), False),  # finished
    ("cancelled", D(2026, 6, 1), END, D(2027, 1, 1), False),
])
def test_stuck_for_more_than_a_week(status, since, end, as_of, stuck):
    assert wex.is_stuck(status, since, end, as_of) is stuck


@pytest.mark.parametrize("task, feedback, evaluation, met, missing", [
    ("Plan a display", True, True, True, []),
    ("", True, True, False, ["a task set by the employer"]),
    ("   ", True, True, False, ["a task set by the employer"]),
    (None, True, True, False, ["a task set by the employer"]),
    ("Plan a display", False, True, False, ["feedback from the employer"]),
    ("Plan a display", True, False, False, ["the pupil's evaluation"]),
    ("", False, False, False, ["a task set by the employer", "feedback from the employer",
                               "the pupil's evaluation"]),
])
def test_meaningful_criteria(task, feedback, evaluation, met, missing):
    found = wex.criteria(task, feedback, evaluation)
    assert found.met is met
    assert found.missing == missing


@pytest.mark.parametrize("days, bucket", [
    (0, "0 days"), (1, "1-4 days"), (4, "1-4 days"), (5, "5-9 days"), (9, "5-9 days"),
    (10, "10 or more days"), (11, "10 or more days"), (60, "10 or more days"),
])
def test_day_buckets(days, bucket):
    assert wex.day_bucket(days) == bucket


def test_the_buckets_cover_every_count_exactly_once():
    for days in range(0, 200):
        matching = [label for label, low, high in wex.DAY_BUCKETS
                    if days >= low and (high is None or days <= high)]
        assert len(matching) == 1, days
    with pytest.raises(ValueError):
        wex.day_bucket(-1)


# Experiences --------------------------------------------------------------------------------

def P(pid, start, end, meaningful=True):
    return PlacementSpan(pid, start, end, meaningful)


def V(vid, day, meaningful=True):
    return WorkplaceVisit(vid, day, meaningful)


WEEK = (D(2026, 7, 6), D(2026, 7, 10))


@pytest.mark.parametrize("placements, visits, count, counted", [
    # nothing
    ([], [], 0, set()),
    # one meaningful placement is one experience, counted by its own record
    ([P(1, *WEEK)], [], 1, {1}),
    # a placement not (yet) meaningful counts for nothing
    ([P(1, *WEEK, meaningful=False)], [], 0, set()),
    # a one-off visit on a placement day is the same experience: counted once, by the visit
    ([P(1, *WEEK)], [V(7, D(2026, 7, 8))], 1, set()),
    # ...even when the visit was not meaningful, the meaningful placement counts (once)
    ([P(1, *WEEK)], [V(7, D(2026, 7, 8), meaningful=False)], 1, {1}),
    # a visit on another day is another experience
    ([P(1, *WEEK)], [V(7, D(2026, 7, 13))], 2, {1}),
    # two visits on the same day are one experience
    ([], [V(7, D(2026, 3, 3)), V(8, D(2026, 3, 3))], 1, set()),
    # overlapping placements (a change of employer mid-week) are one experience
    ([P(1, D(2026, 7, 6), D(2026, 7, 8)), P(2, D(2026, 7, 8), D(2026, 7, 10))], [], 1, {1}),
    # back-to-back placements are two
    ([P(1, D(2026, 7, 6), D(2026, 7, 10)), P(2, D(2026, 7, 13), D(2026, 7, 17))], [], 2,
     {1, 2}),
    # the first of two overlapping placements is not meaningful: the second counts
    ([P(1, D(2026, 7, 6), D(2026, 7, 8), False), P(2, D(2026, 7, 8), D(2026, 7, 10))], [], 1,
     {2}),
    # Year 10 and Year 12 placements and a Year 11 visit: three
    ([P(1, D(2026, 7, 6), D(2026, 7, 10)), P(2, D(2028, 7, 3), D(2028, 7, 7))],
     [V(9, D(2027, 3, 3))], 3, {1, 2}),
])
def test_experiences_never_count_a_day_twice(placements, visits, count, counted):
    experiences = wex.workplace_experiences(placements, visits)
    assert wex.meaningful_experience_count(placements, visits) == count
    assert wex.placements_to_count(experiences) == counted
    # What the dashboard counts once these records are in step: the meaningful visits plus
    # the placements chosen to count. Equal to the experiences whenever no two meaningful
    # visits share a day (that case belongs to the encounters themselves).
    if not any(len(e.meaningful_visit_ids) > 1 for e in experiences):
        records = sum(1 for v in visits if v.meaningful) + len(counted)
        assert records == count


def test_an_experience_knows_its_days():
    experiences = wex.workplace_experiences([P(1, *WEEK)], [V(7, D(2026, 7, 8)),
                                                           V(8, D(2026, 9, 9))])
    assert [(e.start, e.end, e.placement_ids, e.visit_ids) for e in experiences] == [
        (D(2026, 7, 6), D(2026, 7, 10), [1], [7]), (D(2026, 9, 9), D(2026, 9, 9), [], [8])]
    assert [e.days() for e in experiences] == [5, 1]
    assert experiences[0].days([(D(2026, 7, 10), D(2026, 7, 10))]) == 4

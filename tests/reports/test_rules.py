"""Table tests for the per-pupil benchmark and Provider Access rules (pure: no app)."""
from __future__ import annotations

from datetime import date

import pytest

from careers_app.domain.rules import (RULES, RULES_BY_KEY, EncounterFact, PupilFact, RuleSettings,
                                      applies, as_of_day, band, evaluate, in_progress,
                                      left_out_by_level6, on_roll, on_roll_on, percentage,
                                      settings_from, settings_to, window)

YEAR = 2025  # 2025/26
END = date(2026, 8, 31)
# Cohorts by their year group in 2025/26.
Y7, Y8, Y9, Y10, Y11, Y12, Y13 = (YEAR - n for n in range(7))

_ids = iter(range(1, 10_000))


def enc(day, *bms, org=None, kind=None, **flags):
    return EncounterFact(id=next(_ids), date=day, benchmarks=frozenset(bms),
                         organisation_id=org, organisation_kind=kind, **flags)


def result(rule_key, cohort, encounters, *, year=YEAR, as_of=END, settings=None, he=False,
           joined=None, left=None):
    return evaluate(RULES_BY_KEY[rule_key], PupilFact(cohort, joined, left, he), encounters,
                    year, as_of, settings)


CASES = [
    # id, rule, cohort, encounters, met, count
    ("bm5 1 Sep counts in the new year", "bm5_year", Y9, [enc(date(2025, 9, 1), 5)], True, 1),
    ("bm5 31 Aug belongs to last year", "bm5_year", Y9, [enc(date(2025, 8, 31), 5)], False, 0),
    ("bm5 31 Aug counts in the year it ends", "bm5_year", Y9,
     [enc(date(2026, 8, 31), 5)], True, 1),
    ("bm5 not meaningful does not count", "bm5_year", Y9,
     [enc(date(2025, 10, 1), 5, meaningful=False)], False, 0),
    ("bm5 planned does not count", "bm5_year", Y9, [enc(date(2025, 10, 1), 5, planned=True)],
     False, 0),
    ("bm5 deleted does not count", "bm5_year", Y9, [enc(date(2025, 10, 1), 5, deleted=True)],
     False, 0),
    ("bm5 needs BM5 attached", "bm5_year", Y9, [enc(date(2025, 10, 1), 6)], False, 0),
    ("bm4 last year does not count this year", "bm4_year", Y9, [enc(date(2025, 6, 1), 4)],
     False, 0),
    ("bm2 earlier in key stage 3 counts", "bm2_key_stage", Y8, [enc(date(2024, 10, 1), 2)],
     True, 1),
    ("bm2 key stage 3 does not carry into key stage 4", "bm2_key_stage", Y10,
     [enc(date(2024, 10, 1), 2)], False, 0),
    ("bm2 in key stage 4", "bm2_key_stage", Y11, [enc(date(2024, 10, 1), 2)], True, 1),
    ("bm2 key stage 5 from Year 12", "bm2_key_stage", Y13, [enc(date(2023, 10, 1), 2)],
     False, 0),
    ("bm6 two across Y7-11 meet it", "bm6_pre16", Y11,
     [enc(date(2022, 3, 1), 6), enc(date(2025, 11, 1), 6)], True, 2),
    ("bm6 one is not enough", "bm6_pre16", Y11, [enc(date(2025, 11, 1), 6)], False, 1),
    ("bm6 the same encounter twice is one", "bm6_pre16", Y11,
     [EncounterFact(7777, date(2025, 11, 1), frozenset({6}))] * 2, False, 1),
    ("bm6 post-16 ignores Year 11", "bm6_post16", Y12, [enc(date(2025, 6, 1), 6)], False, 0),
    ("bm6 post-16 in Year 12", "bm6_post16", Y12, [enc(date(2025, 9, 20), 6)], True, 1),
    ("bm7 full range", "bm7_range", Y10,
     [enc(date(2025, 10, 1), 7, org=1, kind="sixth_form"),
      enc(date(2025, 10, 2), 7, org=2, kind="fe_college"),
      enc(date(2024, 10, 3), 7, org=3, kind="university"),
      enc(date(2023, 10, 4), 7, org=4, kind="itp")], True, 4),
    ("bm7 the same provider type twice is one type", "bm7_range", Y10,
     [enc(date(2025, 10, 1), 7, org=1, kind="sixth_form"),
      enc(date(2025, 10, 2), 7, org=5, kind="sixth_form"),
      enc(date(2024, 10, 3), 7, org=3, kind="university"),
      enc(date(2023, 10, 4), 7, org=4, kind="itp")], False, 3),
    ("bm7 employer does not count", "bm7_range", Y10,
     [enc(date(2025, 10, 1), 7, org=9, kind="employer")], False, 0),
    ("bm7 HE two university visits", "bm7_he", Y13,
     [enc(date(2022, 5, 1), 7, org=3, kind="university"),
      enc(date(2025, 10, 1), 7, org=3, kind="university")], True, 2),
    ("bm8 by end of Y11 from Year 8", "bm8_pre16", Y11,
     [enc(date(2022, 1, 10), 8, adviser_level6=True)], True, 1),
    ("bm8 an adviser below level 6 does not count", "bm8_pre16", Y11,
     [enc(date(2025, 1, 10), 8, adviser_named=True)], False, 0),
    ("bm8 no adviser recorded does not count", "bm8_pre16", Y11, [enc(date(2025, 1, 10), 8)],
     False, 0),
    ("bm8 post-16 needs one in Y12-13", "bm8_post16", Y13, [enc(date(2023, 1, 10), 8)],
     False, 0),
    ("pal two different providers in Year 8", "pal_y8_9", Y9,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2025, 1, 1), org=2, kind="itp")], True, 2),
    ("pal the same provider twice is one", "pal_y8_9", Y9,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2025, 1, 1), org=1, kind="fe_college")], False, 1),
    ("pal university is not a technical provider", "pal_y8_9", Y9,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2025, 1, 1), org=3, kind="university")], False, 1),
    ("pal Year 7 is too early", "pal_y8_9", Y9,
     [enc(date(2023, 11, 1), org=1, kind="fe_college"),
      enc(date(2024, 1, 1), org=2, kind="itp")], False, 0),
    ("pal Year 9 until 28 February", "pal_y8_9", Y9,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2026, 2, 28), org=2, kind="itp")], True, 2),
    ("pal Year 9 after 28 February does not count", "pal_y8_9", Y9,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2026, 3, 1), org=2, kind="itp")], False, 1),
    ("pal Year 11 until 28 February", "pal_y10_11", Y11,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2026, 2, 28), org=2, kind="itp")], True, 2),
    ("pal Year 11 after 28 February does not count", "pal_y10_11", Y11,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2026, 4, 1), org=2, kind="itp")], False, 1),
    ("pal Year 13 until 28 February", "pal_y12_13", Y13,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2026, 2, 28), org=2, kind="itp")], True, 2),
    ("pal Year 13 on 1 March does not count", "pal_y12_13", Y13,
     [enc(date(2024, 11, 1), org=1, kind="fe_college"),
      enc(date(2026, 3, 1), org=2, kind="itp")], False, 1),
    ("pal Year 12 all year", "pal_y12_13", Y12,
     [enc(date(2025, 9, 1), org=1, kind="fe_college"),
      enc(date(2026, 7, 20), org=2, kind="itp")], True, 2),
]


# id, rule, cohort, joined, left, encounters, count: nothing before admission or after leaving.
ROLL_CASES = [
    ("before admission", "bm5_year", Y9, date(2025, 11, 3), None,
     [enc(date(2025, 11, 2), 5)], 0),
    ("on the admission day", "bm5_year", Y9, date(2025, 11, 3), None,
     [enc(date(2025, 11, 3), 5)], 1),
    ("on the leaving day (the last day on roll)", "bm5_year", Y9, None, date(2025, 12, 19),
     [enc(date(2025, 12, 19), 5)], 1),
    ("after leaving", "bm5_year", Y9, None, date(2025, 12, 19), [enc(date(2025, 12, 20), 5)], 0),
    ("earlier years before admission", "bm6_pre16", Y11, date(2025, 9, 1), None,
     [enc(date(2024, 5, 1), 6), enc(date(2025, 9, 2), 6)], 1),
    ("offered before admission", "pal_y12_13", Y12, date(2026, 1, 5), None,
     [enc(date(2025, 10, 1), org=1, kind="fe_college"),
      enc(date(2026, 1, 5), org=2, kind="itp")], 1),
]


@pytest.mark.parametrize("rule_key, cohort, joined, left, encounters, count",
                         [c[1:] for c in ROLL_CASES], ids=[c[0] for c in ROLL_CASES])
def test_only_days_on_roll_count(rule_key, cohort, joined, left, encounters, count):
    assert result(rule_key, cohort, encounters, joined=joined, left=left).count == count


@pytest.mark.parametrize("joined, left, day, expected", [
    (None, None, date(2025, 9, 1), True),
    (date(2025, 9, 1), None, date(2025, 8, 31), False),
    (date(2025, 9, 1), None, date(2025, 9, 1), True),
    (None, date(2025, 8, 31), date(2025, 8, 31), True),   # a 31 August leaver
    (None, date(2025, 8, 31), date(2025, 9, 1), False),
])
def test_on_roll_on_a_day(joined, left, day, expected):
    assert on_roll_on(PupilFact(Y9, joined, left), day) is expected


@pytest.mark.parametrize("rule_key, year_group, expected", [
    ("bm6_pre16", 7, True), ("bm6_pre16", 10, True), ("bm6_pre16", 11, False),
    ("bm7_range", 10, True), ("bm7_range", 11, False), ("bm8_pre16", 8, True),
    ("bm8_pre16", 11, False), ("bm6_post16", 12, True), ("bm6_post16", 13, False),
    ("bm7_he", 12, True), ("bm7_he", 13, False), ("pal_y8_9", 8, True), ("pal_y8_9", 9, False),
    ("pal_y10_11", 10, True), ("pal_y12_13", 12, True), ("pal_y12_13", 13, False),
    ("bm5_year", 9, False), ("bm2_key_stage", 7, False), ("bm4_year", 12, False),
])
def test_in_progress_before_the_deadline_year(rule_key, year_group, expected):
    assert in_progress(RULES_BY_KEY[rule_key], year_group) is expected


@pytest.mark.parametrize("pct", [0, 39, 55, 100])
def test_in_progress_is_never_low(pct):
    assert band(pct, in_progress=True) == ("progress", "In progress")
    assert band(None, in_progress=True)[0] == "none"


@pytest.mark.parametrize("flags, needs_level6, reason", [
    ({}, True, "no_adviser"),
    ({"adviser_named": True}, True, "not_level6"),
    ({"adviser_named": True, "adviser_level6": True}, True, None),   # it counts
    ({"adviser_named": True}, False, None),                          # requirement off: counts
    ({"meaningful": False}, True, None),                             # not counted anyway
])
def test_why_guidance_is_left_out(flags, needs_level6, reason):
    fact = enc(date(2025, 11, 1), 8, **flags)
    settings = RuleSettings(guidance_needs_level6=needs_level6)
    assert left_out_by_level6(RULES_BY_KEY["bm8_pre16"], fact, Y10, YEAR, END, settings) == reason


@pytest.mark.parametrize("rule_key, cohort, encounters, met, count",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_table(rule_key, cohort, encounters, met, count):
    outcome = result(rule_key, cohort, encounters, he=True)
    assert (outcome.met, outcome.count) == (met, count)
    assert len(outcome.counted) == len({e.id for e in encounters if e.id in outcome.counted})


@pytest.mark.parametrize("day, counts", [
    (date(2028, 2, 28), True),   # 28 February in a leap year: still counts
    (date(2028, 2, 29), False),  # 29 February: too late
    (date(2028, 3, 1), False),
])
def test_year_9_cut_off_in_a_leap_year(day, counts):
    cohort = 2025  # Year 9 in 2027/28; February 2028 has 29 days
    encounters = [enc(date(2026, 10, 1), org=1, kind="itp"), enc(day, org=2, kind="fe_college")]
    outcome = evaluate(RULES_BY_KEY["pal_y8_9"], PupilFact(cohort), encounters, 2027,
                       date(2028, 8, 31))
    assert outcome.met is counts
    assert outcome.count == (2 if counts else 1)


def test_encounters_after_the_as_of_day_do_not_count():
    outcome = result("bm5_year", Y9, [enc(date(2025, 12, 1), 5)], as_of=date(2025, 11, 30))
    assert not outcome.met


def test_an_encounter_in_a_later_year_does_not_count_for_an_earlier_report():
    outcome = result("bm6_pre16", Y10, [enc(date(2025, 10, 1), 6), enc(date(2026, 10, 1), 6)],
                     year=2025)
    assert outcome.count == 1


@pytest.mark.parametrize("joined, left, on", [
    (None, None, True),
    (date(2026, 1, 12), None, True),        # joined mid-year
    (date(2026, 9, 1), None, False),        # joins after the year
    (None, date(2025, 7, 22), False),       # left before the year began
    (None, date(2025, 8, 31), False),       # left on the last day of the year before
    (None, date(2025, 9, 1), True),         # on roll on the first day
    (None, date(2025, 12, 19), True),       # a leaver during the year
])
def test_on_roll(joined, left, on):
    assert on_roll(PupilFact(Y9, joined_on=joined, left_on=left), YEAR, END) is on


def test_joiner_after_the_as_of_day_is_not_yet_on_roll():
    assert not on_roll(PupilFact(Y9, joined_on=date(2026, 2, 1)), YEAR, date(2026, 1, 15))


@pytest.mark.parametrize("rule_key, cohort, he, expected", [
    ("bm5_year", Y7, False, True),
    ("bm6_pre16", Y12, False, False),
    ("bm6_post16", Y12, False, True),
    ("bm7_he", Y12, False, False),
    ("bm7_he", Y12, True, True),
    ("bm7_he", Y10, True, False),
    ("pal_y8_9", Y7, False, False),
    ("pal_y8_9", Y9, False, True),
    ("pal_y12_13", Y13, False, True),
])
def test_which_pupils_a_rule_measures(rule_key, cohort, he, expected):
    assert applies(RULES_BY_KEY[rule_key], PupilFact(cohort, considering_he=he), YEAR) is expected


@pytest.mark.parametrize("rule_key, year_group, expected", [
    ("bm5_year", 9, (9, 9)), ("bm2_key_stage", 9, (7, 9)), ("bm2_key_stage", 11, (10, 11)),
    ("bm2_key_stage", 12, (12, 12)), ("bm6_pre16", 8, (7, 8)), ("bm6_pre16", 11, (7, 11)),
    ("pal_y8_9", 9, (8, 9)), ("pal_y12_13", 13, (12, 13)),
])
def test_windows(rule_key, year_group, expected):
    assert window(RULES_BY_KEY[rule_key], year_group) == expected


def test_school_threshold_for_workplace_experiences():
    encounters = [enc(date(2024, 3, 1), 6), enc(date(2025, 11, 1), 6)]
    assert result("bm6_pre16", Y11, encounters).met
    strict = settings_from({"thresholds": {"bm6_pre16": 3}})
    outcome = result("bm6_pre16", Y11, encounters, settings=strict)
    assert (outcome.met, outcome.needed) == (False, 3)


def test_guidance_needs_a_level_6_adviser_unless_switched_off():
    encounters = [enc(date(2025, 11, 1), 8, adviser_named=True)]
    relaxed = RuleSettings(guidance_needs_level6=False)
    assert RuleSettings().guidance_needs_level6 and settings_from(None).guidance_needs_level6
    outcome = result("bm8_pre16", Y10, encounters)
    assert (outcome.met, outcome.not_level6, outcome.no_adviser) == (False, 1, 0)
    assert result("bm8_pre16", Y10, encounters, settings=relaxed).met
    assert result("bm8_pre16", Y10, [enc(date(2025, 11, 1), 8, adviser_level6=True)]).met


@pytest.mark.parametrize("raw, expected", [
    (None, {}),
    ({"thresholds": {"bm6_pre16": 3}}, {"bm6_pre16": 3}),
    ({"thresholds": {"bm6_pre16": 0, "bm6_post16": "2"}}, {}),   # out of range, wrong type
    ({"thresholds": {"bm6_pre16": True}}, {}),
    ({"thresholds": {"bm5_year": 4}}, {}),                         # not a settable rule
    ({"thresholds": "nonsense"}, {}),
])
def test_settings_from_school_settings(raw, expected):
    assert dict(settings_from(raw).thresholds) == expected


def test_settings_round_trip_keeps_other_keys():
    raw = settings_to(RuleSettings({"bm6_pre16": 4}, True), {"careers_leader": "Ms Patel"})
    assert raw["careers_leader"] == "Ms Patel"
    assert settings_from(raw) == RuleSettings({"bm6_pre16": 4}, True)


@pytest.mark.parametrize("met, total, expected", [
    (0, 0, None), (0, 3, 0), (1, 3, 33), (2, 3, 67), (1, 8, 13), (3, 3, 100)])
def test_percentage(met, total, expected):
    assert percentage(met, total) == expected


@pytest.mark.parametrize("pct, css", [(None, "none"), (0, "low"), (39, "low"), (40, "mid"),
                                      (70, "good"), (89, "good"), (90, "high"), (100, "high")])
def test_band_has_a_word_as_well_as_a_colour(pct, css):
    assert band(pct)[0] == css
    assert band(pct)[1]


def test_as_of_day():
    assert as_of_day(2025, date(2026, 3, 3)) == date(2026, 3, 3)
    assert as_of_day(2024, date(2026, 3, 3)) == date(2025, 8, 31)


def test_every_rule_has_words_for_staff_and_pupils():
    assert len({r.key for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.title and rule.text and rule.pupil_text
        assert set(rule.year_groups) <= set(range(7, 14))

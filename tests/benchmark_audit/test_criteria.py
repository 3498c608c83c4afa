"""The criteria set and the pure audit rules: no app, no database."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from careers_app.domain import audit_criteria as ac
from careers_app.domain.benchmarks import BENCHMARKS
from careers_app.domain.rules import RULES_BY_KEY

DATA_FILE = Path(__file__).resolve().parents[2] / "careers_app" / "data" / "audit_criteria.json"


def load_file() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def test_the_criteria_set_matches_the_data_file():
    raw = load_file()
    loaded = ac.criteria_set()
    assert len(raw["benchmarks"]) == len(loaded) == 8
    for entry, benchmark in zip(raw["benchmarks"], loaded, strict=True):
        assert benchmark.number == entry["number"]
        assert len(benchmark.criteria) == len(entry["criteria"]) > 0
        assert [c.key for c in benchmark.criteria] == [c["key"] for c in entry["criteria"]]
        assert [c.text for c in benchmark.criteria] == [c["text"] for c in entry["criteria"]]
        assert [c.measurable for c in benchmark.criteria] == [bool(c.get("measure"))
                                                              for c in entry["criteria"]]
    total = sum(len(b["criteria"]) for b in raw["benchmarks"])
    assert len(ac.criteria_by_key()) == total


def test_benchmarks_carry_the_2025_names():
    assert [(b.number, b.name) for b in ac.criteria_set()] == [(b.number, b.name)
                                                              for b in BENCHMARKS]
    assert ac.criteria_set()[2].name == "Addressing the needs of each young person"


def test_every_measured_criterion_names_a_dashboard_rule_or_a_benchmark1_setting():
    measured = [c for c in ac.criteria_by_key().values() if c.measure]
    assert measured, "some criteria must be evidenced from the data"
    for criterion in measured:
        if criterion.measure.setting:
            assert criterion.benchmark == 1 and criterion.measure.setting in ac.SETTING_FACTS
        else:
            rule = RULES_BY_KEY[criterion.measure.rule]
            assert set(criterion.measure.year_groups) <= set(rule.year_groups)
            assert criterion.measure.evidence
    settings = {c.measure.setting for c in measured if c.measure.setting}
    assert settings == set(ac.SETTING_FACTS)  # Leader, governor, web page, last review


def _valid() -> dict:
    return load_file()


def _unknown_rule(raw):
    raw["benchmarks"][4]["criteria"][0]["measure"]["rule"] = "bm99"


def _year_not_measured(raw):
    raw["benchmarks"][4]["criteria"][0]["measure"]["year_groups"] = [7, 14]


def _old_name(raw):
    raw["benchmarks"][2]["name"] = "Addressing the needs of each pupil"


def _repeated_key(raw):
    raw["benchmarks"][0]["criteria"][1]["key"] = raw["benchmarks"][0]["criteria"][0]["key"]


def _missing_benchmark(raw):
    del raw["benchmarks"][7]


def _unknown_setting(raw):
    raw["benchmarks"][0]["criteria"][1]["measure"] = {"setting": "head_teacher"}


@pytest.mark.parametrize("spoil", [_unknown_rule, _year_not_measured, _old_name, _repeated_key,
                                   _missing_benchmark, _unknown_setting])
def test_inconsistent_criteria_data_is_refused(spoil):
    raw = _valid()
    spoil(raw)
    with pytest.raises(ac.CriteriaError):
        ac.parse_criteria(raw)


@pytest.mark.parametrize("percent, thresholds, expected", [
    (100, ac.Thresholds(), "achieved"),
    (99, ac.Thresholds(), "partial"),
    (1, ac.Thresholds(), "partial"),
    (0, ac.Thresholds(), "not"),
    (None, ac.Thresholds(), ""),
    (90, ac.Thresholds(90, 50), "achieved"),
    (50, ac.Thresholds(90, 50), "not"),
    (51, ac.Thresholds(90, 50), "partial"),
])
def test_suggested_rating(percent, thresholds, expected):
    assert ac.suggest_rating(percent, thresholds) == expected


@pytest.mark.parametrize("raw, expected", [
    (None, ac.Thresholds(100, 0)),
    ({"audit_thresholds": {"achieved": 90, "partial_above": 40}}, ac.Thresholds(90, 40)),
    ({"audit_thresholds": {"achieved": 40, "partial_above": 90}}, ac.Thresholds()),
    ({"audit_thresholds": {"achieved": True, "partial_above": 0}}, ac.Thresholds()),
    ({"audit_thresholds": "90"}, ac.Thresholds()),
    ({"audit_thresholds": {"achieved": 101, "partial_above": 0}}, ac.Thresholds()),
])
def test_thresholds_from_settings(raw, expected):
    assert ac.thresholds_from(raw) == expected


@pytest.mark.parametrize("years, expected", [
    ((7, 8, 9, 10, 11), "Y7-Y11"), ((11,), "Y11"), ((12, 13), "Y12-Y13"), ((9, 11), "Y9, Y11"),
])
def test_year_range(years, expected):
    assert ac.year_range(years) == expected


def test_evidence_sentence_reads_like_the_issue():
    assert (ac.evidence_sentence(range(7, 12), 1032, 1200,
                                 "had a meaningful employer encounter this year")
            == "Y7-Y11: 86% (1,032 of 1,200) had a meaningful employer encounter this year")
    assert ac.evidence_sentence([11], 0, 0, "whatever") == "Y11: no pupils measured"


TODAY = date(2026, 3, 3)


@pytest.mark.parametrize("setting, facts, text, suggested", [
    ("careers_leader", {"careers_leader": "Ms A Khan"}, "Named Careers Leader: Ms A Khan", "achieved"),
    ("careers_leader", {"careers_leader": "  "}, "Named Careers Leader: not recorded", "not"),
    ("governor_link", {}, "Governor or trustee link for careers: not recorded", "not"),
    ("programme_url", {"programme_url": "https://school.example/careers"},
     "Careers programme web page: https://school.example/careers", "achieved"),
    ("last_review", {"last_review": "2025-09-01"}, "Last review of the careers programme: 1 Sep 2025",
     "achieved"),
    ("last_review", {"last_review": "2023-03-03"}, "more than 3 years ago", "partial"),
    ("last_review", {"last_review": "not a date"}, "not recorded", "not"),
])
def test_benchmark1_evidence_from_settings(setting, facts, text, suggested):
    evidence = ac.setting_evidence(setting, facts, TODAY)
    assert text in evidence.text
    assert evidence.suggested == suggested


def test_score_is_the_percentage_of_criteria_achieved():
    assert ac.score(["achieved", "partial", "achieved", None], 4) == 50
    assert ac.score([], 5) == 0
    assert ac.score([], 0) is None


@pytest.mark.parametrize("now, before, points, words", [
    (75, 50, 25, "Up 25 points"), (50, 75, -25, "Down 25 points"), (50, 50, 0, "No change"),
    (50, None, None, "No previous audit"),
])
def test_change_since_the_previous_audit(now, before, points, words):
    assert ac.change(now, before) == points
    assert ac.describe_change(points) == words


@pytest.mark.parametrize("value, label", [("achieved", "Achieved"), ("partial", "Partially achieved"),
                                          ("not", "Not achieved"), ("", "Not answered"),
                                          (None, "Not answered")])
def test_rating_labels(value, label):
    assert ac.rating_label(value) == label

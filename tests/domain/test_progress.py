"""domain.progress: the figures behind the reports, from plain values (no app, no database)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from careers_app.domain.academic import natural_sort
from careers_app.domain.progress import (PAL_YEAR_GROUPS, Cell, Filters, Gap, PupilProgress,
                                         NO_ADVISER, NOT_LEVEL6, add_pupil_counts, build_matrix,
                                         encounter_facts, gap_rows, has_left, own_results,
                                         measured_rules, pal_phases, still_on_roll, tally)
from careers_app.domain.rules import (BAND_LEGEND, PAL_RULES, RULES, RULES_BY_KEY, EncounterFact,
                                      PupilFact, RuleSettings)

YEAR = 2025  # 2025/26
TODAY = date(2026, 3, 15)
ROOT = Path(__file__).resolve().parents[2]
_ids = iter(range(1, 100_000))


def pupil(year_group: int, *, counts=None, send="N", tutor_group="10A", he=False,
          disadvantaged=False, looked_after=False, left_on=None, name="Pupil") -> PupilProgress:
    row = SimpleNamespace(id=next(_ids), upn="A123", legal_forename=name,
                          preferred_forename=None, surname=f"Surname{year_group}",
                          cohort=YEAR - (year_group - 7), tutor_group=tutor_group,
                          send_status=send, disadvantaged=disadvantaged,
                          looked_after=looked_after, considering_he=he, joined_on=None,
                          left_on=left_on)
    result = PupilProgress.from_roll(row, YEAR, TODAY)
    result.counts.update(counts or {})
    return result


@pytest.mark.parametrize("left_on, expected", [
    (None, False), (date(2026, 3, 14), True),
    (date(2026, 3, 15), False),  # the leaving date is the last day on roll: here today
    (date(2026, 3, 16), False),  # leaving later this term: still on roll today
])
def test_has_left(left_on, expected):
    assert has_left(left_on, TODAY) is expected
    assert pupil(10, left_on=left_on).has_left is expected


def test_from_roll_names_year_group_and_zero_counts():
    row = SimpleNamespace(id=5, upn="A1", legal_forename="Robert", preferred_forename="Bob",
                          surname="Smith", cohort=2022, tutor_group="10B", send_status="E",
                          disadvantaged=True, looked_after=False, considering_he=False,
                          joined_on=None, left_on=None)
    progress = PupilProgress.from_roll(row, YEAR, TODAY)
    assert (progress.name, progress.sort_name, progress.year_group) == ("Bob Smith",
                                                                       "Smith, Bob", 10)
    assert progress.counts == {r.key: 0 for r in RULES}
    assert progress.has_send and not progress.has_left


def test_counts_from_rows_per_pupil_and_per_year_group():
    a, b = pupil(12), pupil(13)
    rules = [RULES_BY_KEY["bm5_year"], RULES_BY_KEY["bm4_year"]]
    add_pupil_counts([a, b], [(a.id, 2, 1), (999, 5, 5)], rules)  # 999 is not on the roll
    add_pupil_counts([a, b], [(a.id, 3)], [RULES_BY_KEY["pal_y12_13"]])
    assert (a.counts["bm5_year"], a.counts["bm4_year"], a.counts["pal_y12_13"]) == (2, 1, 3)
    assert (b.counts["bm5_year"], b.counts["pal_y12_13"]) == (0, 0)


class _Row(tuple):
    """A result row with labelled columns, as SQLAlchemy returns them."""

    def __new__(cls, mapping):
        row = super().__new__(cls, mapping.values())
        row._mapping = mapping
        return row


@pytest.mark.parametrize("level6, count, left_out", [
    (True, 0, (2, 1)),   # the requirement on: 3 interviews left out, and why
    (False, 3, None),    # switched off: they all count
])
def test_guidance_left_out_by_level6_counts_only_when_switched_off(level6, count, left_out):
    a = pupil(11)
    rule = RULES_BY_KEY["bm8_pre16"]
    row = _Row({"id": a.id, rule.key: 0, rule.key + NO_ADVISER: 2, rule.key + NOT_LEVEL6: 1})
    add_pupil_counts([a], [row], [rule], lambda _school: RuleSettings(guidance_needs_level6=level6))
    assert a.counts[rule.key] == count
    assert a.left_out.get(rule.key) == left_out
    gaps, _measured = gap_rows([a], rule, YEAR, RuleSettings(guidance_needs_level6=level6))
    assert (gaps[0].why_not_counted if gaps else "") == (
        "2 interviews not counted: no adviser recorded; 1 interview not counted: the adviser "
        "is not qualified to level 6" if level6 else "")


@pytest.mark.parametrize("filters, expected", [
    (Filters(), {"n", "k", "e", "pp", "cla", "9b"}),
    (Filters(send="any"), {"k", "e"}),
    (Filters(send="none"), {"n", "pp", "cla", "9b"}),
    (Filters(send="K"), {"k"}),
    (Filters(disadvantaged="yes"), {"pp"}),
    (Filters(disadvantaged="no", looked_after="no"), {"n", "k", "e", "9b"}),
    (Filters(looked_after="yes"), {"cla"}),
    (Filters(tutor_group="9B"), {"9b"}),
])
def test_filters_match(filters, expected):
    pupils = {"n": pupil(9), "k": pupil(9, send="K"), "e": pupil(9, send="E"),
              "pp": pupil(9, disadvantaged=True), "cla": pupil(9, looked_after=True),
              "9b": pupil(9, tutor_group="9B")}
    assert {key for key, p in pupils.items() if filters.matches(p)} == expected


def test_filters_describe_and_args():
    assert Filters().describe() == "everyone" and not Filters().active
    chosen = Filters(tutor_group="10A", send="K", disadvantaged="no")
    assert chosen.describe() == "tutor group 10A, SEN support (K), not disadvantaged"
    assert chosen.as_args() == {"tutor_group": "10A", "send": "K", "disadvantaged": "no"}


def test_tally_counts_met_and_measured_per_year_group():
    bm5, he = RULES_BY_KEY["bm5_year"], RULES_BY_KEY["bm7_he"]
    pupils = [pupil(9, counts={"bm5_year": 1, "bm6_pre16": 1}), pupil(9),
              pupil(12, he=True, counts={"bm7_he": 2}), pupil(12)]
    cells = tally(pupils, YEAR, RuleSettings())
    assert cells[(bm5.key, 9)] == Cell(1, 2)
    assert cells[(he.key, 12)] == Cell(1, 1, in_progress=True)  # only those considering HE
    assert cells[(bm5.key, 7)] == Cell(0, 0)  # nobody in Year 7 still shows 0 / 0
    assert cells[("bm6_pre16", 9)] == Cell(0, 2, in_progress=True)  # needs 2, by Year 11
    lowered = tally(pupils, YEAR, RuleSettings({"bm6_pre16": 1}))
    assert lowered[("bm6_pre16", 9)] == Cell(1, 2, in_progress=True)


def test_matrix_has_the_filtered_group_beside_the_cohort():
    pupils = [pupil(9, counts={"bm5_year": 1}, disadvantaged=True), pupil(9), pupil(11)]
    plain = build_matrix(pupils, YEAR, TODAY, RuleSettings())
    assert plain.filtered is None and plain.on_roll == {9: 2, 11: 1}
    matrix = build_matrix(pupils, YEAR, TODAY, RuleSettings(), Filters(disadvantaged="yes"),
                          ["9A", "11A"])
    bm5 = RULES_BY_KEY["bm5_year"]
    assert matrix.cell(bm5, 9) == Cell(1, 2) and matrix.filtered_cell(bm5, 9) == Cell(1, 1)
    assert matrix.tutor_groups == ["9A", "11A"]


@pytest.mark.parametrize("percent, band", [
    (None, ("none", "Not measured")), (100, ("high", "Strong")), (90, ("high", "Strong")),
    (89, ("good", "Good")), (70, ("good", "Good")), (69, ("mid", "Patchy")),
    (40, ("mid", "Patchy")), (39, ("low", "Low")), (0, ("low", "Low")),
])
def test_cell_band(percent, band):
    cell = Cell(0, 0) if percent is None else Cell(percent, 100)
    assert cell.band == band


def test_band_legend_reads_the_thresholds():
    assert [(k.css, f"{k.word}: {k.scale}") for k in BAND_LEGEND] == [
        ("high", "Strong: 90% or more"), ("good", "Good: 70-89%"), ("mid", "Patchy: 40-69%"),
        ("low", "Low: under 40%"),
        ("progress", "In progress: the deadline is in a later year group")]


def test_gap_rows_and_who_can_be_ticked():
    bm6 = RULES_BY_KEY["bm6_pre16"]  # Years 7-11, two needed
    met, short, left = (pupil(9, counts={"bm6_pre16": 2}), pupil(9, counts={"bm6_pre16": 1}),
                        pupil(9, left_on=date(2026, 1, 1)))
    gaps, measured = gap_rows([met, short, left, pupil(12)], bm6, YEAR, RuleSettings())
    assert measured == 3 and [(g.pupil, g.count, g.needed) for g in gaps] == [(short, 1, 2),
                                                                              (left, 0, 2)]
    assert still_on_roll(gaps) == [short.id]
    lowered, _measured = gap_rows([met, short], bm6, YEAR, RuleSettings({"bm6_pre16": 1}))
    assert lowered == []
    filtered, measured = gap_rows([met, short], bm6, YEAR, RuleSettings(), Filters(send="K"))
    assert (filtered, measured) == ([], 0)


@pytest.mark.parametrize("count, needed, met, short_by", [(0, 2, False, 2), (1, 2, False, 1),
                                                          (2, 2, True, 0), (3, 2, True, 0)])
def test_gap_met_and_short_by(count, needed, met, short_by):
    gap = Gap(pupil(9), count, needed)
    assert (gap.met, gap.short_by) == (met, short_by)


def test_pal_phases_list_the_shortest_first():
    assert PAL_YEAR_GROUPS == (8, 9, 10, 11, 12, 13)
    pupils = [pupil(9, counts={"pal_y8_9": 2}, name="Met"), pupil(8, counts={"pal_y8_9": 1}),
              pupil(9, name="None"), pupil(10, counts={"pal_y10_11": 2}),
              pupil(9, send="K", name="Send")]
    phases = {p.rule.key: p for p in pal_phases(pupils, YEAR, RuleSettings())}
    first = phases["pal_y8_9"]
    assert [g.count for g in first.rows] == [0, 0, 1, 2]
    assert (first.met, first.total, len(first.short)) == (1, 4, 3)
    assert (phases["pal_y10_11"].met, phases["pal_y12_13"].total) == (1, 0)
    only_send = pal_phases(pupils, YEAR, RuleSettings(), Filters(send="K"))
    assert [len(p.rows) for p in only_send] == [1, 0, 0] and len(PAL_RULES) == 3


def test_encounter_facts_fold_one_row_per_benchmark():
    row = dict(id=1, date=date(2025, 10, 1), organisation_id=4, kind="fe_college",
               meaningful=True, planned=False, deleted_at=None, adviser_level6=False,
               adviser_name="")
    rows = [SimpleNamespace(**row, benchmark=7), SimpleNamespace(**row, benchmark=5),
            SimpleNamespace(**{**row, "id": 2, "kind": None}, benchmark=None)]
    facts = encounter_facts(rows)
    assert facts[1] == EncounterFact(1, date(2025, 10, 1), frozenset({5, 7}), 4, "fe_college")
    assert facts[2].benchmarks == frozenset() and facts[2].organisation_kind is None


def test_own_results_read_the_year_group_for_offered_rules():
    fact = PupilFact(YEAR - 5)  # Year 12
    rules = measured_rules(fact, YEAR)
    assert {r.key for r in rules} >= {"bm5_year", "pal_y12_13"}
    assert "bm7_he" not in {r.key for r in rules}  # not considering HE
    talk = EncounterFact(1, date(2025, 10, 1), frozenset({5}))
    colleges = {n: EncounterFact(n, date(2025, 11, n), organisation_id=n,
                                 organisation_kind="fe_college") for n in (2, 3)}
    results = {r.rule.key: r for r in own_results(rules, fact, {1: talk}, colleges, YEAR, TODAY,
                                                  RuleSettings())}
    assert results["bm5_year"].met and results["bm5_year"].counted == (1,)
    assert results["pal_y12_13"].met and results["pal_y12_13"].count == 2


def test_natural_sort_puts_tutor_groups_in_school_order():
    assert natural_sort(["10B", "7A", "13A", "Nurture", "10A", "9C"]) == [
        "7A", "9C", "10A", "10B", "13A", "Nurture"]


TEMPLATE_RULES = [
    (r"left_on\s*(<=|<|>=|>)", "the has-left rule (domain.progress.has_left)"),
    (r'send_status\s*(!=|==)\s*"N"', "has_send"),
    (r"\bband\(", "Cell.band / BAND_LEGEND"),
    (r"\d+% or more|under \d+%", "BAND_LEGEND"),
    (r"count\s*>=\s*\S*needed|needed\s*-\s*\S*count", "Gap.met / Gap.short_by"),
    (r"range\(\s*7", "domain.academic.YEAR_GROUPS"),
    (r"7\s*\+\s*\w*year\w*\s*-|-\s*\w*cohort\s*\+\s*7", "domain.academic.year_group"),
]


@pytest.mark.parametrize("folder", ["reports", "pupils", "main", "encounters"])
def test_templates_print_values_and_compute_no_rules(folder):
    for path in sorted((ROOT / "templates" / folder).glob("*.html")):
        text = path.read_text()
        for pattern, instead in TEMPLATE_RULES:
            assert not re.search(pattern, text), f"{path.name}: use {instead}"

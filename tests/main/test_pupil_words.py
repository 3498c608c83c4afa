"""Pupils read their record in plain words (issue 13): short sentences for a Year 7 reader,
no codes or staff terms, and every "not yet" says what comes next.

The readability measure: every sentence has at most 15 words, no word from JARGON appears,
and the whole page reads at Flesch-Kincaid grade 7 or below (a US grade 7 is a 12-year-old,
an English Year 7 or 8)."""
from __future__ import annotations

import re
from datetime import date, time, timedelta
from html.parser import HTMLParser

import pytest

from careers_app.domain.academic import academic_year_of
from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.domain.benchmarks import OrganisationKind
from careers_app.domain.dates import today_london
from careers_app.domain.pupil_words import (COUNTS_FOR, KIND_WORDS, PAGE_WORDS, RULE_WORDS,
                                            NextEvent, activities, counts_for, next_step_text,
                                            progress_lines, status_text)
from careers_app.domain.rules import RULES, Measure, RuleResult
from careers_app.models import Role

MAX_WORDS = 15
MAX_GRADE = 7.0
JARGON = re.compile(
    r"\b(bm\d*|pal|gatsby|benchmarks?|encounters?|providers?|fe|itp|legislation|law|"
    r"meaningful|statutory|threshold|cohort|key stage|ks\d|upn|criteria|phase)\b", re.I)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9’'-]*")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if WORD.search(s)]


def syllables(word: str) -> int:
    word = word.lower().strip("’'-")
    if word.isdigit():
        return 1
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def grade(text: str) -> float:
    """Flesch-Kincaid grade level."""
    found = sentences(text)
    words = [w for s in found for w in WORD.findall(s)]
    if not words:
        return 0.0
    return (0.39 * len(words) / len(found)
            + 11.8 * sum(syllables(w) for w in words) / len(words) - 15.59)


def problems(text: str) -> list[str]:
    found = []
    for sentence in sentences(text):
        if len(WORD.findall(sentence)) > MAX_WORDS:
            found.append(f"too long ({len(WORD.findall(sentence))} words): {sentence}")
        if JARGON.search(sentence):
            found.append(f"jargon {JARGON.search(sentence).group(0)!r}: {sentence}")
    return found


def every_string() -> list[str]:
    """Every pupil-facing string the domain module holds, and every sentence it builds."""
    texts = [w.goal for w in RULE_WORDS.values()] + [w.ask for w in RULE_WORDS.values()]
    texts += list(KIND_WORDS.values()) + list(PAGE_WORDS.values())
    texts += [counts_for([n]) for n in COUNTS_FOR] + [counts_for(list(COUNTS_FOR)[:3]),
                                                      counts_for([])]
    texts += [activities(n) for n in (1, 2, 12)]
    for rule in RULES:
        for count, needed in ((0, 1), (1, 1), (3, 1), (1, 2), (2, 4)):
            texts.append(status_text(RuleResult(rule, True, count >= needed, count, needed, ())))
        texts.append(next_step_text(rule.key, None))
        texts.append(next_step_text(rule.key, NextEvent("Nurse visit", date(2026, 3, 3))))
    return texts


def test_every_rule_has_words():
    assert set(RULE_WORDS) == {rule.key for rule in RULES}


def test_every_pupil_facing_string_is_short_and_plain():
    found = [p for text in every_string() for p in problems(text)]
    assert found == []
    assert grade(" ".join(every_string())) <= MAX_GRADE


def test_the_measure_itself_catches_long_sentences_and_jargon():
    assert problems("You met the BM5 rule.") and problems("Meaningful encounters count.")
    assert problems(" ".join(["word"] * 16) + ".")
    assert not problems("Meet someone from the world of work this year.")
    assert grade("Antidisestablishmentarianism characterises institutional deliberations.") > 12


@pytest.mark.parametrize("count, needed, met, expected", [
    (3, 1, True, "Done: 3 (you needed 1)."),
    (0, 1, False, "So far: 0 (you need 1)."),
    (1, 2, False, "So far: 1 (you need 2)."),
])
def test_counts_say_done_and_what_was_needed(count, needed, met, expected):
    rule = next(r for r in RULES if r.measure is Measure.ENCOUNTERS)
    assert status_text(RuleResult(rule, True, met, count, needed, ())) == expected


def test_every_not_yet_says_what_comes_next():
    rules = [r for r in RULES]
    results = [RuleResult(r, True, False, 0, 1, ()) for r in rules]
    event = NextEvent("Hospital visit", date(2026, 3, 3))
    lines = progress_lines(results, {rules[0].key: event})
    assert lines[0].next_step == "Next: “Hospital visit” on 3 Mar 2026."
    assert all(line.next_step.startswith("Ask ") for line in lines[1:])
    met = progress_lines([RuleResult(rules[0], True, True, 1, 1, ())])
    assert met[0].next_step == ""


# The rendered pages -----------------------------------------------------------------------

class _Text(HTMLParser):
    """The visible text of <main>, one line per block, without hidden or aria-hidden parts."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "dt", "dd", "label", "legend", "button", "a",
              "summary", "th", "td", "div", "section"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.depth += 1
        if self.hidden or "hidden" in attrs or attrs.get("aria-hidden") == "true" \
                or "visually-hidden" in (attrs.get("class") or ""):
            self.hidden += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.hidden:
            self.hidden -= 1
        if tag == "main":
            self.depth -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.depth and not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", "".join(parser.parts))


@pytest.fixture
def year7(app, make_pupil, make_user, make_encounter, make_organisation):
    today = today_london()
    pupil = make_pupil(year=7, tutor_group="7B", legal_forename="Amy", surname="Ash")
    make_user("amy", Role.PUPIL, pupil_id=pupil.id, display_name="Amy Ash")
    bakery = make_organisation("Bakery", OrganisationKind.EMPLOYER)
    make_encounter([pupil], K.EMPLOYER_TALK, on=today, title="Baker visit", organisation=bakery)
    make_encounter([pupil], K.CAREERS_FAIR, on=today, title="Jobs fair", meaningful=False)
    make_encounter([pupil], K.GUIDANCE_INTERVIEW, on=today, title="Adviser chat",
                   adviser_name="Sam")
    make_encounter([], K.WORKPLACE_VISIT, on=today + timedelta(days=3), title="Farm trip",
                   planned=True, invited_groups="tg:7B", start_time=time(9), end_time=time(12))
    return pupil


def test_the_year_7_record_reads_plainly(client, year7):
    client.login("amy")
    html = client.get("/me").get_data(as_text=True)
    text = visible_text(html)
    assert "Done: 1 (you needed 1)." in text
    assert "Next: “Farm trip” on" in text  # the planned trip would count for the workplace goal
    assert PAGE_WORDS["not_counted"] in text
    assert "so far." not in text and "of 1 so far" not in text
    for banned in ("BM5", "Encounters with employers and employees", "FE college encounter",
                   "the law on meeting colleges", "not counted: not meaningful"):
        assert banned not in html
    lines = [line for line in text.splitlines() if line.strip()]
    data = {"Baker visit", "Jobs fair", "Adviser chat", "Bakery", "Amy Ash", "Farm trip"}
    found = [p for line in lines for p in problems(line)
             if not any(name in line for name in data) or "words" in p]
    assert found == []
    assert grade("\n".join(lines)) <= MAX_GRADE


def test_staff_see_the_same_summary_on_the_pupils_page(client, year7, tutor):
    client.login("tutor")
    html = client.get(f"/pupils/{year7.id}").get_data(as_text=True)
    assert "How Amy is doing this year" in html
    assert "Done: 1 (you needed 1)." in html and "Next: “Farm trip” on" in html
    # Staff keep their own terms on the rest of the page.
    assert "BM5 Encounters with employers and employees" in html


def test_a_next_event_must_invite_the_pupil_and_count(client, app, make_pupil, make_user,
                                                       make_encounter):
    today = today_london()
    pupil = make_pupil(year=9, tutor_group="9C", legal_forename="Ben", surname="Birch")
    make_user("ben", Role.PUPIL, pupil_id=pupil.id)
    slot = dict(planned=True, start_time=time(9), end_time=time(10))
    make_encounter([], K.EMPLOYER_TALK, on=today + timedelta(days=1), title="Other group talk",
                   invited_groups="tg:9D", **slot)
    make_encounter([], K.CURRICULUM_LINKED, on=today + timedelta(days=2), title="Maths and jobs",
                   invited_groups="yg:9", **slot)
    make_encounter([], K.EMPLOYER_TALK, on=today - timedelta(days=1), title="Yesterday's talk",
                   invited_groups="tg:9C", **slot)
    client.login("ben")
    text = visible_text(client.get("/me").get_data(as_text=True))
    assert "Next: “Maths and jobs” on" in text  # the lesson goal, for the whole year group
    assert "Other group talk" not in text and "Yesterday's talk" not in text
    assert RULE_WORDS["bm5_year"].ask in text

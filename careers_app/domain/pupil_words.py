"""What a pupil reads about their own progress: plain words, kept as data, keyed by rule.

Written for a Year 7 reader: short sentences, no codes (no "BM5", no "PAL"), none of the
words staff use ("encounter", "provider", "benchmark", "meaningful"). Every "not yet" says what
comes next: the next planned event that would count, or who to ask. tests/test_pupil_words.py
checks every string here and every page a pupil reads against those limits.

No Flask and no database: plain values in, plain values out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .benchmarks import EncounterKind
from .dates import format_date
from .rules import Measure, RuleResult


@dataclass(frozen=True)
class RuleWords:
    goal: str  # what to do, as one short sentence
    ask: str  # who to ask when nothing is planned yet


RULE_WORDS: dict[str, RuleWords] = {
    "bm2_key_stage": RuleWords(
        "Find out about jobs and the world of work.",
        "Ask your tutor when your class will next learn about jobs."),
    "bm4_year": RuleWords(
        "Have a lesson that links a subject to jobs.",
        "Ask a teacher which jobs use their subject."),
    "bm5_year": RuleWords(
        "Meet someone from the world of work this year.",
        "Ask your tutor when the next visitor from work is coming."),
    "bm6_pre16": RuleWords(
        "See what it is like in a real workplace before the end of Year 11.",
        "Ask the careers leader about visits and work experience."),
    "bm6_post16": RuleWords(
        "Spend time in another real workplace in Year 12 or 13.",
        "Ask the careers leader about work experience."),
    "bm7_range": RuleWords(
        "Meet a sixth form, college, university and apprenticeship trainer by the end of Year 11.",
        "Ask the careers leader which visits are coming up."),
    "bm7_he": RuleWords(
        "You might go to university. Visit universities twice by the end of Year 13.",
        "Ask the careers leader about university open days."),
    "bm8_pre16": RuleWords(
        "Talk one to one with a careers adviser before the end of Year 11.",
        "Ask your tutor to book you a talk with the careers adviser."),
    "bm8_post16": RuleWords(
        "Talk one to one with a careers adviser again in Year 12 or 13.",
        "Ask your tutor to book you a talk with the careers adviser."),
    "pal_y8_9": RuleWords(
        "Meet two colleges or apprenticeship trainers in Year 8 or early Year 9.",
        "Ask the careers leader when the next college visit is."),
    "pal_y10_11": RuleWords(
        "Meet two colleges or apprenticeship trainers in Year 10 or early Year 11.",
        "Ask the careers leader when the next college visit is."),
    "pal_y12_13": RuleWords(
        "Get the chance to meet two colleges or apprenticeship trainers in Year 12 or 13.",
        "Ask the careers leader when the next college talk is."),
}

# What each kind of activity is called on the pupil's own record.
KIND_WORDS: dict[str, str] = {
    EncounterKind.EMPLOYER_TALK.value: "A talk from someone who works",
    EncounterKind.EMPLOYER_MENTORING.value: "Mentoring from someone who works",
    EncounterKind.CAREERS_FAIR.value: "A careers fair",
    EncounterKind.WORKPLACE_VISIT.value: "A visit to a workplace",
    EncounterKind.WORK_EXPERIENCE.value: "Work experience",
    EncounterKind.COLLEGE.value: "Meeting a college",
    EncounterKind.SIXTH_FORM.value: "Meeting a sixth form",
    EncounterKind.UNIVERSITY.value: "Meeting a university",
    EncounterKind.APPRENTICESHIP_PROVIDER.value: "Meeting an apprenticeship trainer",
    EncounterKind.GUIDANCE_INTERVIEW.value: "A talk with a careers adviser",
    EncounterKind.CURRICULUM_LINKED.value: "A lesson about jobs",
    EncounterKind.LABOUR_MARKET_INFO.value: "Finding out about jobs",
    EncounterKind.OTHER.value: "A careers activity",
}

# What each benchmark an activity counts for is called on the pupil's record.
COUNTS_FOR: dict[int, str] = {
    1: "careers at school",
    2: "finding out about jobs",
    3: "help just for you",
    4: "jobs in your lessons",
    5: "meeting people from work",
    6: "time in a workplace",
    7: "colleges, universities and apprenticeships",
    8: "talks with a careers adviser",
}

# A count's unit, per measure: (one, many).
UNITS: dict[Measure, tuple[str, str]] = {
    Measure.ENCOUNTERS: ("", ""),
    Measure.PROVIDERS: (" place", " different places"),
    Measure.PROVIDER_KINDS: (" kind of place", " kinds of place"),
}

PAGE_WORDS: dict[str, str] = {
    "heading": "How you are doing this year",
    "intro": "Here is what every pupil should do. A tick means you have done it.",
    "staff_intro": "This is what the pupil sees on their own page.",
    "none": "There is nothing to check for your year yet.",
    "record_heading": "Everything you have taken part in",
    "guidance_heading": "Your agreed actions",
    "no_guidance": "No guidance interviews recorded yet.",
    "no_record": "Nothing is on your record yet.",
    "no_actions": "Nothing was written down to do next.",
    "adviser": "Talk with {adviser}",
    "an_adviser": "a careers adviser",
    "qualified": "Fully trained careers adviser",
    "counts_for": "This helps with:",
    "counts_for_nothing": "This helps you learn about careers.",
    # An activity that did not have everything needed to count: said kindly.
    "not_counted": "Thank you for taking part. It was good practice, but it does not count towards your goals.",
    "activities": "{count} activities",
    "activity": "1 activity",
}


@dataclass(frozen=True)
class NextEvent:
    """A planned event the pupil is invited to that would count for the rule."""

    title: str
    day: date


@dataclass(frozen=True)
class ProgressLine:
    """One rule, as the pupil reads it."""

    key: str
    met: bool
    goal: str
    status: str
    next_step: str  # empty when met
    counted: tuple[int, ...]  # encounter ids that count


def _amount(count: int, measure: Measure) -> str:
    one, many = UNITS[measure]
    return f"{count}{one if count == 1 else many}"


def status_text(result: RuleResult) -> str:
    """"Done: 3 (you needed 1)." or "So far: 1 (you need 2).": never "3 of 1 so far"."""
    count = _amount(result.count, result.rule.measure)
    if result.met:
        return f"Done: {count} (you needed {result.needed})."
    return f"So far: {count} (you need {result.needed})."


def next_step_text(key: str, event: NextEvent | None) -> str:
    """What comes next for a rule not yet met: the next event, or who to ask."""
    if event is not None:
        return f"Next: “{event.title}” on {format_date(event.day)}."
    return RULE_WORDS[key].ask


def progress_lines(results: list[RuleResult],
                   next_events: dict[str, NextEvent] | None = None) -> list[ProgressLine]:
    """The pupil's summary, one line per rule measured this year."""
    next_events = next_events or {}
    return [ProgressLine(
        key=r.rule.key, met=r.met, goal=RULE_WORDS[r.rule.key].goal, status=status_text(r),
        next_step="" if r.met else next_step_text(r.rule.key, next_events.get(r.rule.key)),
        counted=r.counted) for r in results]


def kind_words(kind) -> str:
    return KIND_WORDS.get(str(kind), KIND_WORDS[EncounterKind.OTHER.value])


def counts_for(benchmarks) -> str:
    """"This helps with: meeting people from work." for the benchmarks an activity has."""
    names = [COUNTS_FOR[n] for n in sorted(set(benchmarks)) if n in COUNTS_FOR]
    if not names:
        return PAGE_WORDS["counts_for_nothing"]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{PAGE_WORDS['counts_for']} {listed}."


def activities(count: int) -> str:
    return PAGE_WORDS["activity"] if count == 1 else PAGE_WORDS["activities"].format(count=count)


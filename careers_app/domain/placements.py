"""Work experience placements (Benchmark 6): school days, status rules, the meaningful
criteria, and how placements and one-off workplace encounters become "experiences".

Pure functions, no Flask and no database: plain values in, plain values out.

A placement is one pupil with one employer from a start date to an end date. Its *days* are
the school days in that range: Monday to Friday, less the school's holidays. Its status moves
through seeking → arranged → checks done → under way → completed → evaluated, or it is
cancelled with a reason. Each status has requirements (an employer, the safety checks, dates
that have arrived) and nothing in the future counts as done.

A completed placement is *meaningful* (the 2025 benchmarks' meaningful experience of a
workplace) when the employer set a task, the employer gave feedback and the pupil evaluated it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

# Status ------------------------------------------------------------------------------------


class Status(StrEnum):
    SEEKING = "seeking"
    ARRANGED = "arranged"
    CHECKS_DONE = "checks_done"
    UNDER_WAY = "under_way"
    COMPLETED = "completed"
    EVALUATED = "evaluated"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[Status, str] = {
    Status.SEEKING: "Seeking an employer",
    Status.ARRANGED: "Arranged",
    Status.CHECKS_DONE: "Checks done",
    Status.UNDER_WAY: "Under way",
    Status.COMPLETED: "Completed",
    Status.EVALUATED: "Evaluated",
    Status.CANCELLED: "Cancelled",
}
# The order a placement normally moves through (cancelled stands apart).
PROGRESSION: tuple[Status, ...] = (Status.SEEKING, Status.ARRANGED, Status.CHECKS_DONE,
                                   Status.UNDER_WAY, Status.COMPLETED, Status.EVALUATED)
# It has happened: it counts towards Benchmark 6.
DONE: frozenset[Status] = frozenset({Status.COMPLETED, Status.EVALUATED})
# Nothing more is expected of anybody.
FINAL: frozenset[Status] = frozenset({Status.EVALUATED, Status.CANCELLED})
MAX_REASON = 500


class Mode(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    BOTH = "both"


MODE_LABELS: dict[Mode, str] = {
    Mode.IN_PERSON: "In person",
    Mode.VIRTUAL: "Virtual (VWEX)",
    Mode.BOTH: "In person and virtual",
}


def status_label(status: str | Status | None) -> str:
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return str(status or "")


def mode_label(mode: str | Mode | None) -> str:
    try:
        return MODE_LABELS[Mode(mode)]
    except ValueError:
        return str(mode or "")


@dataclass(frozen=True)
class PlacementFacts:
    """What the status rules need to know about one placement."""

    start: date
    end: date
    has_employer: bool = False
    mode: Mode = Mode.IN_PERSON
    insurance_seen_on: date | None = None
    risk_assessment_on: date | None = None
    evaluated: bool = False  # the pupil's evaluation is in


def checks_needed(mode: Mode | str) -> bool:
    """A virtual-only placement has no workplace to insure or assess."""
    return Mode(mode) is not Mode.VIRTUAL


def missing_checks(facts: PlacementFacts) -> list[str]:
    """The safety checks not yet recorded (none for a virtual placement)."""
    if not checks_needed(facts.mode):
        return []
    missing = []
    if facts.insurance_seen_on is None:
        missing.append("Record the date the employer's liability insurance was seen.")
    if facts.risk_assessment_on is None:
        missing.append("Record the date the risk assessment was received.")
    return missing


def status_problems(target: Status | str, facts: PlacementFacts, as_of: date, *,
                    current: Status | str | None = None, reason: str = "") -> list[str]:
    """Why the placement cannot be put into `target` on `as_of`; empty when it can.

    Each status needs what the one before it needs, plus its own requirement.
    """
    target = Status(target)
    current = Status(current) if current else None
    if target is Status.CANCELLED:
        problems = []
        if current in DONE:
            problems.append("The placement has happened, so it cannot be cancelled. "
                            "Set it back to “Under way” first if it was marked by mistake.")
        if not reason.strip():
            problems.append("Say why the placement is cancelled.")
        elif len(reason.strip()) > MAX_REASON:
            problems.append(f"Keep the reason under {MAX_REASON} characters.")
        return problems
    rank = PROGRESSION.index(target)
    problems = []
    if rank >= PROGRESSION.index(Status.ARRANGED) and not facts.has_employer:
        problems.append("Choose the employer first.")
    if rank >= PROGRESSION.index(Status.CHECKS_DONE):
        problems.extend(missing_checks(facts))
    if rank >= PROGRESSION.index(Status.UNDER_WAY) and facts.start > as_of:
        problems.append("It cannot be under way before its first day.")
    if rank >= PROGRESSION.index(Status.COMPLETED) and facts.end > as_of:
        problems.append("It cannot be completed before its last day.")
    if target is Status.EVALUATED and not facts.evaluated:
        problems.append("It is evaluated once the pupil has filled in their evaluation.")
    return problems


def settled_status(requested: Status | str, evaluated: bool) -> Status:
    """A completed placement whose pupil has evaluated it is "evaluated"; and an
    evaluated one whose evaluation has gone is only "completed"."""
    requested = Status(requested)
    if requested is Status.COMPLETED and evaluated:
        return Status.EVALUATED
    if requested is Status.EVALUATED and not evaluated:
        return Status.COMPLETED
    return requested


def counts_as_done(status: Status | str, end: date, as_of: date) -> bool:
    """Completed (or evaluated) and over by `as_of`: a workplace experience for Benchmark 6."""
    return Status(status) in DONE and end <= as_of


def can_evaluate(status: Status | str, end: date, has_employer: bool, as_of: date) -> bool:
    """The pupil may fill in their evaluation once the placement is over."""
    status = Status(status)
    return (has_employer and end <= as_of
            and status not in (Status.SEEKING, Status.CANCELLED))


STUCK_AFTER = timedelta(days=7)


def is_stuck(status: Status | str, since: date, end: date, as_of: date) -> bool:
    """Has the placement sat in one status for more than a week?

    A placement under way is expected to stay so until its last day; it is stuck once it is
    more than a week past its end and still not marked completed. Evaluated and cancelled
    placements are finished and never stuck.
    """
    status = Status(status)
    if status in FINAL:
        return False
    if status is Status.UNDER_WAY:
        return as_of - end > STUCK_AFTER
    return as_of - since > STUCK_AFTER


# Meaningful criteria -----------------------------------------------------------------------

@dataclass(frozen=True)
class Criteria:
    """The criteria of a meaningful experience of a workplace that the data can show."""

    employer_task: bool
    employer_feedback: bool
    pupil_evaluation: bool

    @property
    def met(self) -> bool:
        return self.employer_task and self.employer_feedback and self.pupil_evaluation

    @property
    def missing(self) -> list[str]:
        names = (("employer_task", "a task set by the employer"),
                 ("employer_feedback", "feedback from the employer"),
                 ("pupil_evaluation", "the pupil's evaluation"))
        return [label for name, label in names if not getattr(self, name)]


def criteria(employer_task: str | None, feedback_received: bool,
             evaluation_done: bool) -> Criteria:
    """Which of the three criteria hold (a task of only spaces is no task)."""
    return Criteria(bool((employer_task or "").strip()), bool(feedback_received),
                    bool(evaluation_done))


# School days ---------------------------------------------------------------------------------

HolidayRanges = Iterable[tuple[date, date]]


def _holiday_days(holidays: HolidayRanges) -> set[date]:
    days: set[date] = set()
    for first, last in holidays:
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def school_days(start: date, end: date, holidays: HolidayRanges = ()) -> list[date]:
    """The school days from `start` to `end` inclusive: Monday to Friday, not a holiday."""
    closed = _holiday_days(holidays)
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in closed:
            days.append(day)
        day += timedelta(days=1)
    return days


def school_day_count(start: date, end: date, holidays: HolidayRanges = ()) -> int:
    return len(school_days(start, end, holidays))


MAX_PLACEMENT_DAYS = 92  # a term at most: anything longer is a typing mistake


def date_problems(start: date | None, end: date | None, holidays: HolidayRanges = ()) -> list[str]:
    """What is wrong with a placement's dates, if anything."""
    if start is None or end is None:
        return ["Enter the first and last day."]
    if end < start:
        return ["The last day is before the first day."]
    if (end - start).days >= MAX_PLACEMENT_DAYS:
        return [f"A placement can last {MAX_PLACEMENT_DAYS} days at most. Check the dates."]
    if not school_days(start, end, holidays):
        return ["Those dates have no school days (weekends and holidays only)."]
    return []


# Days-of-experience buckets ---------------------------------------------------------------------

# Every count falls in exactly one bucket: 0, 1-4, 5-9 (about a week), 10 or more (two weeks,
# the government's ambition).
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0 days", 0, 0), ("1-4 days", 1, 4), ("5-9 days", 5, 9), ("10 or more days", 10, None))


def day_bucket(days: int) -> str:
    """The label of the bucket a pupil's total days of experience falls in."""
    for label, low, high in DAY_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    raise ValueError(f"{days} is not a number of days")


# Experiences of workplaces --------------------------------------------------------------------

@dataclass(frozen=True)
class PlacementSpan:
    """A placement that has happened (the caller passes only those that count as done)."""

    id: int
    start: date
    end: date
    meaningful: bool


@dataclass(frozen=True)
class WorkplaceVisit:
    """A one-off workplace encounter (a visit, a day's experience) the pupil took part in."""

    id: int
    day: date
    meaningful: bool


@dataclass
class Experience:
    """Days at workplaces counted once: overlapping placements and the one-off encounters on
    their days (or on the same day as each other) merge into one experience."""

    start: date
    end: date
    placement_ids: list[int] = field(default_factory=list)
    visit_ids: list[int] = field(default_factory=list)
    meaningful_placement_ids: list[int] = field(default_factory=list)
    meaningful_visit_ids: list[int] = field(default_factory=list)

    @property
    def meaningful(self) -> bool:
        return bool(self.meaningful_placement_ids or self.meaningful_visit_ids)

    def days(self, holidays: HolidayRanges = ()) -> int:
        if not self.placement_ids:
            return 1  # a one-off encounter is one day, whatever day it fell on
        return max(1, school_day_count(self.start, self.end, holidays))


def workplace_experiences(placements: Iterable[PlacementSpan],
                          visits: Iterable[WorkplaceVisit]) -> list[Experience]:
    """One pupil's experiences of workplaces, in date order, never counting a day twice.

    Placements whose dates overlap are one experience; a one-off encounter on a day inside a
    placement joins it; one-off encounters on the same day are one experience.
    """
    items = sorted([(p.start, p.end, "p", p) for p in placements]
                   + [(v.day, v.day, "v", v) for v in visits],
                   key=lambda item: (item[0], item[2], item[1], item[3].id))
    merged: list[Experience] = []
    for start, end, kind, item in items:
        current = merged[-1] if merged else None
        if current is None or start > current.end:
            current = Experience(start, end)
            merged.append(current)
        current.end = max(current.end, end)
        if kind == "p":
            current.placement_ids.append(item.id)
            if item.meaningful:
                current.meaningful_placement_ids.append(item.id)
        else:
            current.visit_ids.append(item.id)
            if item.meaningful:
                current.meaningful_visit_ids.append(item.id)
    return merged


def meaningful_experience_count(placements: Iterable[PlacementSpan],
                                visits: Iterable[WorkplaceVisit]) -> int:
    """How many meaningful experiences of workplaces these make (the BM6 figure)."""
    return sum(1 for e in workplace_experiences(placements, visits) if e.meaningful)


def placements_to_count(experiences: Iterable[Experience]) -> set[int]:
    """Which placements' own records should count towards Benchmark 6, so that each
    meaningful experience is counted exactly once by a rule that counts records.

    An experience that already holds a meaningful one-off encounter is counted by that
    encounter; otherwise by its first meaningful placement.
    """
    counted: set[int] = set()
    for experience in experiences:
        if experience.meaningful_visit_ids or not experience.meaningful_placement_ids:
            continue
        counted.add(experience.meaningful_placement_ids[0])
    return counted

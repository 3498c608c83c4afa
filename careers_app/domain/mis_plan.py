"""What an MIS import would change: new pupils, updates, leavers, and the dates on roll.

Pure functions. The rows come checked from `mis_import.check_rows`; the pupils held are
plain dicts. A pupil is on roll on day d when admission <= d <= leaving date (the MIS's
leaving date is the last day on roll).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .academic import academic_year_bounds, academic_year_of
from .dates import format_date
from .parsing import date_problem
from .pupil_flags import send_label

# Planning: what an import would change --------------------------------------------------

# Above this share of the roll, marking pupils as leavers needs a second confirmation.
LARGE_LEAVER_SHARE = 0.10


@dataclass
class PupilChange:
    upn: str
    pupil_id: int | None
    values: dict[str, Any]
    changed: tuple[str, ...] = ()  # field names that differ (empty for a new pupil)
    before: dict[str, Any] = field(default_factory=dict)  # the held values of `changed`


@dataclass
class ImportPlan:
    new: list[PupilChange] = field(default_factory=list)
    updated: list[PupilChange] = field(default_factory=list)
    unchanged: int = 0
    unchanged_ids: list[int] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)  # probable leavers
    roll: int = 0  # pupils on roll on the import day, before the import
    first_import: bool = False  # the school holds no pupils yet: nobody "joins" today
    joined_from: date | None = None  # new pupils without an admission date are on roll from

    @property
    def leaver_share(self) -> float:
        """The share of the roll that would become leavers if the missing are marked."""
        return len(self.missing) / self.roll if self.roll else 0.0

    @property
    def needs_large_confirmation(self) -> bool:
        return self.leaver_share > LARGE_LEAVER_SHARE


# Columns compared with the stored pupil (joined_on and left_on only when the file has them).
COMPARED = ("legal_forename", "preferred_forename", "surname", "cohort", "tutor_group",
            "send_status", "disadvantaged", "looked_after", "joined_on")


def suggest_leaving_date(today: date) -> date:
    """The last day on roll to suggest for pupils missing from an import: 31 August (the end
    of the previous academic year) for an import in September, yesterday otherwise."""
    if today.month == 9:
        return date(today.year, 8, 31)
    return today - timedelta(days=1)


def first_import_start(today: date) -> date:
    """Where a first import puts pupils on roll by default: the start of the academic year."""
    return academic_year_bounds(academic_year_of(today))[0]


def leaving_date_problem(day: date | None, today: date) -> str | None:
    if day is None:
        return "Enter the last day the missing pupils were on roll."
    if day > today:
        return "The last day on roll cannot be after today."
    return date_problem(day)


def on_roll_from_problem(day: date | None, today: date) -> str | None:
    if day is None:
        return "Enter the date the pupils were on roll from."
    if day > today:
        return "The date the pupils were on roll from cannot be after today."
    return date_problem(day)


def is_on_roll(joined_on: date | None, left_on: date | None, day: date) -> bool:
    """On roll on `day`: admission <= day <= leaving (the leaving date is the last day)."""
    return (joined_on is None or joined_on <= day) and (left_on is None or left_on >= day)


def _compare(values: dict[str, Any], pupil: dict[str, Any], today: date) -> tuple[str, ...]:
    changed = tuple(name for name in COMPARED if name in values and values[name] != pupil[name]
                    and not (name == "joined_on" and values[name] is None))
    if "left_on" in values:  # the file says when (or whether) the pupil leaves
        if values["left_on"] != pupil["left_on"]:
            changed += ("left_on",)
    elif pupil["left_on"] is not None and pupil["left_on"] < today:
        values["left_on"] = None  # a leaver in the file is back on roll
        changed += ("left_on",)
    return changed


def plan_import(rows: dict[str, dict[str, Any]], existing: list[dict[str, Any]],
                today: date, on_roll_from: date | None = None) -> ImportPlan:
    """Compare checked rows with the pupils held (dicts with id, upn, left_on and COMPARED).

    New: a UPN not held. They are on roll from the file's admission date; without one, from
    `today` (they joined), except in a first import (no pupils held), where they are on roll
    from `on_roll_from` (default: the start of the academic year), so back-filled encounters
    count. Updated: any present field differs, or a leaver is back on roll. Missing: on roll
    today and not in the file.
    """
    plan = ImportPlan(first_import=not existing)
    plan.joined_from = (on_roll_from or first_import_start(today)) if plan.first_import else today
    held = {pupil["upn"]: pupil for pupil in existing}
    for upn, values in rows.items():
        pupil = held.get(upn)
        if pupil is None:
            values = {**values, "joined_on": values.get("joined_on") or plan.joined_from}
            plan.new.append(PupilChange(upn, None, values))
            continue
        values = dict(values)
        changed = _compare(values, pupil, today)
        if changed:
            before = {name: pupil[name] for name in changed}
            plan.updated.append(PupilChange(upn, pupil["id"], values, changed, before))
        else:
            plan.unchanged += 1
            plan.unchanged_ids.append(pupil["id"])
    for pupil in existing:
        on_roll = is_on_roll(pupil.get("joined_on"), pupil["left_on"], today)
        plan.roll += on_roll
        if pupil["upn"] not in rows and (pupil["left_on"] is None or pupil["left_on"] >= today):
            plan.missing.append(pupil)
    plan.missing.sort(key=lambda p: (p["surname"].lower(), p["legal_forename"].lower()))
    return plan


CHANGE_LABELS = {"legal_forename": "legal forename", "preferred_forename": "preferred forename",
                 "surname": "surname", "cohort": "year group", "tutor_group": "tutor group",
                 "send_status": "SEND", "disadvantaged": "disadvantaged",
                 "looked_after": "looked after", "left_on": "last day on roll",
                 "joined_on": "admission date"}


def _shown(name: str, value: Any, academic_year: int) -> str:
    if name == "cohort" and isinstance(value, int):
        return f"Year {7 + academic_year - value}"
    if name == "send_status":
        return send_label(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return format_date(value)
    if value is None or value == "":
        return "(blank)"
    return str(value)


def describe_change(change: PupilChange, academic_year: int) -> list[tuple[str, str, str]]:
    """(what, old, new) for each field an update changes, in words for the preview."""
    lines = []
    for name in change.changed:
        if name == "left_on" and change.values.get("left_on") is None:
            left = change.before.get("left_on")
            lines.append(("on roll", f"Left {format_date(left)}" if left else "Left",
                          "back on roll"))
            continue
        lines.append((CHANGE_LABELS.get(name, name.replace("_", " ")),
                      _shown(name, change.before.get(name), academic_year),
                      _shown(name, change.values.get(name), academic_year)))
    return lines

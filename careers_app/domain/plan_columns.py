"""The columns of a plan table: the fields a column can hold, the headings schools give
them, and the mapping from columns to fields that the import preview lets people change.
Pure functions."""
from __future__ import annotations

import re

from .plan_cells import cell_items
from .plan_table import SourceTable

# The fields a column can hold, in the order the mapping screen offers them.
FIELDS: dict[str, str] = {
    "benchmark": "Gatsby Benchmark (a row without a number continues the one above)",
    "aim": "Aim (or a benchmark)",
    "section": "Section or theme",
    "current_provision": "Current provision",
    "actions": "Actions",
    "lead": "Lead",
    "resources": "Resources",
    "cost": "Cost (£)",
    "milestone_date": "Milestone dates or deadlines",
    "milestone": "Milestones (each may start with its date)",
    "success": "Success criteria",
    "outcomes": "Outcomes and impact",
}
ALIASES: dict[str, set[str]] = {
    "benchmark": {"benchmark", "gatsbybenchmark", "gatsbybenchmarks", "benchmarks", "bm"},
    "aim": {"aimbenchmark", "aim", "aims", "aimorbenchmark", "objective", "objectives",
            "priority", "priorities", "target", "targets"},
    "section": {"section", "theme", "strand", "area", "priorityarea", "dividend"},
    "current_provision": {"currentprovision", "currentposition", "currentpractice",
                          "wherearewenow", "baseline", "evidence"},
    "lead": {"lead", "leads", "who", "owner", "responsible", "personresponsible",
             "responsibility", "staff", "bywhom"},
    "actions": {"actions", "keyactions", "action", "tasks", "whatwewilldo", "activities"},
    "resources": {"resources", "resource", "resourcescost", "resourcesandcost",
                  "resourcesandcosts"},
    "milestone_date": {"milestonedate", "milestonedates", "deadline", "deadlines", "date",
                       "dates", "bywhen", "when", "timescale", "timescales", "timeline"},
    "milestone": {"milestone", "milestones"},
    "success": {"successcriteria", "success", "successmeasures", "measuresofsuccess"},
    "outcomes": {"outcomes", "outcomesimpact", "impact", "outcome", "impactoutcomes"},
    "cost": {"cost", "costgbp", "costs", "budget", "cost£"},
}


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9£]", "", re.sub(r"<[^>]*>", "", header).lower())


def is_header_row(cells: list[str]) -> bool:
    """A row in which every filled cell names a known column (a table's heading row)."""
    keys = [header_key(cell) for cell in cells if cell.strip()]
    known = set().union(*ALIASES.values())
    return len(keys) >= 2 and all(key in known for key in keys)


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Field -> column index from the headings; the first column that matches a field wins."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        for name, aliases in ALIASES.items():
            if key in aliases and name not in mapping:
                mapping[name] = index
                break
    return mapping


def mapping_from_choices(choices: list[str]) -> tuple[dict[str, int], list[str]]:
    """The mapping from one choice per column ("" = ignore), and what is wrong with it."""
    mapping: dict[str, int] = {}
    problems = []
    for index, name in enumerate(choices):
        if not name:
            continue
        if name not in FIELDS:
            problems.append("The column choice is not valid: choose again.")
        elif name in mapping:
            problems.append(f"Two columns are marked as “{FIELDS[name]}”: choose one.")
        else:
            mapping[name] = index
    return mapping, problems


def mapping_problems(mapping: dict[str, int], column_count: int) -> list[str]:
    """What stops a mapping from being used."""
    problems = []
    if any(name not in FIELDS or not 0 <= index < column_count
           for name, index in mapping.items()):
        problems.append("The column choice is not valid: choose again.")
    if "aim" not in mapping and "benchmark" not in mapping:
        problems.append("Choose the column that holds the aim or the Gatsby Benchmark "
                        "(there is no “Aim/Benchmark” column).")
    return problems


def column_samples(table: SourceTable, limit: int = 3, width: int = 60) -> list[list[str]]:
    """A few example values of each column, for the mapping screen."""
    samples: list[list[str]] = [[] for _ in table.headers]
    for row in table.rows[:60]:
        for index, cell in enumerate(row.cells):
            items = cell_items(cell)
            value = items[0] if items else ""
            if len(value) > width:
                value = value[:width - 1].rstrip() + "…"
            if value and value not in samples[index] and len(samples[index]) < limit:
                samples[index].append(value)
    return samples

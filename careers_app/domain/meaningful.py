"""Whether the quick log starts with "meaningful" ticked, per kind of encounter.

The 2025 Gatsby Benchmarks count only *meaningful* encounters: a clear purpose shared with
the employer and the pupils, learning outcomes, two-way interaction, and the pupils'
reflection. A form that ticks it for everything over-claims, so each school chooses, per kind,
what its quick log starts with. Stored in School.settings under one key; no Flask here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from .benchmarks import EncounterKind

SETTINGS_KEY = "meaningful_defaults"
# The hint beside the checkbox: the 2025 meaning, in the words staff will check against.
MEANING_2025 = ("Tick only if it had all four: a clear purpose shared with the pupils and the "
                "employer or provider, learning outcomes, two-way interaction, and the pupils' "
                "reflection afterwards.")
# Until a careers leader says otherwise, only kinds that are built around a planned,
# two-way exchange start ticked; talks, fairs and assemblies must be ticked by hand.
BUILT_IN: dict[str, bool] = {kind.value: False for kind in EncounterKind} | {
    EncounterKind.EMPLOYER_MENTORING.value: True,
    EncounterKind.WORK_EXPERIENCE.value: True,
    EncounterKind.GUIDANCE_INTERVIEW.value: True,
}


def defaults_from(raw: Mapping | None) -> dict[str, bool]:
    """Kind -> starts ticked, read from School.settings; anything missing is the built-in."""
    stored = (raw or {}).get(SETTINGS_KEY)
    stored = stored if isinstance(stored, Mapping) else {}
    return {kind: stored[kind] if isinstance(stored.get(kind), bool) else default
            for kind, default in BUILT_IN.items()}


def defaults_to(ticked_kinds: Iterable[str], raw: Mapping | None = None) -> dict:
    """A new School.settings dict where exactly `ticked_kinds` start ticked; other keys kept."""
    ticked = {str(kind) for kind in ticked_kinds}
    unknown = ticked - BUILT_IN.keys()
    if unknown:
        raise ValueError(f"Unknown kind of encounter: {sorted(unknown)[0]}")
    result = dict(raw or {})
    result[SETTINGS_KEY] = {kind: kind in ticked for kind in BUILT_IN}
    return result

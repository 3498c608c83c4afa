"""Benchmark figures that are ready before anyone asks (issue 14).

The design
----------
A report's expensive part is the per-pupil progress: for every pupil on roll, the count each
rule reads, aggregated over up to seven years of participations. Everything a page shows
(the dashboard matrix, the filtered figures, a drill-down's gap list, the PAL report, the
CSVs) is cheap Python over that list. So the list is cached, per worker process, keyed by
school, academic year, as-at day, rule settings and rules, and tagged with the school's data
version.

The version lives in the database (models.figures, migration 0022) and is raised by triggers
in the same transaction as any write that can change a figure, from any code path. Every
page view reads it (one indexed primary-key lookup), so a cache is never trusted beyond what
the database says: two gunicorn workers, or two app hosts on one PostgreSQL, cannot disagree,
and nothing needs to be told to invalidate.

When the version has moved on, the triggers' change log names the pupils the writes touched.
Only those pupils are recomputed (the same aggregate, restricted to their ids: a few
milliseconds), the per-year-group counts are re-read (one small query), and the entry moves
to the new version. A change that touches everyone (a rule setting, an organisation's kind),
a log pruned past the entry, a version that went backwards (a restored backup) or a
different epoch (a school made again under the same id) recomputes the whole list.

Entries are never changed in place once handed out: a refresh builds new objects.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import and_, case, insert, null, select, update
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models.figures import FigureChange, FigureVersion

# Above this share of the roll touched, one full aggregate beats many small ones.
PARTIAL_LIMIT = 0.25


@dataclass(frozen=True)
class Stamp:
    """Where a school's data stood: compared whole, so a different epoch never matches."""

    epoch: int
    version: int
    pruned_to: int


@dataclass
class _Entry:
    stamp: Stamp
    value: Sequence


# school ids -> {school id: value}: the whole value for each, in one read for all.
FullMany = Callable[[list[int]], dict[int, Sequence]]
# {school id: ids of the pupils whose figures may have changed}, {school id: its entry's
# value} -> {school id: the new value}, in one read for all.
PartialMany = Callable[[dict[int, list[int]], dict[int, Sequence]], dict[int, Sequence]]


NEVER = 2 ** 62  # "since" for a school with no entry: no change rows wanted


def read_stamps(since: dict[int, int | None]) -> dict[int, tuple[Stamp, list[int | None]]]:
    """Each school's stamp and the pupils named by its versions after `since[school]` (None:
    every pupil; no entry: none wanted). One statement for any number of schools, so a
    refresh costs no more statements than a first read."""
    change = aliased(FigureChange)
    after = case({school: version if version is not None else NEVER
                  for school, version in since.items()},
                 value=FigureVersion.school_id, else_=NEVER)
    rows = db.session.execute(
        select(FigureVersion.school_id, FigureVersion.epoch, FigureVersion.version,
               FigureVersion.pruned_to, change.id.is_not(None).label("changed"),
               change.pupil_id)
        .outerjoin(change, and_(change.school_id == FigureVersion.school_id,
                                change.version > after))
        .where(FigureVersion.school_id.in_(list(since)))).all()
    found: dict[int, tuple[Stamp, set]] = {}
    for row in rows:
        stamp, changed = found.setdefault(
            row.school_id, (Stamp(row.epoch, row.version, row.pruned_to), set()))
        if row.changed:
            changed.add(row.pupil_id)
    return {school: (stamp, list(changed)) for school, (stamp, changed) in found.items()}


class FigureCache:
    """A small LRU of per-pupil progress lists, each valid for one data version."""

    def __init__(self, capacity: int = 48):
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.stats = {"hit": 0, "partial": 0, "full": 0}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, school_id: int, key: Hashable, full: Callable[[], Sequence],
            partial: Callable[[list[int], Sequence], Sequence],
            roll_size: Callable[[Sequence], int] = len) -> Sequence:
        """The value for `key`, brought up to the school's current data version."""
        return self.get_many(
            [school_id], lambda _school: key, lambda _ids: {school_id: full()},
            lambda changed, old: {school_id: partial(changed[school_id], old[school_id])},
            roll_size)[school_id]

    def get_many(self, school_ids: Sequence[int], key_of: Callable[[int], Hashable],
                 full: FullMany, partial: PartialMany,
                 roll_size: Callable[[Sequence], int] = len) -> dict[int, Sequence]:
        """Each school's value, brought up to its current data version: one statement reads
        every stamp, then at most one full read and one partial read serve all the schools
        that need them (never a read per school)."""
        keys = {school: (school, key_of(school)) for school in school_ids}
        with self._lock:
            entries = {school: self._entries.get(k) for school, k in keys.items()}
        stamps = read_stamps({school: e.stamp.version if e else None
                              for school, e in entries.items()})
        values, whole, some = {}, [], {}
        for school in school_ids:
            entry, (stamp, changed) = entries[school], stamps.get(school, (None, []))
            if stamp is None or self._needs_full(entry, stamp, changed, roll_size):
                whole.append(school)
            elif entry.stamp == stamp:
                self.stats["hit"] += 1
                values[school] = entry.value
            else:
                some[school] = sorted(changed)
        self.stats["full"] += len(whole)
        self.stats["partial"] += len(some)
        if whole:
            values.update(full(whole))
        if some:
            values.update(partial(some, {school: entries[school].value for school in some}))
        with self._lock:
            for school in [*whole, *some]:
                if school in stamps:
                    self._entries[keys[school]] = _Entry(stamps[school][0], values[school])
                    self._entries.move_to_end(keys[school])
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return values

    @staticmethod
    def _needs_full(entry, stamp, changed, roll_size) -> bool:
        old = entry.stamp if entry is not None else None
        if (old is None or old.epoch != stamp.epoch or old.version > stamp.version
                or old.version < stamp.pruned_to):
            return True
        if old == stamp:
            return False
        return None in changed or len(changed) > PARTIAL_LIMIT * max(roll_size(entry.value), 1)


figure_cache = FigureCache()


@contextmanager
def untracked_bulk_load(school_id: int) -> Iterator[None]:
    """Inside a write transaction: bulk-load a school without the per-row change log, then
    raise its version once for "every pupil", so any cache of it starts again."""
    db.session.execute(update(FigureVersion).where(FigureVersion.school_id == school_id)
                       .values(paused=True))
    yield
    db.session.execute(update(FigureVersion).where(FigureVersion.school_id == school_id)
                       .values(paused=False, version=FigureVersion.version + 1))
    db.session.execute(insert(FigureChange).from_select(
        ["school_id", "version", "pupil_id"],
        select(FigureVersion.school_id, FigureVersion.version, null())
        .where(FigureVersion.school_id == school_id)))

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

from sqlalchemy import insert, null, select, update

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


Full = Callable[[], Sequence]
# (ids of the pupils whose figures may have changed, the entry's value) -> the new value.
Partial = Callable[[list[int], Sequence], Sequence]


def read_stamp(school_id: int) -> Stamp | None:
    row = db.session.execute(
        select(FigureVersion.epoch, FigureVersion.version, FigureVersion.pruned_to)
        .where(FigureVersion.school_id == school_id)).first()
    return Stamp(*row) if row else None


def changed_pupils(school_id: int, since: int) -> list[int | None]:
    """Pupils named by the versions after `since` (None: every pupil)."""
    return list(db.session.scalars(
        select(FigureChange.pupil_id).where(FigureChange.school_id == school_id,
                                            FigureChange.version > since).distinct()))


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

    def get(self, school_id: int, key: Hashable, full: Full, partial: Partial,
            roll_size: Callable[[Sequence], int] = len) -> Sequence:
        """The value for `key`, brought up to the school's current data version."""
        stamp = read_stamp(school_id)
        if stamp is None:  # no version row (a school made outside the migrations): no cache
            return full()
        key = (school_id, key)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None and entry.stamp == stamp:
            self.stats["hit"] += 1
            return entry.value
        value = self._refresh(school_id, entry, stamp, full, partial, roll_size)
        with self._lock:
            self._entries[key] = _Entry(stamp, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return value

    def _refresh(self, school_id, entry, stamp, full, partial, roll_size) -> Sequence:
        old = entry.stamp if entry is not None else None
        if (old is None or old.epoch != stamp.epoch or old.version > stamp.version
                or old.version < stamp.pruned_to):
            self.stats["full"] += 1
            return full()
        changed = changed_pupils(school_id, old.version)
        if None in changed or len(changed) > PARTIAL_LIMIT * max(roll_size(entry.value), 1):
            self.stats["full"] += 1
            return full()
        self.stats["partial"] += 1
        return partial(sorted(changed), entry.value)


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

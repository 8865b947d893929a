"""A per-process cache of what the rankings compute, exactly as fresh as the data.

Keys start with the phase id and its campaign's ranking version (``core.versions``), which every
audited change of the campaign bumps in its own transaction; the rest of the key is whatever else
the value depends on (scope, mode, k, the judged phase, the analysis's N). A reader reads the
version before the data, so a value is only ever stored under a version at most as new as the data
it was computed from, and a committed change is seen at once by every process, whose next read
gets the new version and misses.

A transaction that has written anything (an ORM flush, or an INSERT/UPDATE/DELETE through the
session) neither reads nor fills the cache: it may rank its own uncommitted changes, which must
never be served to anyone else, and a test or a script may write without the services' audit.

Bounded: the least recently used values go first (``MAX_ENTRIES``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

MAX_ENTRIES = 64
ENABLED = True  # the test suite turns it off where tests write around the services
_WROTE = "kaizen.ranking_cache.wrote"


class LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        value = self._data.get(key)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._data.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


CACHE = LRU(MAX_ENTRIES)


def usable(session: AsyncSession) -> bool:
    """False inside a transaction that has written anything (see the module's docstring)."""
    if not ENABLED:
        return False
    sync = session.sync_session
    marked = sync.info.get(_WROTE)
    return marked is None or marked is not sync.get_transaction()


def get(session: AsyncSession, key: Hashable) -> Any | None:
    return CACHE.get(key) if usable(session) else None


def put(session: AsyncSession, key: Hashable, value: Any) -> None:
    if usable(session):
        CACHE.put(key, value)


def _mark(session: Session) -> None:
    session.info[_WROTE] = session.get_transaction()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    _mark(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _mark(state.session)

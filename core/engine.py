"""The database engine, shared by the app, the CLI, the worker, the migrations and the tests.

SQLite: connections are kept in a pool (the pragmas run once per connection, not per session).
A transaction begins ``BEGIN IMMEDIATE`` (it takes the write lock at once, so a read-then-write
transaction queues behind other writers instead of failing with "database is locked") unless its
connection carries the ``WRITES`` execution option set to False: then a plain deferred ``BEGIN``,
which in WAL mode reads beside a writer without waiting. The web app gives requests with a safe
method (GET, HEAD, OPTIONS) such a reading session (``web.database``); every other request, the
CLI, the scheduler and the worker write with ``BEGIN IMMEDIATE``. PostgreSQL ignores the option.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

log = logging.getLogger("kaizen.db")
# execution option of a connection: False = its SQLite transactions begin deferred (reads only)
WRITES = "kaizen_writes"
BUSY_TIMEOUT_SECONDS = 15  # how long a SQLite writer waits for the write lock
# database connections per process: kept, opened beyond those when busy, seconds to wait for one
DATABASE_POOL_SIZE = 10
DATABASE_POOL_MAX_OVERFLOW = 10
DATABASE_POOL_TIMEOUT = 5.0


@dataclass(frozen=True)
class PoolLimits:
    """Database connections one process keeps (``size``), may open beyond them when busy
    (``max_overflow``), and how long a request waits for one (``timeout``) before it is answered
    503, rather than hanging."""

    size: int = DATABASE_POOL_SIZE
    max_overflow: int = DATABASE_POOL_MAX_OVERFLOW
    timeout: float = DATABASE_POOL_TIMEOUT

    def arguments(self) -> dict[str, int | float]:
        return {"pool_size": self.size, "max_overflow": self.max_overflow, "pool_timeout": self.timeout}


def configure_sqlite(engine: Engine, *, immediate: bool = True) -> None:
    """WAL, foreign keys and a busy timeout on each new connection; each transaction begins
    IMMEDIATE (writers queue instead of failing) or, for a connection whose ``WRITES`` option is
    False (or, with ``immediate=False``, by default), deferred."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; fsync at checkpoints, not per commit
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    writers = _WriterQueue()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(WRITES, immediate):
            connection.exec_driver_sql("BEGIN")
            return
        writers.enter(connection.info)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writers.leave(connection.info)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        writers.leave(connection.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        writers.leave(record.info)  # a connection returned in a transaction (rolled back on its way)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # only where a reading transaction was asked for (an engine made with immediate=False is the caller's business)
        if statement[:6].upper() in _WRITING and connection.get_execution_options().get(WRITES) is False:
            _write_in_read(statement)


class _WriterQueue:
    """The writers of one process take SQLite's write lock in the order they asked for it.

    SQLite lets a writer that waits for the lock poll (sleeping up to 100 ms between tries), so
    under contention a newcomer often overtakes writers that waited longer: 16 concurrent saves
    saw a p99 of seconds with a mean of a fraction of one. Here an IMMEDIATE transaction first
    waits its turn on an asyncio lock (FIFO), released when it commits or rolls back; SQLite's busy
    timeout still arbitrates between processes. After ``BUSY_TIMEOUT`` seconds in the queue (a task
    holding one writing transaction and opening another, say) it goes ahead without its turn.
    """

    KEY = "kaizen_writer_turn"

    def __init__(self) -> None:
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    def enter(self, info: dict[str, Any]) -> None:
        if not in_greenlet():
            return  # a synchronous engine: SQLite's busy timeout alone
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            self._locks = {known: lock for known, lock in self._locks.items() if not known.is_closed()}
            lock = self._locks[loop] = asyncio.Lock()
        try:
            await_only(asyncio.wait_for(lock.acquire(), BUSY_TIMEOUT_SECONDS))
        except TimeoutError:
            return
        info[self.KEY] = lock

    def leave(self, info: dict[str, Any]) -> None:
        lock: asyncio.Lock | None = info.pop(self.KEY, None)
        if lock is not None and lock.locked():
            lock.release()


_WRITING = frozenset({"INSERT", "UPDATE", "DELETE", "REPLAC"})
# the test suite sets it: a write in a reading transaction fails the test instead of being logged
STRICT_READS = False


def _write_in_read(statement: str) -> None:
    """A write in a deferred transaction upgrades a read lock, which fails at once ("database is
    locked", the busy timeout notwithstanding) when another connection wrote meanwhile; such a
    write belongs in a transaction begun with ``begin_writing`` (or a request with an unsafe method)."""
    message = "a write in a reading (deferred) SQLite transaction: %s"
    if STRICT_READS:
        raise RuntimeError(message % statement[:200])
    log.warning(message, statement[:200])


def make_engine(url: str, *, immediate: bool = True, pool: PoolLimits | None = None, **kwargs: Any) -> AsyncEngine:
    """A pooled engine; ``immediate=False`` (tests' arranging session, bench readers): SQLite
    transactions begin deferred unless a connection asks to write."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        memory = not path or path == ":memory:" or "mode=memory" in url
        if not memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs = (pool or PoolLimits()).arguments() | kwargs
        engine = create_async_engine(url, **kwargs)
        configure_sqlite(engine.sync_engine, immediate=immediate)
        return engine
    if "poolclass" not in kwargs:
        kwargs = (pool or PoolLimits()).arguments() | kwargs
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def reading(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, whose SQLite transactions begin deferred: for sessions that only read."""
    return engine.execution_options(**{WRITES: False})

"""Engine set-up shared by the app, the CLI and the migrations, and the request's one database session.

SQLite: connections are kept in a pool (the pragmas run once per connection, not per session).
A transaction begins ``BEGIN IMMEDIATE`` (it takes the write lock at once, so a read-then-write
transaction queues behind other writers instead of failing with "database is locked") unless its
connection carries the ``WRITES`` execution option set to False: then a plain deferred ``BEGIN``,
which in WAL mode reads beside a writer without waiting. Requests with a safe method (GET, HEAD,
OPTIONS) get such a reading session; every other request, the CLI, the scheduler and the worker
write with ``BEGIN IMMEDIATE``. PostgreSQL ignores the option.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar._utils import get_aa_scope_state, set_aa_scope_state
from advanced_alchemy.extensions.litestar.plugins.init.config.asyncio import autocommit_handler_maker
from advanced_alchemy.extensions.litestar.plugins.init.config.common import SESSION_SCOPE_KEY
from litestar import Response
from litestar.types import Message, Scope
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from web.settings import PoolLimits

log = logging.getLogger("kaizen.db")
# execution option of a connection: False = its SQLite transactions begin deferred (reads only)
WRITES = "kaizen_writes"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_SECONDS = 15  # how long a SQLite writer waits for the write lock


def import_all_models() -> None:
    """Registers every table on the shared metadata (for Alembic and create_all)."""
    import accounts.models  # noqa: F401
    import campaigns.models  # noqa: F401
    import core.audit
    import core.scheduling  # noqa: F401
    import incubation.models  # noqa: F401
    import judging.models  # noqa: F401
    import notifications.models  # noqa: F401
    import teams.models  # noqa: F401


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


# the request's session, for the after_request hook (which is given the response only)
_REQUEST_SESSION: ContextVar[AsyncSession | None] = ContextVar("kaizen_request_session", default=None)
_REFUSED = "kaizen_refused"  # in the session's info: roll back, whatever the answer's status


class RequestSessions:
    """One database session per request, shared by the sign-in lookup and the handler.

    ``open`` puts a session (no connection yet) where advanced-alchemy's ``db_session``
    dependency finds it, so the handler gets the same one; the plugin's before-send hook commits
    it (2xx, 3xx) or rolls it back and closes it; ``close`` closes it when no answer was sent.
    Its transactions begin deferred for a safe method (a GET takes no SQLite write lock), else
    IMMEDIATE. ``write`` starts a short writing transaction on it, for a GET that must record
    something (session activity), after ending the reading one.
    """

    def __init__(self, config: SQLAlchemyAsyncConfig, engine: AsyncEngine) -> None:
        self.key = config.session_scope_key
        self.maker: async_sessionmaker[AsyncSession] = config.create_session_maker()  # type: ignore[assignment]
        self.writing_engine = engine
        self.reading_engine = reading(engine)

    def open(self, scope: Scope) -> AsyncSession:
        session: AsyncSession | None = get_aa_scope_state(scope, self.key)
        if session is None:
            safe = scope.get("method", "GET") in SAFE_METHODS
            session = self.maker(bind=self.reading_engine if safe else self.writing_engine)
            set_aa_scope_state(scope, self.key, session)
            _REQUEST_SESSION.set(session)
        return session

    async def close(self, scope: Scope) -> None:
        _REQUEST_SESSION.set(None)
        session: AsyncSession | None = get_aa_scope_state(scope, self.key, pop=True)
        if session is not None:
            await session.close()


def refuse_changes() -> None:
    """Marks the request as refused: what its transaction wrote is rolled back, not committed,
    although the answer is a redirect or an htmx client redirect (one that says why in a flash
    message). A refusal that must keep something (a draft, a counted attempt) commits it first."""
    session = _REQUEST_SESSION.get()
    if session is not None:
        session.info[_REFUSED] = True


def commit_unless_refused(session_scope_key: str = SESSION_SCOPE_KEY) -> Callable[[Message, Scope], Awaitable[None]]:
    """The database plugin's before-send hook: commits the request's session on a success or a
    redirect (200-399), else rolls it back, then closes it; rolls it back whatever the status
    when the request was refused (``refuse_changes``: a refusal that an exception handler turned
    into a redirect, say, after the service had written)."""
    commit_or_roll_back = autocommit_handler_maker(commit_on_redirect=True, session_scope_key=session_scope_key)

    async def handler(message: Message, scope: Scope) -> None:
        session: AsyncSession | None = get_aa_scope_state(scope, session_scope_key)
        if session is not None and message["type"] == "http.response.start" and session.info.pop(_REFUSED, False):
            await session.rollback()
        await commit_or_roll_back(message, scope)

    return handler


async def commit_before_rendering(response: Any) -> Any:
    """``after_request`` hook: commits the request's session when the handler answered with a
    success or a redirect (as the before-send hook would, 200-399), before the response renders;
    rolls it back when the handler refused (``refuse_changes``), whatever the status.

    So a write transaction (SQLite's write lock, PostgreSQL's row locks) and the connection are
    not held while the template renders, which needs no database (Jinja renders synchronously,
    and relationships load eagerly or raise); and a commit that fails answers with an error rather
    than a success for what was not saved (the before-send hook's commit can only log it)."""
    session = _REQUEST_SESSION.get()
    if session is None or not isinstance(response, Response):
        return response
    if session.info.pop(_REFUSED, False):
        await session.rollback()
        return response
    if not session.in_transaction():
        return response
    if 200 <= (response.status_code or 200) < 400:
        await session.commit()
    return response


async def begin_writing(session: AsyncSession) -> None:
    """Ends the session's transaction (committing it) and starts one that may write: on SQLite
    ``BEGIN IMMEDIATE``, so it never has to upgrade a read lock."""
    await session.commit()
    await session.connection(execution_options={WRITES: True})


async def begin_reading(session: AsyncSession) -> None:
    """Starts the session's transaction as a read (deferred on SQLite), whatever its default."""
    if not session.in_transaction():
        await session.connection(execution_options={WRITES: False})

"""The request's one database session: read in a deferred transaction for a safe method, written
in an IMMEDIATE one otherwise (the engine and its SQLite rules are ``core.engine``'s), committed
before the page renders, rolled back when a refusal says so.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar._utils import get_aa_scope_state, set_aa_scope_state
from advanced_alchemy.extensions.litestar.plugins.init.config.asyncio import autocommit_handler_maker
from advanced_alchemy.extensions.litestar.plugins.init.config.common import SESSION_SCOPE_KEY
from litestar import Response
from litestar.types import Message, Scope
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.engine import WRITES, reading

log = logging.getLogger("kaizen.db")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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

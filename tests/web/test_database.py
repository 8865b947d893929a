"""The database layer under requests: one session (and connection) per request, reads beside a
writer on SQLite, IMMEDIATE transactions wherever something writes, session activity written at
most once a minute, concurrent saves all stored, and a 503 at once when no connection is free."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from advanced_alchemy.extensions.litestar._utils import set_aa_scope_state
from advanced_alchemy.extensions.litestar.plugins.init.config.common import SESSION_SCOPE_KEY
from litestar import Litestar
from litestar.response import Redirect
from litestar.testing import AsyncTestClient
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from accounts.models import AuthSession, Department
from core.clock import FrozenClock
from core.engine import PoolLimits, make_engine
from teams.models import EntryVersion
from tests.conftest import NOW, PASSWORD, Browser, QueryCounter
from tests.factories import make_campaign, make_team, make_user
from web import database
from web.app import create_app
from web.flash import see_other
from web.settings import Settings

WRITES = ("INSERT", "UPDATE", "DELETE")


def is_sqlite(app: Litestar) -> bool:
    return bool(app.state.settings.is_sqlite)


@dataclasses.dataclass
class Usage:
    """Pool checkouts and ORM sessions that began a transaction, while it listens."""

    checkouts: int = 0
    sessions: set[int] = dataclasses.field(default_factory=set)

    def reset(self) -> None:
        self.checkouts = 0
        self.sessions.clear()


@pytest.fixture
def usage(app: Litestar) -> Iterator[Usage]:
    found = Usage()

    def checkout(*_: Any) -> None:
        found.checkouts += 1

    def began(session: Session, *_: Any) -> None:
        found.sessions.add(id(session))

    engine = app.state.engine.sync_engine
    event.listen(engine, "checkout", checkout)
    event.listen(Session, "after_begin", began)
    yield found
    event.remove(engine, "checkout", checkout)
    event.remove(Session, "after_begin", began)


async def signed_in_member(db: AsyncSession, browser: Browser) -> tuple[int, int]:
    """A team captain, signed in: the team's id and its open submission phase's."""
    captain = await make_user(db, "cap@example.com")
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, captain)
    ids = team.id, scenario.submission.id
    await db.commit()
    await browser.sign_in("cap@example.com")
    return ids


async def test_a_page_uses_one_session_and_one_connection(db: AsyncSession, browser: Browser, usage: Usage) -> None:
    team_id, _ = await signed_in_member(db, browser)
    for path in ("/health", "/", f"/teams/{team_id}", f"/teams/{team_id}/entry"):
        usage.reset()
        response = await browser.get(path)
        assert response.status_code == 200, path
        # the sign-in lookup and the handler share the request's one session and connection
        assert (len(usage.sessions), usage.checkouts) == (1, 1), path


async def test_a_post_uses_one_session_and_does_not_hold_the_write_lock_while_reading_its_body(
    db: AsyncSession, browser: Browser, usage: Usage, queries: QueryCounter, app: Litestar
) -> None:
    team_id, phase_id = await signed_in_member(db, browser)
    queries.reset()
    usage.reset()
    saved = await browser.post(f"/teams/{team_id}/entry/save", {"phase_id": str(phase_id), "title": "T"}, htmx=True)
    assert saved.status_code == 200
    assert len(usage.sessions) == 1
    # the lookup reads (its transaction ends before the handler), the handler's transaction writes
    assert usage.checkouts == 2
    if is_sqlite(app):
        begins = [s for s in queries.statements if s.startswith("BEGIN")]
        assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


async def test_a_get_reads_only_and_writers_begin_immediate(
    db: AsyncSession, browser: Browser, queries: QueryCounter, app: Litestar, database_url: str
) -> None:
    if not is_sqlite(app):
        pytest.skip("BEGIN IMMEDIATE and deferred reads are SQLite's")
    team_id, _ = await signed_in_member(db, browser)
    queries.reset()
    assert (await browser.get(f"/teams/{team_id}/entry")).status_code == 200
    assert [s for s in queries.statements if s.startswith("BEGIN")] == ["BEGIN"]
    assert not [s for s in queries.statements if s.startswith(WRITES)]

    # the scheduler's and mail worker's sessions (app.state.session_maker) and the CLI's engine write
    queries.reset()
    async with app.state.session_maker() as session, session.begin():
        await session.execute(text("SELECT 1"))
    assert queries.statements[0] == "BEGIN IMMEDIATE"
    seen: list[str] = []
    cli = make_engine(database_url)
    event.listen(cli.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    async with cli.begin() as conn:
        await conn.execute(text("SELECT 1"))
    await cli.dispose()
    assert seen[0] == "BEGIN IMMEDIATE"


async def test_a_page_is_served_while_another_connection_holds_the_write_lock(
    db: AsyncSession, browser: Browser, app: Litestar, database_url: str
) -> None:
    if not is_sqlite(app):
        pytest.skip("SQLite's write lock")
    team_id, _ = await signed_in_member(db, browser)
    writer = make_engine(database_url)  # BEGIN IMMEDIATE: holds the write lock until it ends
    try:
        async with writer.connect() as conn:
            await conn.begin()
            await conn.execute(text("UPDATE team SET name = name WHERE id = :id"), {"id": team_id})
            for path in ("/health", "/", f"/teams/{team_id}/entry"):
                response = await browser.get(path)
                assert response.status_code == 200, path  # blocked, it would answer 503 after the busy timeout
            await conn.rollback()
    finally:
        await writer.dispose()


async def test_session_activity_is_written_at_most_once_a_minute(
    db: AsyncSession, browser: Browser, clock: FrozenClock, queries: QueryCounter
) -> None:
    team_id, _ = await signed_in_member(db, browser)

    async def last_seen() -> Any:
        value = await db.scalar(select(AuthSession.last_seen_at).execution_options(populate_existing=True))
        await db.commit()
        return value

    assert await last_seen() == NOW
    for seconds, expected, writes in [(30, NOW, 0), (61, NOW + timedelta(seconds=61), 1), (100, None, 0)]:
        clock.set(NOW + timedelta(seconds=seconds))
        queries.reset()
        assert (await browser.get("/")).status_code == 200
        assert len([s for s in queries.statements if s.startswith(WRITES)]) == writes, seconds
        assert await last_seen() == (expected or NOW + timedelta(seconds=61))
    # the bell's polling is no activity
    clock.set(NOW + timedelta(minutes=10))
    assert (await browser.get("/notifications/bell")).status_code == 200
    assert await last_seen() == NOW + timedelta(seconds=61)
    # an idle session ends (and is deleted) on its next request
    clock.set(NOW + timedelta(seconds=61) + timedelta(hours=8))
    refused = await browser.get(f"/teams/{team_id}/entry", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/sign-in")
    assert await last_seen() is None


async def test_sixteen_concurrent_saves_are_all_stored(db: AsyncSession, app: Litestar, client: Any) -> None:
    scenario = await make_campaign(db)
    captains = [await make_user(db, f"captain{n}@example.com") for n in range(16)]
    teams = [await make_team(db, scenario, c, name=f"Team {n}") for n, c in enumerate(captains)]
    phase_id = scenario.submission.id
    await db.commit()
    # 16 browsers, each with its own cookies (the client fixture runs the app's lifespan)
    asgi: Any = app
    browsers = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://t.local") for _ in range(16)
    ]
    try:
        for n, b in enumerate(browsers):
            await b.get("/sign-in")
            signed = await b.post(
                "/sign-in",
                data={"email": f"captain{n}@example.com", "password": PASSWORD},
                headers={"x-csrftoken": b.cookies["kaizen_csrf"]},
            )
            assert signed.status_code == 303

        async def save(n: int) -> httpx.Response:
            b = browsers[n]
            data = {"phase_id": str(phase_id), "title": f"Idea {n}", "summary": f"concurrent-{n}"}
            headers = {"x-csrftoken": b.cookies["kaizen_csrf"], "hx-request": "true"}
            return await b.post(f"/teams/{teams[n].id}/entry/save", data=data, headers=headers)

        answers = await asyncio.gather(*(save(n) for n in range(16)))
    finally:
        for b in browsers:
            await b.aclose()
    assert [a.status_code for a in answers] == [200] * 16
    assert not [a for a in answers if "locked" in a.text]
    stored = set(await db.scalars(select(EntryVersion.summary)))
    await db.commit()
    assert stored == {f"concurrent-{n}" for n in range(16)}


@pytest.fixture
async def small_pool_app(settings: Settings, clock: FrozenClock) -> AsyncIterator[tuple[Litestar, Browser]]:
    tight = dataclasses.replace(settings, pool_limits=PoolLimits(size=1, max_overflow=0, timeout=0.2))
    app = create_app(tight, clock=clock)
    # the test client runs the app's lifespan; requests go through httpx in this test's event loop,
    # the loop the held connection below lives in (asyncpg's connections belong to one loop)
    asgi: Any = app
    async with (
        AsyncTestClient(app=app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://testserver.local") as c,
    ):
        yield app, Browser(c)  # type: ignore[arg-type]


async def test_no_free_connection_answers_503_at_once(
    db: AsyncSession, small_pool_app: tuple[Litestar, Browser]
) -> None:
    app, browser = small_pool_app
    await signed_in_member(db, browser)
    async with app.state.engine.connect() as held:  # the pool's only connection
        await held.execute(text("SELECT 1"))
        page = await browser.get("/")
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        assert "The site is busy right now. Please try again in a moment." in page.text
        data = await browser.get("/", headers={"accept": "application/json"})
        assert data.status_code == 503 and data.json()["status"] == 503
    assert (await browser.get("/")).status_code == 200  # and all is well once one is free


async def test_a_refusal_rolls_back_what_the_request_wrote(app: Litestar, db: AsyncSession) -> None:
    """A handler that answers a refusal with a redirect (see_other with an error) commits nothing,
    whatever the service wrote before it refused; a redirect without one commits as before."""
    sessions: Any = app.state.request_sessions
    for name, refused in (("Refused", True), ("Kept", False)):
        session = sessions.maker(bind=sessions.writing_engine)
        token = database._REQUEST_SESSION.set(session)
        try:
            session.add(Department(name=name))
            await session.flush()
            request: Any = dataclasses.make_dataclass("R", ["headers", "app", "cookies"])({}, app, {})
            response = see_other(request, "/", error="refused") if refused else Redirect("/", status_code=303)
            assert response.status_code in (200, 303)
            await database.commit_before_rendering(response)
        finally:
            database._REQUEST_SESSION.reset(token)
            await session.close()
    # refused in an exception handler (a DomainError turned into a redirect): the before-send hook
    for name, refused in (("Refused late", True), ("Kept late", False)):
        session = sessions.maker(bind=sessions.writing_engine)
        token = database._REQUEST_SESSION.set(session)
        scope: Any = {"state": {}}
        set_aa_scope_state(scope, SESSION_SCOPE_KEY, session)
        try:
            session.add(Department(name=name))
            await session.flush()
            if refused:
                database.refuse_changes()
            start: Any = {"type": "http.response.start", "status": 303}
            await database.commit_unless_refused()(start, scope)
        finally:
            database._REQUEST_SESSION.reset(token)
            await session.close()
    await app.state.engine.dispose()  # no client ran the app's lifespan, which would
    names = set((await db.scalars(select(Department.name))).all())
    assert names == {"Kept", "Kept late"}

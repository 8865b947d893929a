"""Fixtures: a migrated database per run (SQLite, or PostgreSQL via KAIZEN_TEST_DATABASE_URL),
emptied after each test, an app with a frozen clock, a client that speaks CSRF, and an
S3-compatible object store (moto's server, on a free local port) with a bucket per test."""

from __future__ import annotations

import dataclasses
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as settings_profiles
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import automation
import core.engine
from core.clock import FrozenClock
from core.db import metadata
from core.engine import make_engine
from core.scheduling import ScheduledAction, run_due
from schema import import_all_models
from teams.file_store import S3Location
from tests.object_store import S3Server, start_s3_server
from web import migrate
from web.app import create_app
from web.settings import Settings

import_all_models()
core.engine.STRICT_READS = True  # a write in a GET's reading transaction fails the test
# timings on a shared 2-core CI machine say nothing about correctness: no per-example deadline
settings_profiles.register_profile("kaizen", deadline=None)
settings_profiles.load_profile("kaizen")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("KAIZEN_TEST_DATABASE_URL")
    if not base:
        path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    # PostgreSQL: a database of our own, created and dropped here
    name = f"kaizen_test_{uuid.uuid4().hex[:10]}"
    admin_url = re.sub(r"/[^/]*$", "/postgres", base)
    yield from _postgres_database(admin_url, base, name)


def _postgres_database(admin_url: str, base: str, name: str) -> Iterator[str]:
    import asyncio

    async def admin(sql: str) -> None:
        engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", base)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", autouse=True)
def _event_subscribers() -> None:
    """Notifications and scheduled actions follow domain events in every test, as in the app."""
    automation.setup()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # the scheduler never runs by itself in tests: they apply due actions with the frozen clock;
    # uploaded files go to the test's own directory
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        scheduler_enabled=False,
        upload_dir=tmp_path / "uploads",
    )


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data; tables are emptied afterwards.

    Its SQLite transactions begin DEFERRED, so a read here does not hold the write lock that
    the app's next request needs; still commit after arranging."""
    engine = make_engine(database_url, immediate=False)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session:
        yield session
    async with engine.begin() as conn:
        tables = [t.name for t in reversed(metadata.sorted_tables)]
        if database_url.startswith("postgresql"):
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # SQLite cannot switch triggers off: the append-only audit table's are dropped for the
            # cleanup and created again, in the same transaction (TRUNCATE skips them on PostgreSQL)
            triggers = (await conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))).all()
            for name, _sql in triggers:
                await conn.execute(text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - names from our metadata
            for _name, sql in triggers:
                await conn.execute(text(sql))
    await engine.dispose()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """An S3-compatible server for the run (started on first use only)."""
    server = start_s3_server()
    yield server
    server.stop()


@pytest.fixture
def s3_location(s3_server: S3Server) -> S3Location:
    """A new, empty bucket of ``s3_server`` for this test, files kept under a prefix in it."""
    return s3_server.new_bucket(prefix="kaizen/files")


@pytest.fixture(params=["local", "s3"])
def storage_backend(request: pytest.FixtureRequest) -> S3Location | None:
    """Where the test's files are kept, once on the local disk (None) and once in a bucket: a
    fixture that takes it runs its tests against both."""
    if request.param == "local":
        return None
    location: S3Location = request.getfixturevalue("s3_location")
    return location


# one application per configuration for the whole run: building one registers every route (a
# fifth of a second or more each time, a fifth of the suite's time when every test built its own)
_APPS: dict[Settings, tuple[Litestar, dict[str, Any]]] = {}
_SHARED_UPLOADS = Path("/nonexistent/kaizen-test-uploads")


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> Litestar:
    """The application with this test's clock and settings in its state, where every request reads
    them. Where files are kept (the upload directory, the bucket) is read there alone, so apps
    differing only in it are one; any
    other difference in settings (fixed at creation: cookies, CSRF, pool, templates) builds its own."""
    key = dataclasses.replace(settings, upload_dir=_SHARED_UPLOADS, s3=None)
    if key not in _APPS:
        built = create_app(settings, clock=clock)
        _APPS[key] = (built, dict(built.state))
    shared, state = _APPS[key]
    shared.state.clear()
    shared.state.update({**state, "settings": settings, "clock": clock})
    return shared


class Browser:
    """The test client plus what a browser does for us: the CSRF header, following a form."""

    def __init__(self, client: AsyncTestClient[Litestar], csrf_cookie: str = "kaizen_csrf") -> None:
        self.client = client
        self.csrf_cookie = csrf_cookie  # __Host-kaizen_csrf in production

    def _csrf(self) -> dict[str, str]:
        token = self.client.cookies.get(self.csrf_cookie)
        return {"x-csrftoken": token} if token else {}

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.client.get(url, **kwargs)

    async def post(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        htmx: bool = False,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        if self.csrf_cookie not in self.client.cookies:
            await self.client.get("/sign-in")
        all_headers = {**self._csrf(), **(headers or {})}
        if htmx:
            all_headers["hx-request"] = "true"
        kwargs.setdefault("follow_redirects", False)
        return await self.client.post(url, data=data or {}, headers=all_headers, **kwargs)

    async def landing(self, response: Any) -> Any:
        """The page a redirect-after-post leads to, with its flash message (asserting that it is one)."""
        assert response.status_code == 303, (response.status_code, response.text[:500])
        return await self.client.get(response.headers["location"])

    async def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        response = await self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code in (302, 303), response.text
        return response

    async def sign_out(self) -> None:
        await self.post("/sign-out")


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
async def browser(client: AsyncTestClient[Litestar]) -> Browser:
    return Browser(client)


class QueryCounter:
    """Counts the SQL statements the app sends, to prove a page's queries do not grow with data."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.count += 1
        self.statements.append(str(args[2])[:200])

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


@pytest.fixture
def queries(app: Litestar) -> Iterator[QueryCounter]:
    from sqlalchemy import event

    counter = QueryCounter()
    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


Maker = Callable[[], AsyncSession]


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[Maker]:
    """Sessions as the scheduler gets them: the app's engine (BEGIN IMMEDIATE on SQLite)."""
    engine = make_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


class Sweeper:
    """Applies due actions the way a worker does, at the frozen clock's time."""

    def __init__(self, maker: Maker, clock: FrozenClock) -> None:
        self.maker = maker
        self.clock = clock

    async def at(self, when: datetime, worker: str = "test") -> list[ScheduledAction]:
        self.clock.set(when)
        return await run_due(self.maker, self.clock.now, worker)


@pytest.fixture
def sweeper(maker: Maker, clock: FrozenClock) -> Sweeper:
    return Sweeper(maker, clock)


@pytest.fixture(autouse=True)
def _ranking_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests arrange data with factories that bypass the services, and so the audit that bumps the
    ranking version: they run with the ranking cache off, except those marked ``ranking_cache``,
    which change data only through the services. Every test starts with an empty cache."""
    from judging import ranking_cache

    ranking_cache.CACHE.clear()
    enabled = ranking_cache.ENABLED
    ranking_cache.ENABLED = request.node.get_closest_marker("ranking_cache") is not None
    yield
    ranking_cache.ENABLED = enabled
    ranking_cache.CACHE.clear()

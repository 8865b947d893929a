"""Page speed against a bare Litestar page, in the same process and run.

Loads the demo into a fresh SQLite file (or KAIZEN_DATABASE_URL), signs in as demo users and
times N sequential requests per page in-process (ASGI, no network), printing the mean time
and its ratio to a bare `GET /` Litestar handler, and the number of SQL statements per page.

    .venv/bin/python bench/pages.py [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from typing import Any

from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy import event


@get("/", sync_to_thread=False)
def bare() -> str:
    return "ok"


async def timed(client: AsyncTestClient[Litestar], url: str, n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.mean(samples)


async def sign_in(client: AsyncTestClient[Litestar], email: str) -> None:
    await client.get("/sign-in")
    token = client.cookies.get("kaizen_csrf") or ""
    response = await client.post(
        "/sign-in",
        data={"email": email, "password": "kaizen-demo"},
        headers={"x-csrftoken": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


PAGES: list[tuple[str, str]] = [
    ("alice@example.com", "/"),
    ("alice@example.com", "/campaigns"),
    ("judge1@example.com", "/judging"),
    ("admin@example.com", "/admin/users"),
    # {campaign}: the demo's running campaign
    ("alice@example.com", "/campaigns/{campaign}"),
    ("organizer@example.com", "/campaigns/{campaign}/timeline"),
]


async def running_campaign(settings: Any) -> int:
    """The id of the demo campaign with the most phases (the running one)."""
    from sqlalchemy import func, select

    from campaigns.models import Phase
    from core.engine import make_engine

    engine = make_engine(settings.database_url)
    async with engine.connect() as conn:
        found = await conn.scalar(
            select(Phase.campaign_id).group_by(Phase.campaign_id).order_by(func.count().desc(), Phase.campaign_id)
        )
    await engine.dispose()
    return int(found or 0)


async def main(n: int) -> None:
    from web import migrate
    from web.app import create_app
    from web.cli import run_in_session
    from web.demo import load_demo
    from web.settings import Settings

    tmp = tempfile.mkdtemp()
    url = os.environ.get("KAIZEN_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
    await asyncio.to_thread(migrate.upgrade, url)
    settings = Settings(database_url=url, secret_key="bench-" + "x" * 40, scheduler_enabled=False)
    await asyncio.to_thread(run_in_session, settings, load_demo)

    async with AsyncTestClient(app=Litestar([bare])) as client:
        await timed(client, "/", 20)
        baseline = await timed(client, "/", n)
    print(f"bare Litestar page: {baseline * 1000:.2f} ms")
    app = create_app(settings)
    statements: list[Any] = []
    event.listen(app.state.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(1))
    campaign = await running_campaign(settings)
    print(f"{'page':<28} {'user':<22} {'ms':>8} {'× bare':>8} {'queries':>8}")
    for email, template in PAGES:
        page = template.format(campaign=campaign)
        async with AsyncTestClient(app=app) as client:
            await sign_in(client, email)
            await timed(client, page, 5)
            statements.clear()
            await client.get(page)
            count = len(statements)
            mean = await timed(client, page, n)
        print(f"{page:<28} {email:<22} {mean * 1000:8.2f} {mean / baseline:8.1f} {count:8d}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(main(parser.parse_args().requests))

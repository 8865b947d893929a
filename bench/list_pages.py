"""The list pages, one request at a time, in-process: time alone, HTML size and SQL statements.

Signs in as the seeded users of ``kaizen bench seed`` (any size) and asks each page of
``bench/report.py`` (plus the advancement page with 300 rows) a few times in a row through the
ASGI test client, printing the fastest time, the size of the answer and the number of SQL
statements it sent. Compare before and after in the same run of the machine: the figures are noisy.

    .venv/bin/kaizen bench seed --size XL --database-url sqlite+aiosqlite:////tmp/xl.sqlite3
    .venv/bin/python bench/list_pages.py --database-url sqlite+aiosqlite:////tmp/xl.sqlite3 [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import sign_in
from report import PAGES
from run import targets

EXTRA = [("entries300", "organizer", "/campaigns/{campaign}/phases/{judging}/advancement?per_page=300")]


async def main(url: str, repeat: int, only: set[str]) -> None:
    from web.app import create_app
    from web.settings import Settings

    ids = (await targets(url))["ids"]
    settings = Settings(database_url=url, secret_key="bench-" + "x" * 40, scheduler_enabled=False)
    app = create_app(settings)
    statements: list[int] = []
    event.listen(app.state.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(1))
    pages = [(p.key, p.user, p.path) for p in PAGES] + EXTRA
    print(f"{'page':<14} {'alone ms':>9} {'KB':>8} {'SQL':>5}  path")
    current = ""
    async with AsyncTestClient(app=app) as client:
        for key, user, template in pages:
            if only and key not in only:
                continue
            if user != current:
                client.cookies.clear()
                await sign_in(client, f"{user}@example.com")
                current = user
            path = template.format(**ids)
            best = float("inf")
            size = count = 0
            for _ in range(repeat):
                statements.clear()
                start = time.perf_counter()
                response = await client.get(path)
                best = min(best, time.perf_counter() - start)
                assert response.status_code == 200, (path, response.status_code)
                size, count = len(response.content), len(statements)
            print(f"{key:<14} {best * 1000:9.0f} {size / 1024:8.1f} {count:5d}  {path}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated page keys")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.database_url, arguments.repeat, {k for k in arguments.only.split(",") if k}))

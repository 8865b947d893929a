"""The ceiling: a bare Litestar + SQLAlchemy + Jinja page served by uvicorn, beside Kaizen in bench/run.py.

``GET /items`` lists 50 of 10,000 rows (~22 KB of HTML; ``?rows=300`` lists 300) through an async SQLAlchemy session and
a Jinja template, as a Kaizen list page does without the product; ``GET /hello`` is a bare
hello-world. The database is ``BENCH_BARE_DATABASE_URL``, filled by ``seed`` (bench/run.py).

    BENCH_BARE_DATABASE_URL=sqlite+aiosqlite:///bare.sqlite3 uvicorn --app-dir bench bare_app:create --factory
"""

from __future__ import annotations

import asyncio
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

ROWS = 10_000
PAGE = 50
metadata = MetaData()
item = Table(
    "bare_item",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("title", String(200)),
    Column("owner", String(120)),
    Column("email", String(254)),
    Column("department", String(120)),
    Column("summary", Text),
    Column("score", Integer),
    Column("created_at", DateTime(timezone=True)),
)


def create() -> Litestar:
    engine = create_async_engine(os.environ["BENCH_BARE_DATABASE_URL"])
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    @get("/items", media_type=MediaType.HTML)
    async def items(page: int = 7, rows: int = PAGE) -> Template:
        async with sessions() as session:
            found = (
                await session.execute(select(item).order_by(item.c.id).limit(rows).offset((page - 1) * rows))
            ).all()
        return Template(template_name="items.html", context={"rows": found, "page": page})

    @get("/hello", media_type=MediaType.TEXT)
    async def hello() -> str:
        return "Hello, world"

    async def dispose() -> None:
        await engine.dispose()

    return Litestar(
        [items, hello],
        template_config=TemplateConfig(directory=Path(__file__).parent / "templates", engine=JinjaTemplateEngine),
        on_shutdown=[dispose],
    )


async def seed(url: str) -> None:
    """Creates the table afresh with 10,000 rows (the same ones on every database)."""
    rng = random.Random(1)
    words = [
        "pilot",
        "warehouse",
        "customer",
        "invoice",
        "route",
        "shift",
        "supplier",
        "forecast",
        "energy",
        "waste",
        "returns",
        "audit",
    ]
    now = datetime(2027, 1, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {
            "id": n + 1,
            "title": " ".join(rng.choices(words, k=5)).capitalize(),
            "owner": f"Person {n:05d}",
            "email": f"person{n:05d}@example.com",
            "department": f"Department {n % 40 + 1:02d}",
            "summary": " ".join(rng.choices(words, k=10)).capitalize() + ".",
            "score": rng.randint(0, 100),
            "created_at": now - timedelta(minutes=n),
        }
        for n in range(ROWS)
    ]
    engine: AsyncEngine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
        await conn.execute(insert(item), rows)
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(seed(os.environ["BENCH_BARE_DATABASE_URL"]))

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime

import pytest
from sqlalchemy import Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automation.sync import replan
from core.clock import FrozenClock
from core.scheduling import ScheduledAction, run_due
from web.database import make_engine

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


async def plan(db: AsyncSession, campaign_id: int) -> None:
    """What the timeline's events do in the app: (re)plan the campaign's actions, then commit."""
    await replan(db, campaign_id)
    await db.commit()


async def count(db: AsyncSession, stmt: Subquery) -> int:
    value = await db.scalar(select(func.count()).select_from(stmt))
    await db.commit()
    return int(value or 0)

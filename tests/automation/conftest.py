from __future__ import annotations

from sqlalchemy import Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from automation.sync import replan


async def plan(db: AsyncSession, campaign_id: int) -> None:
    """What the timeline's events do in the app: (re)plan the campaign's actions, then commit."""
    await replan(db, campaign_id)
    await db.commit()


async def count(db: AsyncSession, stmt: Subquery) -> int:
    value = await db.scalar(select(func.count()).select_from(stmt))
    await db.commit()
    return int(value or 0)

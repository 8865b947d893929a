"""What the organizer sees of the automation: a campaign's scheduled actions, in time order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.scheduling import ScheduledAction


async def campaign_actions(session: AsyncSession, campaign_id: int) -> list[ScheduledAction]:
    rows = await session.scalars(
        select(ScheduledAction)
        .where(ScheduledAction.campaign_id == campaign_id)
        .order_by(ScheduledAction.due_at, ScheduledAction.id)
    )
    return list(rows.all())

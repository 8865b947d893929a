"""Keeps a campaign's scheduled actions in step with its timeline, in the same transaction as the edit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automation.plan import planned_actions
from campaigns.events import CampaignClosed, CampaignPublished, PhaseClosed, PhaseOpened, TimelineChanged
from campaigns.models import Campaign, Phase
from core.events import subscribe
from core.scheduling import sync_actions
from judging.events import ResultsPublished


async def replan(session: AsyncSession, campaign_id: int) -> None:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        return
    await session.refresh(campaign)  # statuses change through conditional UPDATEs
    phases = list(
        (
            await session.scalars(
                select(Phase)
                .where(Phase.campaign_id == campaign_id)
                .order_by(Phase.position, Phase.id)
                .execution_options(populate_existing=True)
            )
        ).all()
    )
    await sync_actions(session, campaign_id, planned_actions(campaign, phases))


async def _on_event(session: AsyncSession, event: Any) -> None:
    """Any of the campaign events below: each carries ``campaign_id``."""
    await replan(session, event.campaign_id)


def register() -> None:
    for event_type in (TimelineChanged, CampaignPublished, CampaignClosed, PhaseOpened, PhaseClosed, ResultsPublished):
        subscribe(event_type, _on_event)

"""The judging reminder, one notification per judge, wherever it is sent from: the scheduler's
reminder before a judging phase closes, an organizer's button on the progress page, and a rubric
reopened (which sends final scorecards back to draft, with ``reopened`` set)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.deadlines import accepts_writes
from campaigns.models import Campaign, Phase
from notifications.models import NotificationKind
from notifications.services import notify


def hours_left(phase: Phase, now: datetime) -> int:
    """Whole hours until the phase closes, at least one (a reminder says "in 1 hour" at the end)."""
    return max(1, round((phase.closes_at - now).total_seconds() / 3600))


async def remind_judges(
    session: AsyncSession,
    now: datetime,
    campaign: Campaign,
    phase: Phase,
    unfinished: Mapping[int, int],
    *,
    reopened: bool = False,
) -> None:
    """Reminds each judge (by id) of their scorecards not yet final (the count); the deadline is
    named while the phase accepts scorecards, the hours left only in a reminder before it closes."""
    for judge_id, count in sorted(unfinished.items()):
        params: dict[str, object] = {"campaign": campaign.title, "phase": phase.name, "unfinished": count}
        if reopened:
            params["reopened"] = count
        if accepts_writes(phase, now):
            params |= {"closes_at": phase.closes_at.isoformat(), "timezone": campaign.timezone}
            if not reopened:
                params["hours"] = hours_left(phase, now)
        await notify(
            session,
            now,
            [judge_id],
            NotificationKind.JUDGING_REMINDER,
            params,
            link="/judging",
            campaign_id=campaign.id,
        )

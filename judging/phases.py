"""The judging phase as judging's operations find it: resolved in the actor's scope, the organizer's
right on it checked again, writes refused once it has closed; and the not-found messages they share.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import can_organize
from campaigns.deadlines import accepts_writes, effective_close
from campaigns.models import Campaign, Phase, PhaseKind, PhaseStatus
from core.errors import N_, Conflict, NotFound

PHASE_NOT_FOUND = N_("We could not find that judging phase.")
ENTRY_NOT_FOUND = N_("We could not find that entry.")


def judging_state(phase: Phase, now: datetime) -> str:
    """Where judging stands for a judge: "open" (scorecards are written), "pending" (not opened yet)
    or "closed"."""
    if accepts_writes(phase, now):
        return "open"
    if phase.status is not PhaseStatus.CLOSED and now < phase.opens_at:
        return "pending"
    return "closed"


async def judging_phase(session: AsyncSession, campaign: Campaign, phase_id: int) -> Phase:
    """A judging phase of ``campaign`` (resolved in the caller's scope), else 404."""
    phase = await session.scalar(
        select(Phase).where(Phase.id == phase_id, Phase.campaign_id == campaign.id, Phase.kind == PhaseKind.JUDGING)
    )
    if phase is None:
        raise NotFound(PHASE_NOT_FOUND)
    return phase


async def organized_campaign_of(session: AsyncSession, actor: User, phase: Phase) -> Campaign:
    """The campaign of the judging ``phase`` if ``actor`` organizes it, else 404."""
    campaign = await session.get(Campaign, phase.campaign_id)
    if campaign is None or phase.kind is not PhaseKind.JUDGING or not await can_organize(session, campaign, actor):
        raise NotFound(PHASE_NOT_FOUND)
    return campaign


def refuse_after_close(phase: Phase, now: datetime, *, closed_early: str, closed_at: str) -> None:
    """Refuses (409) once judging has closed: by the clock at ``closes_at`` + grace, or early by an
    organizer. ``closed_at`` takes the closing time as ``%(when)s``. Before judging opens, nothing is refused."""
    if accepts_writes(phase, now) or (phase.status is not PhaseStatus.CLOSED and now < phase.opens_at):
        return
    if now < effective_close(phase):  # closed early by an organizer
        raise Conflict(closed_early)
    raise Conflict(closed_at, when=effective_close(phase))

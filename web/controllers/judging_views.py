"""What the judging pages share: the judging phase in the organizer's scope (a dependency,
``organized``, declared once on the router of the organizer's pages, which notes the campaign's
time zone for the refusals' messages) and its path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import organized_campaign
from campaigns.models import Campaign, Phase
from judging.phases import judging_phase
from web.deps import DbSession, signed_in
from web.refusals import note_timezone

BASE = "/campaigns/{campaign_id:int}/phases/{phase_id:int}"
PAGE = "/campaigns/{campaign_id}/phases/{phase_id}"  # the same, as a page to go back to (web.refusals)


async def organized_phase(db: AsyncSession, user: User, campaign_id: int, phase_id: int) -> tuple[Campaign, Phase]:
    campaign = await organized_campaign(db, campaign_id, user)
    return campaign, await judging_phase(db, campaign, phase_id)


@dataclass(frozen=True)
class OrganizedPhase:
    """The judging phase of the path and its campaign, which the signed-in person organizes."""

    campaign: Campaign
    phase: Phase


async def provide_organized_phase(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> OrganizedPhase:
    """The ``organized`` dependency: 404 outside the person's scope, before the handler runs."""
    organized = OrganizedPhase(*await organized_phase(db_session, signed_in(request), campaign_id, phase_id))
    note_timezone(request, organized.campaign.timezone)
    return organized


# declared on the router of the organizer's pages (web.controllers.route_handlers)
ORGANIZED_PHASE = {"organized": Provide(provide_organized_phase)}
Organized = NamedDependency[OrganizedPhase]  # parameter name: organized


def phase_path(campaign: Campaign, phase: Phase) -> str:
    return f"/campaigns/{campaign.id}/phases/{phase.id}"

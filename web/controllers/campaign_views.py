"""What the campaign pages share: the campaign of the path in the organizer's scope (a dependency,
``campaign``, declared once on the router of the organizer's pages), the campaign with
its timeline, the timeline's context, form values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from campaigns.access import organized_campaign
from campaigns.deadlines import current_phase, effective_close, is_live, phase_state
from campaigns.models import Campaign, CampaignStatus, PhaseKind, PhaseStatus
from campaigns.phase_transitions import reopen_refusal
from campaigns.transitions import closing_refusal, plan_opening, reopen_errors
from core.errors import N_, NotFound
from web.deps import DbSession, signed_in
from web.refusals import note_timezone
from web.timeline_chart import build_chart


async def provide_organized_campaign(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int]
) -> Campaign:
    """The ``campaign`` dependency: the campaign of the path, which the signed-in person
    organizes; 404 outside their scope, before the handler runs."""
    campaign = await organized_campaign(db_session, campaign_id, signed_in(request))
    note_timezone(request, campaign.timezone)
    return campaign


# declared on the router of the organizer's pages (web.controllers.route_handlers)
ORGANIZED_CAMPAIGN = {"campaign": Provide(provide_organized_campaign)}
OrganizedCampaign = NamedDependency[Campaign]  # parameter name: campaign


async def full_campaign(db: AsyncSession, campaign_id: int) -> Campaign:
    """The campaign with its sponsor, challenges and phases: three queries whatever their number."""
    campaign = await db.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(joinedload(Campaign.sponsor), selectinload(Campaign.challenges), selectinload(Campaign.phases))
        .execution_options(populate_existing=True)
    )
    if campaign is None:
        raise NotFound(N_("We could not find that campaign."))
    return campaign


def _controls(campaign: Campaign, now: datetime) -> dict[int, dict[str, Any]]:
    """Which buttons each phase offers an organizer, and why one that cannot work is left out."""
    controls: dict[int, dict[str, Any]] = {}
    published = campaign.status is CampaignStatus.PUBLISHED
    for phase in campaign.phases:
        state = phase_state(phase, now)
        pending = published and phase.status is PhaseStatus.PENDING and phase.kind is not PhaseKind.RESULTS
        opening = plan_opening(campaign.phases, phase, now) if pending else None
        controls[phase.id] = {
            "open": opening is not None and opening.refusal is None,
            "open_closes": [p.name for p in opening.running] if opening else [],
            "close": campaign.status is not CampaignStatus.DRAFT
            and phase.status is not PhaseStatus.CLOSED
            and closing_refusal(phase, now) is None,
            "grace_until": effective_close(phase) if is_live(phase, now) and state is PhaseStatus.CLOSED else None,
            "publish": published and phase.kind is PhaseKind.RESULTS and campaign.results_published_at is None,
            "reopen": phase.status is PhaseStatus.CLOSED
            and reopen_refusal(campaign, phase) is None
            and "__all__" not in reopen_errors(campaign.phases, phase, None, 0, now),
        }
    return controls


def timeline_context(campaign: Campaign, now: datetime, *, controls: bool, flash: str | None = None) -> dict[str, Any]:
    phases = list(campaign.phases)
    current = current_phase(phases, now)
    states = {p.id: phase_state(p, now).value for p in phases}
    return {
        "campaign": campaign,
        "phases": phases,
        "states": states,
        "chart": build_chart(phases, states, now),
        "current_id": current.id if current else None,
        "controls": controls,
        "phase_controls": _controls(campaign, now),
        "flash": flash,
        "now": now,
    }

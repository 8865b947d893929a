"""Who sees the published results, and what they see.

A team's members see their team's result page once the results are published: the snapshot taken
at publication (``judging.published``), computed afresh only for a campaign published before
snapshots were taken; before publication, that the results are not out yet. Whoever may see the
campaign sees its winners once published; its organizers see them before, as a preview. Anyone
else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.access import is_platform_lead
from accounts.models import User
from campaigns.access import CAMPAIGN_NOT_FOUND, can_organize, visible_campaign
from campaigns.models import Campaign, Challenge
from core.errors import N_, NotFound
from judging.awards import campaign_awards
from judging.models import Award
from judging.published import live_team_result, published_team_result
from teams.models import Membership, Team

TEAM_NOT_FOUND = N_("We could not find that team.")


@dataclass
class TeamResult:
    """A team's result page: ``published`` False shows only that the results are not out yet."""

    team: Team
    campaign: Campaign
    published: bool = False
    awards: list[Award] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    show_ranks: bool = True
    published_at: datetime | None = None


@dataclass
class Winners:
    campaign: Campaign
    awards: list[Award]
    challenges: dict[int, Challenge]
    organizer: bool  # an organizer may see them before publication, as a preview


async def _member_team(session: AsyncSession, user: User, team_id: int) -> Team:
    team = await session.scalar(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Team.id == team_id, Membership.user_id == user.id)
        .options(joinedload(Team.challenge))
    )
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    return team


async def team_result(session: AsyncSession, user: User, team_id: int) -> TeamResult:
    """The result page of ``user``'s team (404 for anyone but its members)."""
    team = await _member_team(session, user, team_id)
    campaign = await session.get(Campaign, team.campaign_id)
    if campaign is None:
        raise NotFound(TEAM_NOT_FOUND)
    if campaign.results_published_at is None:
        return TeamResult(team, campaign)
    awards = (await session.scalars(select(Award).where(Award.team_id == team.id).order_by(Award.id))).all()
    frozen = await published_team_result(session, team.id)
    data = frozen.data if frozen is not None else await live_team_result(session, campaign, team.id)
    return TeamResult(
        team,
        campaign,
        published=True,
        awards=list(awards),
        results=data.get("results", []),
        show_ranks=data.get("show_ranks", campaign.show_ranks),
        published_at=frozen.published_at if frozen is not None else campaign.results_published_at,
    )


async def winners(session: AsyncSession, user: User, campaign_id: int) -> Winners:
    """The campaign's winners: for whoever may see it once published, for its organizers before."""
    campaign = await visible_campaign(session, campaign_id, user)
    organizer = await can_organize(session, campaign, user)
    if campaign.results_published_at is None and not organizer:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    challenges = await session.scalars(select(Challenge).where(Challenge.campaign_id == campaign.id))
    return Winners(
        campaign,
        list(await campaign_awards(session, campaign.id)),
        {challenge.id: challenge for challenge in challenges},
        organizer,
    )


async def approval_campaign(session: AsyncSession, user: User, campaign_id: int) -> Campaign:
    """A campaign whose awards the user may approve: a platform lead's (an executive's or an
    admin's) that they see; anyone else gets 404."""
    if not is_platform_lead(user):
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return await visible_campaign(session, campaign_id, user)

"""The captain's role: handing it to another member.

Rules chosen here (DOMAIN.md is silent on them):
- only the captain hands the role over, to a member of the same team, while the campaign is
  published (a team's captain also matters after registration: they answer requests to join
  and are the organizers' contact); the former captain stays a member.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, CampaignStatus
from core.audit import record
from core.errors import N_, Conflict, Forbidden, Invalid
from core.events import publish
from teams.events import CaptainHandedOver
from teams.models import Membership, Team
from teams.scope import member_team

NOT_CAPTAIN = N_("Only the captain can do this.")


async def hand_over_captaincy(
    session: AsyncSession, actor: User, team_id: int, new_captain_id: int | None, now: datetime
) -> Team:
    """The captain makes another member the captain."""
    team = await member_team(session, actor, team_id, lock=True)
    if team.captain_id != actor.id:
        raise Forbidden(NOT_CAPTAIN)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    if campaign.status is not CampaignStatus.PUBLISHED:
        raise Conflict(N_("This campaign is not open for teams."))
    if new_captain_id == actor.id:
        raise Invalid(N_("You are the captain already: choose another member."), field="captain_id")
    member = await session.scalar(
        select(Membership.user_id).where(Membership.team_id == team.id, Membership.user_id == new_captain_id)
    )
    if member is None:
        raise Invalid(N_("Choose a member of the team."), field="captain_id")
    previous = team.captain_id
    team.captain_id = member
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="team.captain",
        subject=team,
        campaign_id=campaign.id,
        before={"captain_id": previous},
        after={"captain_id": member},
    )
    await publish(session, CaptainHandedOver(team_id=team.id, previous_id=previous, captain_id=member, at=now))
    return team

"""Teams in the actor's scope: finding a team (anyone outside its scope gets 404), a person's team
in a campaign, eligibility, and the checks that team changes share (the window, the head count).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import is_platform_lead
from accounts.models import User
from campaigns.access import can_organize, organizer_or_sponsor
from campaigns.models import Campaign, CampaignDepartment, CampaignStatus, Phase
from core.errors import N_, Conflict, NotFound
from teams.models import Invitation, InvitationStatus, Membership, Team
from teams.rules import team_window_error

TEAM_NOT_FOUND = N_("We could not find that team.")


async def campaign_phases(session: AsyncSession, campaign_id: int) -> list[Phase]:
    rows = await session.scalars(
        select(Phase).where(Phase.campaign_id == campaign_id).order_by(Phase.position, Phase.id)
    )
    return list(rows.all())


async def is_member(session: AsyncSession, team_id: int, user: User) -> bool:
    found = await session.scalar(
        select(Membership.id).where(Membership.team_id == team_id, Membership.user_id == user.id)
    )
    return found is not None


async def member_team(session: AsyncSession, actor: User, team_id: int, *, lock: bool = False) -> Team:
    """A team the actor belongs to; anyone else gets 404. ``lock`` takes the team row for update."""
    stmt = (
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Team.id == team_id, Membership.user_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update(of=Team)
    team = await session.scalar(stmt)
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    return team


async def viewable_team(session: AsyncSession, actor: User, team_id: int) -> tuple[Team, Campaign, bool]:
    """A team its members, the campaign's organizers and admins may see: (team, campaign, is member)."""
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    campaign = await session.get(Campaign, team.campaign_id)
    if campaign is None:
        raise NotFound(TEAM_NOT_FOUND)
    member = await is_member(session, team.id, actor)
    if not (member or actor.is_admin or await can_organize(session, campaign, actor)):
        raise NotFound(TEAM_NOT_FOUND)
    return team, campaign, member


def similar_entry_visible(viewer: User) -> ColumnElement[bool]:
    """The campaigns whose entries the "similar ideas" panels may show the viewer, as a condition
    on ``Campaign``: every campaign that is no longer a draft (published, closed or archived: the
    campaigns everyone may see), and the draft campaigns the viewer organizes or sponsors; every
    campaign for platform leads. What is shown of them is only ever the version submitted in time
    (title and summary), never a draft (``teams.similar_entries``)."""
    if is_platform_lead(viewer):
        return true()
    return or_(Campaign.status != CampaignStatus.DRAFT, organizer_or_sponsor(viewer))


async def team_of_user(session: AsyncSession, campaign_id: int, user: User) -> Team | None:
    team: Team | None = await session.scalar(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.campaign_id == campaign_id, Membership.user_id == user.id)
    )
    return team


async def is_eligible(session: AsyncSession, campaign: Campaign, user: User) -> bool:
    if campaign.all_staff_eligible:
        return True
    if user.department_id is None:
        return False
    found = await session.scalar(
        select(CampaignDepartment.id).where(
            CampaignDepartment.campaign_id == campaign.id, CampaignDepartment.department_id == user.department_id
        )
    )
    return found is not None


async def check_team_window(session: AsyncSession, campaign: Campaign, now: datetime) -> None:
    message = team_window_error(campaign, await campaign_phases(session, campaign.id), now)
    if message:
        raise Conflict(message)


async def member_counts(session: AsyncSession, team_id: int) -> tuple[int, int]:
    members = await session.scalar(select(func.count(Membership.id)).where(Membership.team_id == team_id)) or 0
    pending = (
        await session.scalar(
            select(func.count(Invitation.id)).where(
                Invitation.team_id == team_id, Invitation.status == InvitationStatus.PENDING
            )
        )
        or 0
    )
    return members, pending

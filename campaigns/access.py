"""Who may see and do what inside a campaign. Outside someone's scope, things do not exist (404)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from accounts.access import is_platform_lead
from accounts.models import User
from campaigns.models import Campaign, CampaignRole, CampaignRoleKind, CampaignStatus
from core.errors import N_, NotFound

CAMPAIGN_NOT_FOUND = N_("We could not find that campaign.")


async def roles_in(session: AsyncSession, campaign_id: int, user: User) -> set[CampaignRoleKind]:
    rows = await session.scalars(
        select(CampaignRole.role).where(CampaignRole.campaign_id == campaign_id, CampaignRole.user_id == user.id)
    )
    return set(rows.all())


async def is_judge_of(session: AsyncSession, campaign_id: int, user_id: int) -> bool:
    """Is the account in the campaign's judge pool?"""
    found = await session.scalar(
        select(
            exists().where(
                CampaignRole.campaign_id == campaign_id,
                CampaignRole.user_id == user_id,
                CampaignRole.role == CampaignRoleKind.JUDGE,
            )
        )
    )
    return bool(found)


def organizes(user_id: int, campaign_id: ColumnElement[int] | InstrumentedAttribute[int] | int) -> ColumnElement[bool]:
    """The person holds the organizer role in the campaign ``campaign_id`` (a column or an id), as
    an EXISTS condition for queries that decide for many rows at once."""
    return exists().where(
        CampaignRole.campaign_id == campaign_id,
        CampaignRole.user_id == user_id,
        CampaignRole.role == CampaignRoleKind.ORGANIZER,
    )


def organizer_or_sponsor(user: User) -> ColumnElement[bool]:
    """The campaigns the person holds the organizer role in or sponsors, as a condition on
    ``Campaign`` (the campaigns listed as theirs; ``can_organize`` decides what they may do)."""
    roles = select(CampaignRole.campaign_id).where(
        CampaignRole.user_id == user.id, CampaignRole.role == CampaignRoleKind.ORGANIZER
    )
    return or_(Campaign.id.in_(roles), Campaign.sponsor_id == user.id)


async def can_organize(session: AsyncSession, campaign: Campaign, user: User) -> bool:
    if user.is_admin or (user.is_executive and campaign.sponsor_id == user.id):
        return True
    return CampaignRoleKind.ORGANIZER in await roles_in(session, campaign.id, user)


async def require_organizer(session: AsyncSession, campaign: Campaign, actor: User) -> None:
    if not await can_organize(session, campaign, actor):
        raise NotFound(CAMPAIGN_NOT_FOUND)


async def visible_campaign(session: AsyncSession, campaign_id: int, user: User) -> Campaign:
    """A campaign the user may see: published ones for everyone, drafts for its leads only."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    if campaign.status is CampaignStatus.DRAFT and not (
        is_platform_lead(user) or await can_organize(session, campaign, user)
    ):
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign


async def organized_campaign(session: AsyncSession, campaign_id: int, user: User) -> Campaign:
    """A campaign the user organizes (or leads); anyone else gets 404, never a hint that it exists."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or not await can_organize(session, campaign, user):
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign

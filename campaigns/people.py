"""Named operations on a campaign's people: give an existing account a campaign role, take it away.

Like every campaign operation: validated, flushed, audited; the organizer right is checked again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.services import normalise_email, validate_email
from campaigns.access import require_organizer
from campaigns.models import Campaign, CampaignRole, CampaignRoleKind
from core.audit import record
from core.concurrency import add_unique
from core.errors import N_, Conflict, NotFound, ValidationFailed


async def add_person(
    session: AsyncSession, actor: User, now: datetime, campaign: Campaign, email: str, role: str
) -> CampaignRole:
    """Gives an existing account a role in the campaign: organizer or judge."""
    await require_organizer(session, campaign, actor)
    errors: dict[str, str] = {}
    try:
        kind = CampaignRoleKind(role)
    except ValueError:
        errors["role"] = N_("Choose organizer or judge.")
    email = normalise_email(email)
    invalid = validate_email(email)
    user = None if invalid else await session.scalar(select(User).where(User.email == email))
    if invalid:
        errors["email"] = invalid
    elif user is None:
        errors["email"] = N_("No account uses this e-mail address. Ask an administrator to add the person first.")
    elif not user.is_active:
        errors["email"] = N_("This account is deactivated.")
    if errors:
        raise ValidationFailed(errors)
    assert user is not None
    taken = await session.scalar(
        select(CampaignRole.id).where(
            CampaignRole.campaign_id == campaign.id, CampaignRole.user_id == user.id, CampaignRole.role == kind
        )
    )
    already = Conflict(N_("This person already has this role in the campaign."), field="email")
    if taken is not None:
        raise already
    granted = CampaignRole(campaign_id=campaign.id, user_id=user.id, role=kind)
    if not await add_unique(session, granted):  # given at the same moment by another request
        raise already
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="campaign_role.add",
        subject=granted,
        campaign_id=campaign.id,
        after={"user_id": user.id, "email": user.email, "role": kind.value},
    )
    return granted


async def remove_person(session: AsyncSession, actor: User, now: datetime, campaign: Campaign, role_id: int) -> None:
    """Takes a campaign role away; the last organizer stays."""
    await require_organizer(session, campaign, actor)
    granted = await session.scalar(
        select(CampaignRole).where(CampaignRole.id == role_id, CampaignRole.campaign_id == campaign.id)
    )
    if granted is None:
        raise NotFound(N_("We could not find that person in this campaign."))
    if granted.role is CampaignRoleKind.ORGANIZER:
        organizers = (
            await session.scalar(
                select(func.count()).where(
                    CampaignRole.campaign_id == campaign.id, CampaignRole.role == CampaignRoleKind.ORGANIZER
                )
            )
            or 0
        )
        if organizers <= 1:
            raise Conflict(N_("A campaign needs at least one organizer."))
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="campaign_role.remove",
        subject=granted,
        campaign_id=campaign.id,
        before={"user_id": granted.user_id, "role": granted.role.value},
    )
    await session.delete(granted)
    await session.flush()

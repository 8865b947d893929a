"""Invitations to a team: sending one, declining or revoking it, and a person's open ones.

Accepting an invitation changes who is in which team: it is in ``teams.membership``.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
finds its objects in the actor's scope (anything else is 404), validates, changes, flushes
and announces what happened. The rules themselves are in ``teams.rules``.

Rules chosen here (DOMAIN.md is silent on them):
- any member may invite; only the captain may revoke an invitation; invitees must be eligible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from accounts.services import normalise_email, validate_email
from campaigns.models import Campaign, CampaignStatus
from core.errors import N_, Conflict, Forbidden, Invalid, NotFound
from core.events import publish
from teams.events import InvitationSent
from teams.models import Invitation, InvitationStatus, Team, TeamStatus
from teams.rules import has_room
from teams.scope import check_team_window, is_eligible, member_counts, member_team, team_of_user

INVITATION_NOT_FOUND = N_("We could not find that invitation.")


@dataclass(frozen=True)
class PendingInvitation:
    invitation: Invitation
    campaign: Campaign


async def invite(session: AsyncSession, actor: User, team_id: int, email: str, now: datetime) -> Invitation:
    """A member invites a colleague by e-mail address."""
    team = await member_team(session, actor, team_id, lock=True)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    address = normalise_email(email)
    if not address:
        raise Invalid(N_("Enter the e-mail address of the colleague to invite."), field="email")
    if message := validate_email(address):
        raise Invalid(message, field="email")
    await check_team_window(session, campaign, now)
    if team.status is not TeamStatus.ACTIVE:
        raise Conflict(N_("This team is no longer active."), field="email")
    invitee = await session.scalar(select(User).where(User.email == address))
    if invitee is None or not invitee.is_active:
        raise Invalid(N_("No active account uses this e-mail address."), field="email")
    if await team_of_user(session, campaign.id, invitee) is not None:
        raise Conflict(N_("This person is already in a team of this campaign."), field="email")
    if not await is_eligible(session, campaign, invitee):
        raise Invalid(N_("This person is not eligible for this campaign."), field="email")
    already = await session.scalar(
        select(Invitation.id).where(
            Invitation.team_id == team.id,
            Invitation.invitee_id == invitee.id,
            Invitation.status == InvitationStatus.PENDING,
        )
    )
    if already is not None:
        raise Conflict(N_("This person has already been invited."), field="email")
    members, pending = await member_counts(session, team.id)
    if not has_room(members, pending, campaign.max_team_size):
        raise Conflict(
            N_("The team is full: %(max)s people at most, pending invitations included."),
            field="email",
            max=campaign.max_team_size,
        )
    invitation = Invitation(team_id=team.id, invitee_id=invitee.id, invited_by_id=actor.id)
    session.add(invitation)
    await session.flush()
    await publish(
        session,
        InvitationSent(
            invitation_id=invitation.id, team_id=team.id, invitee_id=invitee.id, invited_by_id=actor.id, at=now
        ),
    )
    return invitation


async def own_invitation(session: AsyncSession, actor: User, invitation_id: int) -> Invitation:
    invitation = await session.scalar(
        select(Invitation)
        .where(Invitation.id == invitation_id, Invitation.invitee_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_FOUND)
    if invitation.status is not InvitationStatus.PENDING:
        raise Conflict(N_("This invitation is no longer open."))
    return invitation


async def decline_invitation(session: AsyncSession, actor: User, invitation_id: int, now: datetime) -> Invitation:
    invitation = await own_invitation(session, actor, invitation_id)
    invitation.status = InvitationStatus.DECLINED
    await session.flush()
    return invitation


async def revoke_invitation(
    session: AsyncSession, actor: User, team_id: int, invitation_id: int, now: datetime
) -> Invitation:
    team = await member_team(session, actor, team_id)
    invitation = await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.team_id == team.id)
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_FOUND)
    if team.captain_id != actor.id:
        raise Forbidden(N_("Only the captain can withdraw an invitation."))
    if invitation.status is not InvitationStatus.PENDING:
        raise Conflict(N_("This invitation is no longer open."))
    invitation.status = InvitationStatus.REVOKED
    await session.flush()
    return invitation


async def pending_invitations_for(session: AsyncSession, user: User) -> list[PendingInvitation]:
    """The user's open invitations in published campaigns, newest first, with team, challenge and inviter."""
    rows = await session.execute(
        select(Invitation, Campaign)
        .join(Team, Team.id == Invitation.team_id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .where(
            Invitation.invitee_id == user.id,
            Invitation.status == InvitationStatus.PENDING,
            Campaign.status == CampaignStatus.PUBLISHED,
        )
        .options(joinedload(Invitation.team).joinedload(Team.challenge), joinedload(Invitation.invited_by))
        .order_by(Invitation.id.desc())
    )
    return [PendingInvitation(invitation, campaign) for invitation, campaign in rows.all()]

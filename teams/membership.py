"""Who is in which team: creating a team, joining one by accepting an invitation, leaving it.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
finds its objects in the actor's scope (anything else is 404), validates, changes, flushes,
writes its audit row where it matters and announces what happened. The rules themselves are
in ``teams.rules``.

Rules chosen here (DOMAIN.md is silent on them):
- joining a team (creating one or accepting an invitation) declines the person's other
  pending invitations of the campaign;
- the captain hands the role to another member before leaving (``teams.captaincy``); the last
  member leaves only after confirming, and then a team without an entry is deleted (its name
  becomes free), a team with an entry is withdrawn; its pending requests to join are declined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import visible_campaign
from campaigns.models import Campaign, CampaignDepartment, CampaignStatus, Challenge, Phase
from core.audit import record
from core.errors import N_, Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from teams.invitations import INVITATION_NOT_FOUND, own_invitation
from teams.models import (
    Entry,
    Invitation,
    InvitationStatus,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Seeker,
    Team,
    TeamNeed,
    TeamStatus,
)
from teams.rules import NOT_ELIGIBLE, TeamOffer, name_key, team_name_error, team_offer, team_window_error
from teams.scope import campaign_phases, check_team_window, is_eligible, member_counts, member_team, team_of_user

ALREADY_IN_TEAM = N_("You are already in a team of this campaign.")
TEAM_FULL = N_("This team is full")


async def lock_person(session: AsyncSession, user_id: int) -> None:
    """Takes the person's account row (PostgreSQL ``FOR NO KEY UPDATE``) until the transaction ends.

    Whatever changes which team a person is in (creating a team, accepting an invitation,
    leaving) takes it first, before any team, invitation or membership row: so two such changes
    of one person run one after the other, the second seeing the first's outcome, and cannot
    deadlock (accepting an invitation while creating a team did: each held a row the other
    needed). It does not block rows that merely refer to the person (``FOR KEY SHARE``)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


async def add_member(session: AsyncSession, team: Team, user: User) -> Membership:
    """Adds a member; the unique (campaign, user) key turns a race into a clean conflict.

    The person's other invitations and requests to join in the campaign are closed, and their
    listing on the campaign's board goes: they have a team now."""
    membership = Membership(team_id=team.id, campaign_id=team.campaign_id, user_id=user.id)
    try:
        async with session.begin_nested():
            session.add(membership)
    except IntegrityError as exc:
        raise Conflict(ALREADY_IN_TEAM) from exc
    # the person's other invitations in this campaign have no use any more
    others = select(Team.id).where(Team.campaign_id == team.campaign_id)
    await session.execute(
        update(Invitation)
        .where(
            Invitation.invitee_id == user.id,
            Invitation.status == InvitationStatus.PENDING,
            Invitation.team_id.in_(others),
        )
        .values(status=InvitationStatus.DECLINED)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(JoinRequest)
        .where(
            JoinRequest.user_id == user.id,
            JoinRequest.campaign_id == team.campaign_id,
            JoinRequest.status == JoinRequestStatus.PENDING,
            JoinRequest.team_id != team.id,
        )
        .values(status=JoinRequestStatus.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(Seeker).where(Seeker.campaign_id == team.campaign_id, Seeker.user_id == user.id))
    return membership


async def creation_blocker(session: AsyncSession, actor: User, campaign: Campaign, now: datetime) -> DomainError | None:
    """Why the actor cannot create a team in this campaign now, or None."""
    message = team_window_error(campaign, await campaign_phases(session, campaign.id), now)
    if message:
        return Conflict(message)
    if not await is_eligible(session, campaign, actor):
        return Forbidden(NOT_ELIGIBLE)
    if await team_of_user(session, campaign.id, actor) is not None:
        return Conflict(ALREADY_IN_TEAM)
    return None


async def team_offers(
    session: AsyncSession,
    user: User,
    campaigns: Sequence[Campaign],
    phases: Mapping[int, Sequence[Phase]],
    now: datetime,
) -> dict[int, TeamOffer]:
    """Per campaign (with its phases given): the person's team, or whether they may form one.

    At most two queries whatever the number of campaigns: the person's teams, and their
    eligibility where a campaign is open to some departments only.
    """
    ids = [c.id for c in campaigns]
    if not ids:
        return {}
    teams = (
        await session.scalars(
            select(Team)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == user.id, Membership.campaign_id.in_(ids))
        )
    ).all()
    mine = {team.campaign_id: team for team in teams}
    restricted = [c.id for c in campaigns if not c.all_staff_eligible]
    eligible: set[int] = set()
    if restricted and user.department_id is not None:
        found = await session.scalars(
            select(CampaignDepartment.campaign_id).where(
                CampaignDepartment.campaign_id.in_(restricted), CampaignDepartment.department_id == user.department_id
            )
        )
        eligible = set(found.all())
    return {
        c.id: team_offer(
            c, phases.get(c.id, ()), now, eligible=c.all_staff_eligible or c.id in eligible, team=mine.get(c.id)
        )
        for c in campaigns
    }


async def create_team(
    session: AsyncSession, actor: User, campaign_id: int, name: str, challenge_id: int | None, now: datetime
) -> Team:
    """A new team in the campaign, with the actor as captain and first member."""
    campaign = await visible_campaign(session, campaign_id, actor)
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if message := team_name_error(name):
        errors["name"] = message
    challenge = (
        await session.scalar(
            select(Challenge).where(Challenge.id == challenge_id, Challenge.campaign_id == campaign.id)
        )
        if challenge_id is not None
        else None
    )
    if challenge is None:
        errors["challenge_id"] = N_("Choose one of the campaign's challenges.")
    if errors:
        raise ValidationFailed(errors)
    assert challenge is not None
    await lock_person(session, actor.id)  # then the check below sees a team joined a moment ago
    if blocker := await creation_blocker(session, actor, campaign, now):
        raise blocker
    key = name_key(name)
    taken = N_("A team with this name already exists in this campaign. Choose another name.")
    if await session.scalar(select(Team.id).where(Team.campaign_id == campaign.id, Team.name_key == key)):
        raise Conflict(taken, field="name")
    team = Team(campaign_id=campaign.id, challenge_id=challenge.id, name=name, name_key=key, captain_id=actor.id)
    try:
        async with session.begin_nested():
            session.add(team)
    except IntegrityError as exc:
        raise Conflict(taken, field="name") from exc
    await add_member(session, team, actor)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="team.create",
        subject=team,
        campaign_id=campaign.id,
        after={"name": name, "challenge_id": challenge.id},
    )
    return team


class DissolveNotConfirmed(Conflict):
    """The last member asked to leave without confirming that the team goes with them."""

    def __init__(self) -> None:
        super().__init__(N_("You are the last member: leaving dissolves the team. Please confirm."))


async def leave_team(
    session: AsyncSession, actor: User, team_id: int, now: datetime, *, dissolve: bool = False
) -> Team | None:
    """The actor leaves; returns the team, or None when the team was deleted with its last member.

    The captain hands the role over first; the last member leaves only with ``dissolve``
    (confirmed), and the team goes with them (``DissolveNotConfirmed`` otherwise)."""
    await lock_person(session, actor.id)
    team = await member_team(session, actor, team_id, lock=True)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    await check_team_window(session, campaign, now)
    members, _pending = await member_counts(session, team.id)
    if team.captain_id == actor.id and members > 1:
        raise Conflict(N_("As the captain, hand the role to another member before you leave."))
    if members == 1 and not dissolve:
        raise DissolveNotConfirmed()
    await session.execute(delete(Membership).where(Membership.team_id == team.id, Membership.user_id == actor.id))
    if members > 1:
        await record(session, at=now, actor_id=actor.id, action="team.leave", subject=team, campaign_id=campaign.id)
        return team
    has_entry = await session.scalar(select(Entry.id).where(Entry.team_id == team.id).limit(1))
    if has_entry is None:
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="team.delete",
            subject=team,
            campaign_id=campaign.id,
            before={"name": team.name},
        )
        # memberships, invitations and entries go with it (ON DELETE CASCADE)
        await session.execute(delete(Team).where(Team.id == team.id))
        session.expunge(team)
        return None
    await session.execute(
        update(Invitation)
        .where(Invitation.team_id == team.id, Invitation.status == InvitationStatus.PENDING)
        .values(status=InvitationStatus.REVOKED)
    )
    await session.execute(
        update(JoinRequest)
        .where(JoinRequest.team_id == team.id, JoinRequest.status == JoinRequestStatus.PENDING)
        .values(status=JoinRequestStatus.DECLINED, decided_at=now)
    )
    await session.execute(delete(TeamNeed).where(TeamNeed.team_id == team.id))
    before = team.status.value
    team.status = TeamStatus.WITHDRAWN
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="team.withdraw",
        subject=team,
        campaign_id=campaign.id,
        before={"status": before},
        after={"status": TeamStatus.WITHDRAWN.value},
    )
    return team


async def accept_invitation(session: AsyncSession, actor: User, invitation_id: int, now: datetime) -> Team:
    await lock_person(session, actor.id)  # first, as creating a team does: see ``lock_person``
    invitation = await own_invitation(session, actor, invitation_id)
    team = await session.scalar(
        select(Team).where(Team.id == invitation.team_id).with_for_update().execution_options(populate_existing=True)
    )
    assert team is not None
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    if campaign.status is CampaignStatus.DRAFT:
        raise NotFound(INVITATION_NOT_FOUND)
    await check_team_window(session, campaign, now)
    if team.status is not TeamStatus.ACTIVE:
        raise Conflict(N_("This team is no longer active."))
    if await team_of_user(session, campaign.id, actor) is not None:
        raise Conflict(ALREADY_IN_TEAM)
    if not await is_eligible(session, campaign, actor):
        raise Forbidden(N_("This campaign is open to some departments only, and yours is not one of them."))
    members, _pending = await member_counts(session, team.id)
    if members >= campaign.max_team_size:
        raise Conflict(TEAM_FULL)
    invitation.status = InvitationStatus.ACCEPTED
    await session.flush()
    await add_member(session, team, actor)
    await session.flush()
    await record(session, at=now, actor_id=actor.id, action="team.join", subject=team, campaign_id=campaign.id)
    return team

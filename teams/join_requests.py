"""Requests to join a team: a person asks with a message, the captain accepts or declines.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
finds its objects in the actor's scope (anything else is 404), validates, changes, flushes,
writes its audit row and announces what happened.

Rules chosen here (DOMAIN.md is silent on them):
- anyone eligible without a team may ask any active team of a published campaign while teams
  can form; one open request per person and team; a full team (members and pending
  invitations fill it) takes no requests;
- only the captain accepts or declines; accepting checks again, under the locks every team
  change takes (the person first, then the team), that the person has no team, is eligible,
  that teams can still form and that the team has a free place; so two captains accepting the
  same person, or one captain accepting two people for the last place, cannot both succeed;
- the person may withdraw their request while it is open; once in a team, their other open
  requests in the campaign are withdrawn (``teams.membership.add_member``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.access import visible_campaign
from campaigns.models import Campaign, CampaignStatus
from core.audit import record
from core.errors import N_, Conflict, Forbidden, Invalid, NotFound
from core.events import publish
from teams.captaincy import NOT_CAPTAIN
from teams.events import JoinRequestDecided, JoinRequested
from teams.membership import ALREADY_IN_TEAM, TEAM_FULL, add_member, lock_person
from teams.models import JOIN_MESSAGE_MAX, JoinRequest, JoinRequestStatus, Team, TeamStatus
from teams.rules import NOT_ELIGIBLE, has_room
from teams.scope import TEAM_NOT_FOUND, check_team_window, is_eligible, member_counts, member_team, team_of_user

REQUEST_NOT_FOUND = N_("We could not find that request to join.")
NOT_OPEN = N_("This request is no longer open.")


@dataclass(frozen=True)
class JoinableTeam:
    team: Team
    campaign: Campaign


async def joinable_team(session: AsyncSession, actor: User, team_id: int) -> JoinableTeam:
    """An active team of a campaign the actor can see, with its challenge and captain; else 404."""
    team = await session.scalar(
        select(Team)
        .where(Team.id == team_id)
        .options(joinedload(Team.challenge), joinedload(Team.captain))
        .execution_options(populate_existing=True)
    )
    if team is None or team.status is not TeamStatus.ACTIVE:
        raise NotFound(TEAM_NOT_FOUND)
    try:
        campaign = await visible_campaign(session, team.campaign_id, actor)
    except NotFound:
        raise NotFound(TEAM_NOT_FOUND) from None
    if campaign.status is not CampaignStatus.PUBLISHED:
        raise NotFound(TEAM_NOT_FOUND)
    return JoinableTeam(team, campaign)


async def _check_can_ask(session: AsyncSession, actor: User, found: JoinableTeam, now: datetime) -> None:
    await check_team_window(session, found.campaign, now)
    if not await is_eligible(session, found.campaign, actor):
        raise Forbidden(NOT_ELIGIBLE)
    if await team_of_user(session, found.campaign.id, actor) is not None:
        raise Conflict(ALREADY_IN_TEAM)


async def request_blocker(session: AsyncSession, actor: User, found: JoinableTeam, now: datetime) -> str | None:
    """Why the actor cannot ask to join this team now (a message), or None: for the page's form."""
    try:
        await _check_can_ask(session, actor, found, now)
        await _check_room(session, found)
    except Conflict as exc:
        return exc.message
    except Forbidden as exc:
        return exc.message
    return None


async def _check_room(session: AsyncSession, found: JoinableTeam) -> None:
    members, pending = await member_counts(session, found.team.id)
    if not has_room(members, pending, found.campaign.max_team_size):
        raise Conflict(TEAM_FULL)


async def open_request(session: AsyncSession, user_id: int, team_id: int) -> JoinRequest | None:
    found: JoinRequest | None = await session.scalar(
        select(JoinRequest).where(
            JoinRequest.team_id == team_id,
            JoinRequest.user_id == user_id,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
    )
    return found


async def ask_to_join(session: AsyncSession, actor: User, team_id: int, message: str, now: datetime) -> JoinRequest:
    """The actor asks to join a team, with a message for its captain."""
    message = message.strip()
    if len(message) > JOIN_MESSAGE_MAX:
        raise Invalid(N_("The message can have at most 500 characters."), field="message")
    await lock_person(session, actor.id)  # one open request per team, even when sent twice at once
    found = await joinable_team(session, actor, team_id)
    await _check_can_ask(session, actor, found, now)
    if await open_request(session, actor.id, team_id) is not None:
        raise Conflict(N_("You have already asked to join this team; its captain has not answered yet."))
    await _check_room(session, found)
    request = JoinRequest(
        team_id=found.team.id, campaign_id=found.campaign.id, user_id=actor.id, message=message, requested_at=now
    )
    session.add(request)
    await session.flush()
    await record(
        session, at=now, actor_id=actor.id, action="team.join_request", subject=request, campaign_id=found.campaign.id
    )
    await publish(session, JoinRequested(request_id=request.id, team_id=found.team.id, user_id=actor.id, at=now))
    return request


async def _team_request(session: AsyncSession, team: Team, request_id: int) -> JoinRequest:
    request = await session.scalar(
        select(JoinRequest)
        .where(JoinRequest.id == request_id, JoinRequest.team_id == team.id)
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise NotFound(REQUEST_NOT_FOUND)
    return request


async def decide_request(
    session: AsyncSession, actor: User, team_id: int, request_id: int, accept: bool, now: datetime
) -> JoinRequest:
    """The captain accepts (the person joins) or declines a request; the person is told either way."""
    team = await member_team(session, actor, team_id)
    request = await _team_request(session, team, request_id)
    if team.captain_id != actor.id:
        raise Forbidden(NOT_CAPTAIN)
    if accept:
        await lock_person(session, request.user_id)  # first, as every change of who is in which team
        team = await member_team(session, actor, team_id, lock=True)
        request = await _team_request(session, team, request_id)
    if request.status is not JoinRequestStatus.PENDING:
        raise Conflict(NOT_OPEN)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    if accept:
        await _accept(session, team, campaign, request, now)
    request.status = JoinRequestStatus.ACCEPTED if accept else JoinRequestStatus.DECLINED
    request.decided_at = now
    request.decided_by_id = actor.id
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="team.join_request.accept" if accept else "team.join_request.decline",
        subject=request,
        campaign_id=campaign.id,
    )
    decided = JoinRequestDecided(
        request_id=request.id, team_id=team.id, user_id=request.user_id, accepted=accept, at=now
    )
    await publish(session, decided)
    return request


async def _accept(session: AsyncSession, team: Team, campaign: Campaign, request: JoinRequest, now: datetime) -> None:
    person = await session.get(User, request.user_id)
    assert person is not None
    await check_team_window(session, campaign, now)
    if team.status is not TeamStatus.ACTIVE:
        raise Conflict(N_("This team is no longer active."))
    if await team_of_user(session, campaign.id, person) is not None:
        raise Conflict(N_("This person has joined another team meanwhile."))
    if not person.is_active or not await is_eligible(session, campaign, person):
        raise Conflict(N_("This person is no longer eligible for this campaign."))
    members, _pending = await member_counts(session, team.id)
    if members >= campaign.max_team_size:
        raise Conflict(N_("The team is full: %(max)s people at most."), max=campaign.max_team_size)
    await add_member(session, team, person)


async def own_join_request(session: AsyncSession, actor: User, request_id: int) -> JoinRequest:
    """A request the actor sent; anyone else's is 404."""
    request = await session.scalar(
        select(JoinRequest)
        .where(JoinRequest.id == request_id, JoinRequest.user_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise NotFound(REQUEST_NOT_FOUND)
    return request


async def withdraw_request(session: AsyncSession, actor: User, request_id: int, now: datetime) -> JoinRequest:
    """The person who asked takes their open request back."""
    request = await own_join_request(session, actor, request_id)
    if request.status is not JoinRequestStatus.PENDING:
        raise Conflict(NOT_OPEN)
    request.status = JoinRequestStatus.WITHDRAWN
    request.decided_at = now
    await session.flush()
    return request


async def pending_requests_of_team(session: AsyncSession, team_id: int) -> list[JoinRequest]:
    """A team's open requests, oldest first, with each person and their department."""
    rows = await session.scalars(
        select(JoinRequest)
        .where(JoinRequest.team_id == team_id, JoinRequest.status == JoinRequestStatus.PENDING)
        .options(joinedload(JoinRequest.user).joinedload(User.department))
        .order_by(JoinRequest.requested_at, JoinRequest.id)
    )
    return list(rows.all())


async def requests_of_person(session: AsyncSession, user: User) -> list[JoinRequest]:
    """The person's requests in published campaigns, newest first: open ones and recent answers."""
    rows = await session.scalars(
        select(JoinRequest)
        .join(Campaign, Campaign.id == JoinRequest.campaign_id)
        .where(JoinRequest.user_id == user.id, Campaign.status == CampaignStatus.PUBLISHED)
        .options(joinedload(JoinRequest.team).joinedload(Team.challenge))
        .order_by(JoinRequest.requested_at.desc(), JoinRequest.id.desc())
        .limit(20)
    )
    return list(rows.all())

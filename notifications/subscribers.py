"""Domain events → notifications, in the transaction of the change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.events import PhaseOpened
from campaigns.models import Campaign, CampaignRoleKind, Phase, PhaseKind
from core.events import subscribe
from judging.events import (
    AdvancementApplied,
    AdvancementOverridden,
    AwardsAwaitingApproval,
    ResultsPublished,
    ResultsRepublished,
    RubricReopened,
)
from judging.models import AdvancementOutcome
from notifications.audiences import campaign_people, eligible_staff, members_of_team, team_members
from notifications.models import NotificationKind
from notifications.reminders import remind_judges
from notifications.services import notify
from teams.events import CaptainHandedOver, ExtensionGranted, InvitationSent, JoinRequestDecided, JoinRequested
from teams.models import Extension, Team


def campaign_link(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}"


async def _announce_phase(session: AsyncSession, event: PhaseOpened) -> None:
    """Registration opening is announced to everyone eligible; later phases to those taking part."""
    phase = await session.get(Phase, event.phase_id)
    campaign = await session.get(Campaign, event.campaign_id)
    if phase is None or campaign is None or phase.kind is PhaseKind.RESULTS:
        return  # results are announced when they are published
    if phase.kind is PhaseKind.JUDGING:
        audience = await campaign_people(session, campaign.id, CampaignRoleKind.JUDGE)
        link = "/judging"
    elif phase.kind is PhaseKind.REGISTRATION or not await team_members(session, campaign.id):
        audience = await eligible_staff(session, campaign)
        link = campaign_link(campaign.id)
    else:
        audience = await team_members(session, campaign.id)
        link = campaign_link(campaign.id)
    await notify(
        session,
        event.at,
        audience,
        NotificationKind.PHASE_OPENED,
        {
            "campaign": campaign.title,
            "phase": phase.name,
            "phase_kind": phase.kind.value,
            "closes_at": phase.closes_at.isoformat(),
            "timezone": campaign.timezone,
        },
        link=link,
        campaign_id=campaign.id,
    )


async def _tell_results_audience(
    session: AsyncSession, campaign_id: int, at: datetime, params: dict[str, Any], link: str
) -> None:
    """The campaign's team members (withdrawn too) and judges: who hears of its results."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        return
    audience = [
        *await team_members(session, campaign.id, active_only=False),
        *await campaign_people(session, campaign.id, CampaignRoleKind.JUDGE),
    ]
    await notify(
        session,
        at,
        audience,
        NotificationKind.RESULTS_PUBLISHED,
        {"campaign": campaign.title, **params},
        link=link.format(campaign=campaign.id),
        campaign_id=campaign.id,
    )


async def _announce_results(session: AsyncSession, event: ResultsPublished) -> None:
    await _tell_results_audience(session, event.campaign_id, event.at, {}, "/campaigns/{campaign}/results")


async def _announce_republication(session: AsyncSession, event: ResultsRepublished) -> None:
    """The results changed after publication: everyone told of the first publication is told why."""
    params = {"republished": True, "reason": event.reason}
    await _tell_results_audience(session, event.campaign_id, event.at, params, "/campaigns/{campaign}/winners")


async def _invitation(session: AsyncSession, event: InvitationSent) -> None:
    row = (
        await session.execute(
            select(Team.name, Campaign.title, Campaign.id)
            .join(Campaign, Campaign.id == Team.campaign_id)
            .where(Team.id == event.team_id)
        )
    ).one_or_none()
    inviter = await session.scalar(select(User.name).where(User.id == event.invited_by_id))
    if row is None:
        return
    team, campaign, campaign_id = row
    await notify(
        session,
        event.at,
        [event.invitee_id],
        NotificationKind.TEAM_INVITATION,
        {"team": team, "campaign": campaign, "inviter": inviter or ""},
        link="/invitations",
        campaign_id=campaign_id,
    )


async def _team_and_campaign(session: AsyncSession, team_id: int) -> tuple[int, str, int, str] | None:
    """(captain id, team name, campaign id, campaign title) of a team."""
    row = (
        await session.execute(
            select(Team.captain_id, Team.name, Campaign.id, Campaign.title)
            .join(Campaign, Campaign.id == Team.campaign_id)
            .where(Team.id == team_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def _join_requested(session: AsyncSession, event: JoinRequested) -> None:
    found = await _team_and_campaign(session, event.team_id)
    person = await session.scalar(select(User.name).where(User.id == event.user_id))
    if found is None:
        return
    captain_id, team, campaign_id, campaign = found
    params = {"person": person or "", "team": team, "campaign": campaign}
    link = f"/teams/{event.team_id}#requests"
    await notify(
        session, event.at, [captain_id], NotificationKind.JOIN_REQUEST, params, link=link, campaign_id=campaign_id
    )


async def _join_decided(session: AsyncSession, event: JoinRequestDecided) -> None:
    found = await _team_and_campaign(session, event.team_id)
    if found is None:
        return
    _captain_id, team, campaign_id, campaign = found
    params = {"team": team, "campaign": campaign, "accepted": event.accepted}
    link = f"/teams/{event.team_id}" if event.accepted else f"/campaigns/{campaign_id}/board"
    await notify(
        session, event.at, [event.user_id], NotificationKind.JOIN_ANSWER, params, link=link, campaign_id=campaign_id
    )


async def _captain(session: AsyncSession, event: CaptainHandedOver) -> None:
    found = await _team_and_campaign(session, event.team_id)
    previous = await session.scalar(select(User.name).where(User.id == event.previous_id))
    if found is None:
        return
    _captain_id, team, campaign_id, campaign = found
    params = {"person": previous or "", "team": team, "campaign": campaign}
    link = f"/teams/{event.team_id}"
    await notify(
        session, event.at, [event.captain_id], NotificationKind.CAPTAIN, params, link=link, campaign_id=campaign_id
    )


async def _extension(session: AsyncSession, event: ExtensionGranted) -> None:
    extension = await session.get(Extension, event.extension_id)
    team = await session.get(Team, event.team_id)
    phase = await session.get(Phase, event.phase_id)
    if extension is None or team is None or phase is None:
        return
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    await notify(
        session,
        event.at,
        await members_of_team(session, team.id),
        NotificationKind.EXTENSION_GRANTED,
        {
            "campaign": campaign.title,
            "phase": phase.name,
            "team": team.name,
            "until": extension.until.isoformat(),
            "timezone": campaign.timezone,
            "reason": extension.reason,
        },
        link=f"/teams/{team.id}/entry",
        campaign_id=campaign.id,
    )


async def _next_phase(session: AsyncSession, phase: Phase) -> Phase | None:
    following: Phase | None = await session.scalar(
        select(Phase)
        .where(
            Phase.campaign_id == phase.campaign_id,
            (Phase.position > phase.position) | ((Phase.position == phase.position) & (Phase.id > phase.id)),
        )
        .order_by(Phase.position, Phase.id)
        .limit(1)
    )
    return following


async def _tell_teams(
    session: AsyncSession, phase_id: int, at: datetime, outcomes: dict[AdvancementOutcome, list[int]]
) -> None:
    """Advancing teams hear of the next phase (name and opening), eliminated ones of the outcome."""
    phase = await session.get(Phase, phase_id)
    if phase is None:
        return
    campaign = await session.get(Campaign, phase.campaign_id)
    assert campaign is not None
    following = await _next_phase(session, phase)
    team_ids = [t for ids in outcomes.values() for t in ids]
    names = dict((await session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))).tuples().all())
    for outcome, ids in outcomes.items():
        advanced = outcome is AdvancementOutcome.ADVANCE
        for team_id in ids:
            params: dict[str, object] = {
                "campaign": campaign.title,
                "phase": phase.name,
                "team": names.get(team_id, ""),
            }
            if advanced and following is not None:
                params |= {
                    "next_phase": following.name,
                    "opens_at": following.opens_at.isoformat(),
                    "timezone": campaign.timezone,
                }
            await notify(
                session,
                at,
                await members_of_team(session, team_id),
                NotificationKind.TEAM_ADVANCED if advanced else NotificationKind.TEAM_ELIMINATED,
                params,
                link=campaign_link(campaign.id),
                campaign_id=campaign.id,
            )


async def _advancement_applied(session: AsyncSession, event: AdvancementApplied) -> None:
    outcomes = {AdvancementOutcome.ADVANCE: list(event.advanced), AdvancementOutcome.ELIMINATE: list(event.eliminated)}
    await _tell_teams(session, event.phase_id, event.at, outcomes)


async def _advancement_overridden(session: AsyncSession, event: AdvancementOverridden) -> None:
    await _tell_teams(session, event.phase_id, event.at, {AdvancementOutcome(event.outcome): [event.team_id]})


async def _awards_to_approve(session: AsyncSession, event: AwardsAwaitingApproval) -> None:
    campaign = await session.get(Campaign, event.campaign_id)
    if campaign is None:
        return
    executives = await session.scalars(select(User.id).where(User.is_executive.is_(True)).order_by(User.id))
    await notify(
        session,
        event.at,
        list(executives.all()),
        NotificationKind.AWARDS_TO_APPROVE,
        {"campaign": campaign.title},
        link=f"/campaigns/{campaign.id}/awards/approval",
        campaign_id=campaign.id,
    )


async def _rubric_reopened(session: AsyncSession, event: RubricReopened) -> None:
    """Each judge whose final scorecards went back to draft is asked to finalise them again.

    It is a judging reminder (the same kind, so the same choice of channels) with ``reopened``
    set; while judging is open it says until when."""
    phase = await session.get(Phase, event.phase_id)
    campaign = await session.get(Campaign, event.campaign_id)
    if phase is None or campaign is None:
        return
    await remind_judges(session, event.at, campaign, phase, dict(event.judges), reopened=True)


def register() -> None:
    subscribe(RubricReopened, _rubric_reopened)
    subscribe(AdvancementApplied, _advancement_applied)
    subscribe(AdvancementOverridden, _advancement_overridden)
    subscribe(AwardsAwaitingApproval, _awards_to_approve)
    subscribe(PhaseOpened, _announce_phase)
    subscribe(ResultsPublished, _announce_results)
    subscribe(ResultsRepublished, _announce_republication)
    subscribe(InvitationSent, _invitation)
    subscribe(JoinRequested, _join_requested)
    subscribe(JoinRequestDecided, _join_decided)
    subscribe(CaptainHandedOver, _captain)
    subscribe(ExtensionGranted, _extension)

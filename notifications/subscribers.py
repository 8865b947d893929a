"""Domain events → notifications, in the transaction of the change that caused them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, CampaignRoleKind, Phase, PhaseKind
from campaigns.services import PhaseOpened
from core.events import subscribe
from judging.awards import ResultsPublished
from notifications.audiences import campaign_people, eligible_staff, members_of_team, team_members
from notifications.models import NotificationKind
from notifications.services import notify
from teams.models import Extension, Team
from teams.services import ExtensionGranted, InvitationSent


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


async def _announce_results(session: AsyncSession, event: ResultsPublished) -> None:
    campaign = await session.get(Campaign, event.campaign_id)
    if campaign is None:
        return
    audience = [
        *await team_members(session, campaign.id, active_only=False),
        *await campaign_people(session, campaign.id, CampaignRoleKind.JUDGE),
    ]
    await notify(
        session,
        event.at,
        audience,
        NotificationKind.RESULTS_PUBLISHED,
        {"campaign": campaign.title},
        link=f"/campaigns/{campaign.id}/results",
        campaign_id=campaign.id,
    )


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


def register() -> None:
    subscribe(PhaseOpened, _announce_phase)
    subscribe(ResultsPublished, _announce_results)
    subscribe(InvitationSent, _invitation)
    subscribe(ExtensionGranted, _extension)

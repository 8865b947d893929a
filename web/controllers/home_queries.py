"""The home page's read queries: the person's teams, invitations, judging work and campaigns.

Every panel comes from one query (a few more for the details of the rows already found), so
the page runs a constant number of queries whatever the data size. The models are read
directly: the home page only reads, and the other areas' services may come later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from accounts.models import User
from campaigns.access import organizer_or_sponsor
from campaigns.models import (
    Campaign,
    CampaignDepartment,
    CampaignStatus,
    Phase,
    PhaseStatus,
)
from incubation.models import IncubationProject
from judging.models import Assignment, Scorecard, ScorecardStatus
from judging.withdrawn import judged
from teams.models import (
    Entry,
    EntryStatus,
    Extension,
    Invitation,
    InvitationStatus,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Team,
)

MAX_TEAMS = 20
MAX_INVITATIONS = 5
MAX_ORGANIZED = 10
MAX_OPEN = 6


@dataclass(frozen=True)
class InvitationCard:
    invitation: Invitation
    campaign: Campaign

    @property
    def campaign_title(self) -> str:
        return self.campaign.title


@dataclass(frozen=True)
class JudgingPhaseWork:
    phase_id: int
    phase_name: str
    due: datetime
    campaign_title: str
    timezone: str
    assigned: int
    final: int


async def my_teams(db: AsyncSession, user: User) -> tuple[list[tuple[Team, Campaign]], dict[int, int]]:
    """My teams with their campaigns, and each team's number of members (in the same query)."""
    others = aliased(Membership)
    size = select(func.count(others.id)).where(others.team_id == Team.id).correlate(Team).scalar_subquery()
    rows = await db.execute(
        select(Team, Campaign, size)
        .join(Membership, Membership.team_id == Team.id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .where(Membership.user_id == user.id, Campaign.status != CampaignStatus.ARCHIVED)
        .options(joinedload(Team.challenge))
        .order_by(Campaign.id.desc(), Team.id)
        .limit(MAX_TEAMS)
    )
    found = rows.all()
    return [(team, campaign) for team, campaign, _n in found], {team.id: int(n or 0) for team, _c, n in found}


async def entry_statuses(db: AsyncSession, team_ids: list[int]) -> dict[int, dict[int, EntryStatus]]:
    """Each team's entry status by phase id, in timeline order (the last one is the latest entry)."""
    if not team_ids:
        return {}
    rows = await db.execute(
        select(Entry.team_id, Entry.phase_id, Entry.status)
        .join(Phase, Phase.id == Entry.phase_id)
        .where(Entry.team_id.in_(team_ids))
        .order_by(Phase.position, Phase.id, Entry.id)
    )
    statuses: dict[int, dict[int, EntryStatus]] = {}
    for team_id, phase_id, status in rows.all():
        statuses.setdefault(team_id, {})[phase_id] = status
    return statuses


async def extensions_of(db: AsyncSession, team_ids: list[int]) -> dict[int, dict[int, datetime]]:
    if not team_ids:
        return {}
    rows = await db.execute(
        select(Extension.team_id, Extension.phase_id, Extension.until).where(Extension.team_id.in_(team_ids))
    )
    extensions: dict[int, dict[int, datetime]] = {}
    for team_id, phase_id, until in rows.all():
        extensions.setdefault(team_id, {})[phase_id] = until
    return extensions


async def projects_of(db: AsyncSession, team_ids: list[int]) -> dict[int, int]:
    if not team_ids:
        return {}
    rows = await db.execute(
        select(IncubationProject.team_id, IncubationProject.id).where(IncubationProject.team_id.in_(team_ids))
    )
    return {team_id: project_id for team_id, project_id in rows.all()}


async def pending_requests_of(db: AsyncSession, team_ids: list[int]) -> dict[int, int]:
    """How many requests to join wait for an answer, by team (for the teams the person captains)."""
    if not team_ids:
        return {}
    rows = await db.execute(
        select(JoinRequest.team_id, func.count())
        .where(JoinRequest.team_id.in_(team_ids), JoinRequest.status == JoinRequestStatus.PENDING)
        .group_by(JoinRequest.team_id)
    )
    return {team_id: count for team_id, count in rows.tuples()}


async def phases_of(db: AsyncSession, campaign_ids: set[int]) -> dict[int, list[Phase]]:
    if not campaign_ids:
        return {}
    phases = await db.scalars(
        select(Phase).where(Phase.campaign_id.in_(campaign_ids)).order_by(Phase.position, Phase.id)
    )
    grouped: dict[int, list[Phase]] = {}
    for phase in phases.all():
        grouped.setdefault(phase.campaign_id, []).append(phase)
    return grouped


async def invitations_of(db: AsyncSession, user: User) -> tuple[list[InvitationCard], int]:
    pending = (
        Invitation.invitee_id == user.id,
        Invitation.status == InvitationStatus.PENDING,
        Campaign.status == CampaignStatus.PUBLISHED,
    )
    total = (
        await db.scalar(
            select(func.count(Invitation.id))
            .join(Team, Team.id == Invitation.team_id)
            .join(Campaign, Campaign.id == Team.campaign_id)
            .where(*pending)
        )
        or 0
    )
    if not total:
        return [], 0
    rows = await db.execute(
        select(Invitation, Campaign)
        .join(Team, Team.id == Invitation.team_id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .where(*pending)
        .options(joinedload(Invitation.team).joinedload(Team.challenge), joinedload(Invitation.invited_by))
        .order_by(Invitation.id.desc())
        .limit(MAX_INVITATIONS)
    )
    return [InvitationCard(invitation, campaign) for invitation, campaign in rows.all()], total


async def judging_work(db: AsyncSession, user: User, now: datetime) -> list[JudgingPhaseWork]:
    """Per judging phase that has not closed: the entries assigned to me and how many I finalised."""
    shown = (Phase.id, Phase.name, Phase.closes_at, Phase.grace_minutes, Campaign.title, Campaign.timezone)
    rows = await db.execute(
        select(*shown, func.count(Assignment.id), func.count(Scorecard.id))
        .select_from(Assignment)
        .join(Phase, Phase.id == Assignment.phase_id)
        .join(Campaign, Campaign.id == Phase.campaign_id)
        .outerjoin(
            Scorecard,
            and_(
                Scorecard.phase_id == Assignment.phase_id,
                Scorecard.entry_id == Assignment.entry_id,
                Scorecard.judge_id == Assignment.judge_id,
                Scorecard.status == ScorecardStatus.FINAL,
            ),
        )
        .where(
            Assignment.judge_id == user.id,
            Phase.status != PhaseStatus.CLOSED,
            Phase.closes_at > now,
            judged(Assignment.entry_id),
        )
        .group_by(*shown)
        .order_by(Phase.closes_at, Phase.id)
    )
    return [
        JudgingPhaseWork(
            phase_id=phase_id,
            phase_name=name,
            due=closes_at + timedelta(minutes=grace),
            campaign_title=title,
            timezone=timezone,
            assigned=int(assigned or 0),
            final=int(final or 0),
        )
        for phase_id, name, closes_at, grace, title, timezone, assigned, final in rows.all()
    ]


async def organized_by(db: AsyncSession, user: User) -> list[Campaign]:
    campaigns = await db.scalars(
        select(Campaign)
        .where(Campaign.status != CampaignStatus.ARCHIVED, organizer_or_sponsor(user))
        .order_by(Campaign.id.desc())
        .limit(MAX_ORGANIZED)
    )
    return list(campaigns.all())


async def open_campaigns_for(db: AsyncSession, user: User) -> list[Campaign]:
    """Published campaigns this person is eligible for, newest first."""
    eligible = select(CampaignDepartment.campaign_id).where(CampaignDepartment.department_id == user.department_id)
    campaigns = await db.scalars(
        select(Campaign)
        .where(
            Campaign.status == CampaignStatus.PUBLISHED,
            or_(Campaign.all_staff_eligible.is_(True), Campaign.id.in_(eligible)),
        )
        .order_by(Campaign.published_at.desc(), Campaign.id.desc())
        .limit(MAX_OPEN)
    )
    return list(campaigns.all())

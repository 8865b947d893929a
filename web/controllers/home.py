"""The home page: what the signed-in person can do next.

Every panel comes from one query (a few more for the details of the rows already found), so
the page runs a constant number of queries whatever the data size. The models are read
directly: the home page only reads, and the other areas' services may come later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.deadlines import current_phase
from campaigns.models import (
    Campaign,
    CampaignDepartment,
    CampaignRole,
    CampaignRoleKind,
    CampaignStatus,
    Phase,
    PhaseStatus,
)
from incubation.models import IncubationProject
from judging.models import Assignment, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, Invitation, InvitationStatus, Membership, Team
from web.deps import USER, AppClock, DbSession, signed_in

MAX_TEAMS = 20
MAX_INVITATIONS = 5
MAX_ORGANIZED = 10
MAX_OPEN = 6


@dataclass(frozen=True)
class TeamCard:
    team: Team
    campaign: Campaign
    entry_status: EntryStatus | None
    current: Phase | None
    project_id: int | None


@dataclass(frozen=True)
class InvitationCard:
    invitation: Invitation
    campaign_title: str


@dataclass(frozen=True)
class JudgingWork:
    assigned: int
    final: int

    @property
    def remaining(self) -> int:
        return max(0, self.assigned - self.final)


async def _my_teams(db: AsyncSession, user: User) -> list[tuple[Team, Campaign]]:
    rows = await db.execute(
        select(Team, Campaign)
        .join(Membership, Membership.team_id == Team.id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .where(Membership.user_id == user.id, Campaign.status != CampaignStatus.ARCHIVED)
        .options(joinedload(Team.challenge))
        .order_by(Campaign.id.desc(), Team.id)
        .limit(MAX_TEAMS)
    )
    return [(team, campaign) for team, campaign in rows.all()]


async def _latest_entry_status(db: AsyncSession, team_ids: list[int]) -> dict[int, EntryStatus]:
    """The status of each team's latest entry (the one of its latest submission phase)."""
    if not team_ids:
        return {}
    rows = await db.execute(
        select(Entry.team_id, Entry.status)
        .join(Phase, Phase.id == Entry.phase_id)
        .where(Entry.team_id.in_(team_ids))
        .order_by(Phase.position, Phase.id, Entry.id)
    )
    return {team_id: status for team_id, status in rows.all()}


async def _projects_of(db: AsyncSession, team_ids: list[int]) -> dict[int, int]:
    if not team_ids:
        return {}
    rows = await db.execute(
        select(IncubationProject.team_id, IncubationProject.id).where(IncubationProject.team_id.in_(team_ids))
    )
    return {team_id: project_id for team_id, project_id in rows.all()}


async def _phases_of(db: AsyncSession, campaign_ids: set[int]) -> dict[int, list[Phase]]:
    if not campaign_ids:
        return {}
    phases = await db.scalars(
        select(Phase).where(Phase.campaign_id.in_(campaign_ids)).order_by(Phase.position, Phase.id)
    )
    grouped: dict[int, list[Phase]] = {}
    for phase in phases.all():
        grouped.setdefault(phase.campaign_id, []).append(phase)
    return grouped


async def _invitations(db: AsyncSession, user: User) -> tuple[list[InvitationCard], int]:
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
        select(Invitation, Campaign.title)
        .join(Team, Team.id == Invitation.team_id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .where(*pending)
        .options(joinedload(Invitation.team).joinedload(Team.challenge), joinedload(Invitation.invited_by))
        .order_by(Invitation.id.desc())
        .limit(MAX_INVITATIONS)
    )
    return [InvitationCard(invitation, title) for invitation, title in rows.all()], total


async def _judging_work(db: AsyncSession, user: User, now: datetime) -> JudgingWork:
    """Entries assigned to me in judging phases that have not closed, and how many I finalised."""
    row = (
        await db.execute(
            select(func.count(Assignment.id), func.count(Scorecard.id))
            .join(Phase, Phase.id == Assignment.phase_id)
            .outerjoin(
                Scorecard,
                and_(
                    Scorecard.phase_id == Assignment.phase_id,
                    Scorecard.entry_id == Assignment.entry_id,
                    Scorecard.judge_id == Assignment.judge_id,
                    Scorecard.status == ScorecardStatus.FINAL,
                ),
            )
            .where(Assignment.judge_id == user.id, Phase.status != PhaseStatus.CLOSED, Phase.closes_at > now)
        )
    ).one()
    return JudgingWork(assigned=int(row[0] or 0), final=int(row[1] or 0))


async def _organized(db: AsyncSession, user: User) -> list[Campaign]:
    roles = select(CampaignRole.campaign_id).where(
        CampaignRole.user_id == user.id, CampaignRole.role == CampaignRoleKind.ORGANIZER
    )
    campaigns = await db.scalars(
        select(Campaign)
        .where(Campaign.status != CampaignStatus.ARCHIVED, or_(Campaign.id.in_(roles), Campaign.sponsor_id == user.id))
        .order_by(Campaign.id.desc())
        .limit(MAX_ORGANIZED)
    )
    return list(campaigns.all())


async def _open_campaigns(db: AsyncSession, user: User) -> list[Campaign]:
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


@get("/", opt=USER, name="home")
async def home(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Template:
    user = signed_in(request)
    now = clock.now()
    teams = await _my_teams(db_session, user)
    team_ids = [team.id for team, _c in teams]
    statuses = await _latest_entry_status(db_session, team_ids)
    projects = await _projects_of(db_session, team_ids)
    invitations, invitation_count = await _invitations(db_session, user)
    judging = await _judging_work(db_session, user, now)
    organized = await _organized(db_session, user)
    open_campaigns = await _open_campaigns(db_session, user)
    my_campaign_ids = {campaign.id for _t, campaign in teams}
    open_campaigns = [c for c in open_campaigns if c.id not in my_campaign_ids]
    phases = await _phases_of(db_session, my_campaign_ids | {c.id for c in open_campaigns})
    cards = [
        TeamCard(
            team=team,
            campaign=campaign,
            entry_status=statuses.get(team.id),
            current=current_phase(phases.get(campaign.id, []), now),
            project_id=projects.get(team.id),
        )
        for team, campaign in teams
    ]
    return Template(
        template_name="home.html",
        context={
            "teams": cards,
            "invitations": invitations,
            "invitation_count": invitation_count,
            "judging": judging,
            "organized": organized,
            "open_campaigns": open_campaigns,
            "open_current": {c.id: current_phase(phases.get(c.id, []), now) for c in open_campaigns},
            "now": now,
        },
    )


routes = [home]

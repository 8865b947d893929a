"""The home page: what the signed-in person can do next.

Every panel comes from one query (a few more for the details of the rows already found), so
the page runs a constant number of queries whatever the data size. The models are read
directly: the home page only reads, and the other areas' services may come later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

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
from judging.withdrawn import judged
from teams.models import Entry, EntryStatus, Extension, Invitation, InvitationStatus, Membership, Team
from teams.next_steps import team_steps, team_window_close
from teams.rules import TeamOffer, team_offer
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
    campaign: Campaign

    @property
    def campaign_title(self) -> str:
        return self.campaign.title


@dataclass(frozen=True)
class NextStep:
    """One line of "what to do next": what (``kind``), by when, where, and the link to do it."""

    kind: str  # submit, edit_until, prepare, find_members, invitation, judging, form_team
    due: datetime | None
    timezone: str
    campaign_title: str
    link: str
    team_name: str = ""
    phase_name: str = ""
    opens_at: datetime | None = None
    extended: bool = False
    count: int = 0


@dataclass(frozen=True)
class JudgingPhaseWork:
    phase_id: int
    phase_name: str
    due: datetime
    campaign_title: str
    timezone: str
    assigned: int
    final: int


@dataclass(frozen=True)
class JudgingWork:
    assigned: int
    final: int

    @property
    def remaining(self) -> int:
        return max(0, self.assigned - self.final)


async def _my_teams(db: AsyncSession, user: User) -> tuple[list[tuple[Team, Campaign]], dict[int, int]]:
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


async def _entry_statuses(db: AsyncSession, team_ids: list[int]) -> dict[int, dict[int, EntryStatus]]:
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


async def _extensions_of(db: AsyncSession, team_ids: list[int]) -> dict[int, dict[int, datetime]]:
    if not team_ids:
        return {}
    rows = await db.execute(
        select(Extension.team_id, Extension.phase_id, Extension.until).where(Extension.team_id.in_(team_ids))
    )
    extensions: dict[int, dict[int, datetime]] = {}
    for team_id, phase_id, until in rows.all():
        extensions.setdefault(team_id, {})[phase_id] = until
    return extensions


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
        select(Invitation, Campaign)
        .join(Team, Team.id == Invitation.team_id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .where(*pending)
        .options(joinedload(Invitation.team).joinedload(Team.challenge), joinedload(Invitation.invited_by))
        .order_by(Invitation.id.desc())
        .limit(MAX_INVITATIONS)
    )
    return [InvitationCard(invitation, campaign) for invitation, campaign in rows.all()], total


async def _judging_work(db: AsyncSession, user: User, now: datetime) -> list[JudgingPhaseWork]:
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


def _step_order(step: NextStep) -> tuple[bool, datetime, str]:
    return (step.due is None, step.due or datetime.max.replace(tzinfo=UTC), step.kind)


def _team_next_steps(
    teams: list[tuple[Team, Campaign]],
    phases: dict[int, list[Phase]],
    statuses: dict[int, dict[int, EntryStatus]],
    members: dict[int, int],
    extensions: dict[int, dict[int, datetime]],
    now: datetime,
) -> list[NextStep]:
    steps = []
    for team, campaign in teams:
        found = team_steps(
            campaign,
            team.status,
            phases.get(campaign.id, []),
            statuses.get(team.id, {}),
            members.get(team.id, 0),
            extensions.get(team.id, {}),
            now,
        )
        for step in found:
            link = f"/teams/{team.id}" if step.phase is None else f"/teams/{team.id}/entry?phase={step.phase.id}"
            steps.append(
                NextStep(
                    kind=step.kind.value,
                    due=step.due,
                    timezone=campaign.timezone,
                    campaign_title=campaign.title,
                    link=link,
                    team_name=team.name,
                    phase_name=step.phase.name if step.phase else "",
                    opens_at=step.opens_at,
                    extended=step.extended,
                    count=step.missing,
                )
            )
    return steps


def _form_team_steps(
    offers: dict[int, TeamOffer],
    open_campaigns: list[Campaign],
    invited: set[int],
    phases: dict[int, list[Phase]],
    now: datetime,
) -> list[NextStep]:
    """Form a team in each open campaign that offers it, unless an invitation there waits for an answer."""
    return [
        NextStep(
            kind="form_team",
            due=team_window_close(phases.get(campaign.id, []), now),
            timezone=campaign.timezone,
            campaign_title=campaign.title,
            link=f"/campaigns/{campaign.id}/teams/new",
        )
        for campaign in open_campaigns
        if offers[campaign.id].can_form and campaign.id not in invited
    ]


def _next_steps(
    team_steps_: list[NextStep],
    invitations: list[InvitationCard],
    phases: dict[int, list[Phase]],
    judging: list[JudgingPhaseWork],
    now: datetime,
) -> list[NextStep]:
    """Everything the person should do, soonest deadline first."""
    steps = list(team_steps_)
    for card in invitations:
        steps.append(
            NextStep(
                kind="invitation",
                due=team_window_close(phases.get(card.campaign.id, []), now),
                timezone=card.campaign.timezone,
                campaign_title=card.campaign.title,
                link="/invitations",
                team_name=card.invitation.team.name,
            )
        )
    for work in judging:
        if work.assigned > work.final:
            steps.append(
                NextStep(
                    kind="judging",
                    due=work.due,
                    timezone=work.timezone,
                    campaign_title=work.campaign_title,
                    link="/judging",
                    phase_name=work.phase_name,
                    count=work.assigned - work.final,
                )
            )
    return sorted(steps, key=_step_order)


@get("/", opt=USER, name="home")
async def home(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Template:
    user = signed_in(request)
    now = clock.now()
    teams, members = await _my_teams(db_session, user)
    team_ids = [team.id for team, _c in teams]
    statuses = await _entry_statuses(db_session, team_ids)
    extensions = await _extensions_of(db_session, team_ids)
    projects = await _projects_of(db_session, team_ids)
    invitations, invitation_count = await _invitations(db_session, user)
    judging_phases = await _judging_work(db_session, user, now)
    organized = await _organized(db_session, user)
    open_campaigns = await _open_campaigns(db_session, user)
    my_campaign_ids = {campaign.id for _t, campaign in teams}
    open_campaigns = [c for c in open_campaigns if c.id not in my_campaign_ids]
    invited_ids = {card.campaign.id for card in invitations}
    phases = await _phases_of(db_session, my_campaign_ids | invited_ids | {c.id for c in open_campaigns})
    cards = [
        TeamCard(
            team=team,
            campaign=campaign,
            entry_status=next(reversed(statuses[team.id].values())) if statuses.get(team.id) else None,
            current=current_phase(phases.get(campaign.id, []), now),
            project_id=projects.get(team.id),
        )
        for team, campaign in teams
    ]
    # open campaigns are the eligible ones the person has no team in (see above)
    offers = {c.id: team_offer(c, phases.get(c.id, []), now, eligible=True, team=None) for c in open_campaigns}
    mine = _team_next_steps(teams, phases, statuses, members, extensions, now)
    # nobody is asked to compete in a campaign they run
    organized_ids = {c.id for c in organized}
    joinable = [c for c in open_campaigns if c.id not in organized_ids]
    mine += _form_team_steps(offers, joinable, invited_ids, phases, now)
    return Template(
        template_name="home.html",
        context={
            "next_steps": _next_steps(mine, invitations, phases, judging_phases, now),
            "offers": offers,
            "teams": cards,
            "invitations": invitations,
            "invitation_count": invitation_count,
            "judging": JudgingWork(
                assigned=sum(w.assigned for w in judging_phases), final=sum(w.final for w in judging_phases)
            ),
            "organized": organized,
            "open_campaigns": open_campaigns,
            "open_current": {c.id: current_phase(phases.get(c.id, []), now) for c in open_campaigns},
            "now": now,
        },
    )


routes = [home]

"""A person's innovation record: their teams, entries, awards, the judging they did and the
incubation projects of their teams. A fixed number of statements whatever the history.

Who reads whose (``readable_record``): everyone their own; executives and admins anyone's; to
anyone else another person's record does not exist (404). Awards appear once the campaign's
results are published; entries show the version submitted in time, except to their own team,
who also see their working title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import is_platform_lead
from accounts.models import Department, User
from campaigns.models import Campaign, Challenge, Phase
from core.errors import N_, NotFound
from incubation.models import IncubationProject, Milestone, ProjectOutcome
from judging.models import Assignment, Award, Scorecard, ScorecardStatus
from teams.models import Entry, Membership, Team

PERSON_NOT_FOUND = N_("We could not find that person.")


def readable_record(viewer: User, person_id: int) -> int:
    """The id of a person whose record the viewer may read; else 404."""
    if viewer.id != person_id and not is_platform_lead(viewer):
        raise NotFound(PERSON_NOT_FOUND)
    return person_id


@dataclass(frozen=True)
class TeamLine:
    team_id: int
    team: str
    campaign_id: int
    campaign: str
    challenge: str
    status: str
    captain: bool


@dataclass(frozen=True)
class EntryLine:
    team_id: int
    team: str
    campaign: str
    phase: str
    status: str
    title: str  # "" when there is nothing the reader may see
    submitted_at: datetime | None


@dataclass(frozen=True)
class AwardLine:
    award: str
    team: str
    campaign: str
    published_at: datetime


@dataclass(frozen=True)
class JudgingLine:
    phase: str
    campaign: str
    closes_at: datetime
    assigned: int
    final: int
    on_time: int  # final before the phase closed


@dataclass(frozen=True)
class ProjectLine:
    project_id: int
    title: str
    team: str
    campaign: str
    status: str
    budget_requested: Decimal
    budget_approved: Decimal | None
    milestones: int = 0
    milestones_done: int = 0
    realised: tuple[tuple[str, Decimal], ...] = ()  # (unit, sum of the outcomes), by unit


@dataclass(frozen=True)
class Record:
    person: User
    department: str | None
    teams: list[TeamLine]
    entries: list[EntryLine]
    awards: list[AwardLine]
    judging: list[JudgingLine]
    projects: list[ProjectLine]

    @property
    def empty(self) -> bool:
        return not (self.teams or self.entries or self.awards or self.judging or self.projects)


async def record_of(session: AsyncSession, person_id: int, now: datetime, *, own: bool) -> Record:
    """The record of the person (seven statements); NotFound when there is no such person."""
    found = (
        await session.execute(
            select(User, Department.name)
            .outerjoin(Department, Department.id == User.department_id)
            .where(User.id == person_id)
        )
    ).first()
    if found is None:
        raise NotFound(PERSON_NOT_FOUND)
    person, department = found
    mine = select(Membership.team_id).where(Membership.user_id == person_id).scalar_subquery()

    teams = [
        TeamLine(t.id, t.name, c.id, c.title, challenge, t.status.value, t.captain_id == person_id)
        for t, c, challenge in await session.execute(
            select(Team, Campaign, Challenge.title)
            .join(Campaign, Campaign.id == Team.campaign_id)
            .join(Challenge, Challenge.id == Team.challenge_id)
            .where(Team.id.in_(mine))
            .order_by(Team.id.desc())
        )
    ]
    entries = [
        EntryLine(
            e.team_id,
            team,
            campaign,
            phase,
            e.status.value,
            (e.title or e.submitted_title or "") if own else (e.submitted_title or ""),
            e.submitted_at,
        )
        for e, team, campaign, phase in await session.execute(
            select(Entry, Team.name, Campaign.title, Phase.name)
            .join(Team, Team.id == Entry.team_id)
            .join(Campaign, Campaign.id == Team.campaign_id)
            .join(Phase, Phase.id == Entry.phase_id)
            .where(Entry.team_id.in_(mine))
            .order_by(Entry.id.desc())
        )
    ]
    awards = [
        AwardLine(name, team, campaign, published)
        for name, team, campaign, published in await session.execute(
            select(Award.name, Team.name, Campaign.title, Campaign.results_published_at)
            .join(Team, Team.id == Award.team_id)
            .join(Campaign, Campaign.id == Award.campaign_id)
            .where(
                Award.team_id.in_(mine),
                Campaign.results_published_at.is_not(None),
                Campaign.results_published_at <= now,
            )
            .order_by(Award.id.desc())
        )
    ]
    final = Scorecard.status == ScorecardStatus.FINAL
    judging = [
        JudgingLine(phase, campaign, closes, int(assigned), int(done or 0), int(on_time or 0))
        for phase, campaign, closes, assigned, done, on_time in await session.execute(
            select(
                Phase.name,
                Campaign.title,
                Phase.closes_at,
                func.count(Assignment.id),
                func.sum(case((final, 1), else_=0)),
                func.sum(case((and_(final, Scorecard.finalised_at < Phase.closes_at), 1), else_=0)),
            )
            .select_from(Assignment)
            .join(Phase, Phase.id == Assignment.phase_id)
            .join(Campaign, Campaign.id == Phase.campaign_id)
            .outerjoin(
                Scorecard,
                and_(
                    Scorecard.phase_id == Assignment.phase_id,
                    Scorecard.entry_id == Assignment.entry_id,
                    Scorecard.judge_id == Assignment.judge_id,
                ),
            )
            .where(Assignment.judge_id == person_id)
            .group_by(Phase.id, Phase.name, Campaign.title, Phase.closes_at)
            .order_by(Phase.closes_at.desc(), Phase.id.desc())
        )
    ]
    milestones = select(func.count(Milestone.id)).where(Milestone.project_id == IncubationProject.id).scalar_subquery()
    done = (
        select(func.count(Milestone.id))
        .where(Milestone.project_id == IncubationProject.id, Milestone.done_at.is_not(None))
        .scalar_subquery()
    )
    realised: dict[int, list[tuple[str, Decimal]]] = {}
    for project_id, unit, total in await session.execute(
        select(ProjectOutcome.project_id, ProjectOutcome.unit, func.sum(ProjectOutcome.value))
        .join(IncubationProject, IncubationProject.id == ProjectOutcome.project_id)
        .where(IncubationProject.team_id.in_(mine))
        .group_by(ProjectOutcome.project_id, ProjectOutcome.unit)
        .order_by(ProjectOutcome.project_id, ProjectOutcome.unit)
    ):
        realised.setdefault(project_id, []).append((unit, Decimal(str(total or 0)).quantize(Decimal("0.01"))))
    projects = [
        ProjectLine(
            p.id,
            p.title,
            team,
            campaign,
            p.status.value,
            p.budget_requested,
            p.budget_approved,
            int(total or 0),
            int(ticked or 0),
            tuple(realised.get(p.id, ())),
        )
        for p, team, campaign, total, ticked in await session.execute(
            select(IncubationProject, Team.name, Campaign.title, milestones, done)
            .join(Team, Team.id == IncubationProject.team_id)
            .join(Campaign, Campaign.id == IncubationProject.campaign_id)
            .where(IncubationProject.team_id.in_(mine))
            .order_by(IncubationProject.id.desc())
        )
    ]
    return Record(person, department, teams, entries, awards, judging, projects)

"""Incubation read models: the projects and proposals lists, the winners that may be proposed,
a project in the reader's scope and its details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.access import organizes
from campaigns.models import Campaign
from core.errors import N_, Invalid, NotFound
from incubation.access import (
    can_see_project,
    project_standing,
)
from incubation.models import IncubationProject, Milestone, ProjectOutcome, ProjectStatus, ProjectUpdate
from incubation.project_fields import MILESTONES_MAX, PROJECT_NOT_FOUND
from judging.models import Award
from teams.models import Membership, Team


def projects_query() -> Select[tuple[IncubationProject]]:
    """All projects, newest first, with team, challenge and sponsor loaded."""
    return (
        select(IncubationProject)
        .options(
            joinedload(IncubationProject.team).joinedload(Team.challenge),
            joinedload(IncubationProject.sponsor),
        )
        .order_by(IncubationProject.id.desc())
    )


def proposals_query() -> Select[tuple[IncubationProject]]:
    """The queue of proposals waiting for a decision, oldest first."""
    return (
        projects_query()
        .where(IncubationProject.status == ProjectStatus.PROPOSED)
        .order_by(None)
        .order_by(IncubationProject.proposed_at, IncubationProject.id)
    )


async def campaign_titles(session: AsyncSession, campaign_ids: set[int]) -> dict[int, Campaign]:
    if not campaign_ids:
        return {}
    rows = await session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))
    return {c.id: c for c in rows.all()}


@dataclass
class Candidate:
    """A winning team of a campaign with published results that has no project yet."""

    team: Team
    campaign: Campaign
    awards: list[str] = field(default_factory=list)


def _published(now: datetime) -> Any:
    return Campaign.results_published_at.is_not(None) & (Campaign.results_published_at <= now)


async def candidates(
    session: AsyncSession, now: datetime, *, limit: int = 100, user: User | None = None
) -> list[Candidate]:
    """Award-winning teams without a project, newest campaigns first (one query); with ``user``,
    only the ones they may propose (``access.can_propose``, executives aside)."""
    has_project = exists().where(IncubationProject.team_id == Award.team_id)
    query = (
        select(Award, Campaign)
        .join(Campaign, Campaign.id == Award.campaign_id)
        .where(_published(now), ~has_project)
        .options(joinedload(Award.team).joinedload(Team.challenge))
        .order_by(Campaign.results_published_at.desc(), Campaign.id.desc(), Award.team_id, Award.id)
        .limit(limit)
    )
    if user is not None:  # a member's own winning teams, and the winners of campaigns they organize
        query = query.where(
            exists().where(Membership.team_id == Award.team_id, Membership.user_id == user.id)
            | organizes(user.id, Award.campaign_id)
        )
    found: dict[int, Candidate] = {}
    for award, campaign in (await session.execute(query)).all():
        candidate = found.setdefault(award.team_id, Candidate(team=award.team, campaign=campaign))
        candidate.awards.append(award.name)
    return list(found.values())


async def winning_team(session: AsyncSession, team_id: int, now: datetime) -> tuple[Team, Campaign, list[str]]:
    """The team with its campaign and award names, if it may enter incubation; else Invalid."""
    rows = (
        await session.execute(
            select(Award, Campaign)
            .join(Campaign, Campaign.id == Award.campaign_id)
            .where(Award.team_id == team_id, _published(now))
            .options(joinedload(Award.team).joinedload(Team.challenge))
            .order_by(Award.id)
        )
    ).all()
    if not rows:
        raise Invalid(
            N_("Only a team that won an award of a campaign with published results can enter incubation."),
            field="team_id",
        )
    award, campaign = rows[0]
    return award.team, campaign, [a.name for a, _c in rows]


async def project_for(session: AsyncSession, user: User, project_id: int) -> IncubationProject:
    """A project the user may see (``access.can_see_project``); else 404."""
    project = await session.scalar(
        projects_query().where(IncubationProject.id == project_id).execution_options(populate_existing=True)
    )
    if project is None:
        raise NotFound(PROJECT_NOT_FOUND)
    if not can_see_project(await project_standing(session, user, project)):
        raise NotFound(PROJECT_NOT_FOUND)
    return project


async def approver_of(session: AsyncSession, project: IncubationProject) -> User | None:
    if project.approved_by_id is None:
        return None
    return await session.get(User, project.approved_by_id)


async def team_members(session: AsyncSession, team_id: int) -> list[User]:
    return list(
        (
            await session.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.team_id == team_id)
                .order_by(Membership.id)
            )
        ).all()
    )


@dataclass
class ProjectDetails:
    milestones: list[Milestone]
    updates: list[ProjectUpdate]
    outcomes: list[ProjectOutcome]


UPDATES_SHOWN = 50
OUTCOMES_SHOWN = 200


async def details(session: AsyncSession, project: IncubationProject) -> ProjectDetails:
    """Milestones (by due day), the latest updates and the outcomes over time: three queries."""
    milestones = (
        await session.scalars(
            select(Milestone)
            .where(Milestone.project_id == project.id)
            .options(joinedload(Milestone.owner))
            .order_by(Milestone.due_on, Milestone.id)
            .limit(MILESTONES_MAX * 5)
        )
    ).all()
    updates = (
        await session.scalars(
            select(ProjectUpdate)
            .where(ProjectUpdate.project_id == project.id)
            .options(joinedload(ProjectUpdate.author))
            .order_by(ProjectUpdate.at.desc(), ProjectUpdate.id.desc())
            .limit(UPDATES_SHOWN)
        )
    ).all()
    outcomes = (
        await session.scalars(
            select(ProjectOutcome)
            .where(ProjectOutcome.project_id == project.id)
            .order_by(ProjectOutcome.measured_on, ProjectOutcome.id)
            .limit(OUTCOMES_SHOWN)
        )
    ).all()
    return ProjectDetails(list(milestones), list(updates), list(outcomes))

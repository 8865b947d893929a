"""Incubation: award-winning teams of published campaigns become projects, decided by executives.

Rules chosen here (DOMAIN.md leaves them open):

- Only a team that won an award of a campaign whose results are published can enter
  incubation, and each team at most once.
- Budgets are amounts of money with at most two decimals, from 0 to 999,999,999,999.99. The
  approved budget never exceeds the requested one: to give more, raise the request first.
  Approving without an approved amount approves the full request.
- The sponsor is an active executive (by e-mail); by default the executive who decides.
- Status moves forward only: proposed → approved → running → implemented, and any
  unfinished project can be stopped. Implemented and stopped are final.
- Executives (and admins) see every project; members of the project's team see their own
  project; to everyone else a project does not exist (404).
- Every decision is written to the audit log with its before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.access import is_platform_lead
from accounts.models import User
from accounts.services import normalise_email, validate_email
from campaigns.models import Campaign
from core.audit import record
from core.concurrency import add_unique
from core.errors import N_, Conflict, Invalid, NotFound, ValidationFailed
from incubation.models import IncubationProject, ProjectStatus
from judging.models import Award
from teams.models import Membership, Team

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
BUDGET_MAX = Decimal("999999999999.99")
PROJECT_NOT_FOUND = N_("We could not find that incubation project.")

TRANSITIONS: dict[ProjectStatus, tuple[ProjectStatus, ...]] = {
    ProjectStatus.PROPOSED: (ProjectStatus.APPROVED, ProjectStatus.STOPPED),
    ProjectStatus.APPROVED: (ProjectStatus.RUNNING, ProjectStatus.STOPPED),
    ProjectStatus.RUNNING: (ProjectStatus.IMPLEMENTED, ProjectStatus.STOPPED),
    ProjectStatus.IMPLEMENTED: (),
    ProjectStatus.STOPPED: (),
}


def can_decide(user: User) -> bool:
    return is_platform_lead(user)


def next_statuses(status: ProjectStatus) -> tuple[ProjectStatus, ...]:
    return TRANSITIONS[status]


def parse_budget(raw: str) -> Decimal | None:
    """A money amount typed by a person ("12 500.50", "12,500.5"); None when it is not one."""
    text = raw.strip().replace(" ", "").replace(",", "").replace("\u00a0", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > BUDGET_MAX or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def snapshot(project: IncubationProject) -> dict[str, Any]:
    """What the audit log keeps of a project (JSON-friendly)."""
    return {
        "team_id": project.team_id,
        "title": project.title,
        "sponsor_id": project.sponsor_id,
        "budget_requested": str(project.budget_requested),
        "budget_approved": None if project.budget_approved is None else str(project.budget_approved),
        "status": project.status.value,
        "approved_by_id": project.approved_by_id,
        "approved_at": project.approved_at.isoformat() if project.approved_at else None,
    }


# --- reading ---------------------------------------------------------------------------------


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


async def candidates(session: AsyncSession, now: datetime, *, limit: int = 100) -> list[Candidate]:
    """Award-winning teams without a project, newest campaigns first (one query)."""
    has_project = exists().where(IncubationProject.team_id == Award.team_id)
    rows = await session.execute(
        select(Award, Campaign)
        .join(Campaign, Campaign.id == Award.campaign_id)
        .where(_published(now), ~has_project)
        .options(joinedload(Award.team).joinedload(Team.challenge))
        .order_by(Campaign.results_published_at.desc(), Campaign.id.desc(), Award.team_id, Award.id)
        .limit(limit)
    )
    found: dict[int, Candidate] = {}
    for award, campaign in rows.all():
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
    """A project the user may see: executives and admins all, team members their own; else 404."""
    project = await session.scalar(
        projects_query().where(IncubationProject.id == project_id).execution_options(populate_existing=True)
    )
    if project is None:
        raise NotFound(PROJECT_NOT_FOUND)
    if can_decide(user):
        return project
    member = await session.scalar(
        select(Membership.id).where(Membership.team_id == project.team_id, Membership.user_id == user.id)
    )
    if member is None:
        raise NotFound(PROJECT_NOT_FOUND)
    return project


async def approver_of(session: AsyncSession, project: IncubationProject) -> User | None:
    if project.approved_by_id is None:
        return None
    return await session.get(User, project.approved_by_id)


# --- deciding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectInput:
    team_id: int | None
    title: str
    description: str
    sponsor_email: str
    budget_requested: str
    budget_approved: str
    approve: bool = True


async def _sponsor(session: AsyncSession, actor: User, email: str) -> User | str:
    """The sponsoring executive, or an error message."""
    if not email:
        if actor.is_executive:
            return actor
        return N_("Enter the e-mail address of the sponsoring executive.")
    address = normalise_email(email)
    if message := validate_email(address):
        return message
    user = await session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active or not user.is_executive:
        return N_("The sponsor must be an active executive.")
    return user


async def create_project(session: AsyncSession, actor: User, now: datetime, data: ProjectInput) -> IncubationProject:
    """Proposes a winning team for incubation, or approves it at once (the default)."""
    if not can_decide(actor):
        raise NotFound(PROJECT_NOT_FOUND)
    errors: dict[str, str] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = N_("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = N_("The title can have at most 200 characters.")
    if len(data.description) > DESCRIPTION_MAX:
        errors["description"] = N_("The description is too long.")
    requested = parse_budget(data.budget_requested or "0")
    if requested is None:
        errors["budget_requested"] = N_("Enter an amount of 0 or more, with at most two decimals.")
    approved: Decimal | None = None
    if data.budget_approved:
        approved = parse_budget(data.budget_approved)
        if approved is None:
            errors["budget_approved"] = N_("Enter an amount of 0 or more, with at most two decimals.")
        elif requested is not None and approved > requested:
            errors["budget_approved"] = N_("The approved budget cannot exceed the requested budget.")
    sponsor = await _sponsor(session, actor, data.sponsor_email)
    if isinstance(sponsor, str):
        errors["sponsor_email"] = sponsor
    if data.team_id is None:
        errors["team_id"] = N_("Choose a winning team.")
    if errors:
        raise ValidationFailed(errors)
    assert data.team_id is not None and requested is not None and isinstance(sponsor, User)
    team, campaign, _awards = await winning_team(session, data.team_id, now)
    has_one = Conflict(N_("This team already has an incubation project."), field="team_id")
    if await session.scalar(select(IncubationProject.id).where(IncubationProject.team_id == team.id)) is not None:
        raise has_one
    project = IncubationProject(
        campaign_id=campaign.id,
        team_id=team.id,
        title=title,
        description=data.description,
        sponsor_id=sponsor.id,
        budget_requested=requested,
        budget_approved=(approved if approved is not None else requested) if data.approve else approved,
        status=ProjectStatus.APPROVED if data.approve else ProjectStatus.PROPOSED,
        approved_by_id=actor.id if data.approve else None,
        approved_at=now if data.approve else None,
    )
    if not await add_unique(session, project):  # proposed at the same moment by another request
        raise has_one
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.approve" if data.approve else "incubation.propose",
        subject=project,
        campaign_id=campaign.id,
        before=None,
        after=snapshot(project),
    )
    return project


async def change_status(
    session: AsyncSession,
    actor: User,
    now: datetime,
    project: IncubationProject,
    target: ProjectStatus,
    *,
    reason: str = "",
) -> IncubationProject:
    """Moves a project one step along its life; anything else is a conflict (409)."""
    if not can_decide(actor):
        raise NotFound(PROJECT_NOT_FOUND)
    if target not in TRANSITIONS[project.status]:
        raise Conflict(
            N_("A project that is %(current)s cannot become %(target)s."),
            field="status",
            current=project.status.value,
            target=target.value,
        )
    if len(reason) > 1000:
        raise ValidationFailed({"reason": N_("The reason can have at most 1000 characters.")})
    before = snapshot(project)
    project.status = target
    if target is ProjectStatus.APPROVED:
        project.approved_by_id = actor.id
        project.approved_at = now
        if project.budget_approved is None:
            project.budget_approved = project.budget_requested
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action=f"incubation.{target.value}",
        subject=project,
        campaign_id=project.campaign_id,
        before=before,
        after=snapshot(project),
        reason=reason or None,
    )
    return project


__all__ = [
    "Candidate",
    "ProjectInput",
    "can_decide",
    "candidates",
    "change_status",
    "create_project",
    "next_statuses",
    "parse_budget",
    "project_for",
    "projects_query",
    "winning_team",
]

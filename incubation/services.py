"""Incubation: a winning entry is proposed, decided by an executive, then run by its team.

Rules chosen here (DOMAIN.md leaves them open):

- Only a team that won an award of a campaign whose results are published can be proposed,
  and each team (its entry) at most once: a unique key, so also under concurrency.
- The team (any member), an organizer of the campaign or an executive proposes: sponsor (an
  active executive), budget asked, team time asked (hours per week per member), a start day,
  milestones (due on or after the start, each owned by a team member) and the KPI to move.
- Budgets are amounts of money with at most two decimals, from 0 to 999,999,999,999.99. An
  executive grants the ask or less; granting more needs an explicit confirmation. Approving
  without an amount grants the full ask. Declining needs a reason, and so does stopping.
- Status: proposed → approved | declined; approved → running → implemented; approved or
  running → stopped. Implemented, stopped and declined are final (``incubation.rules``).
- Visibility and rights: ``incubation.access``.
- Every change is written to the audit log with its before and after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from accounts.services import normalise_email, validate_email
from campaigns.models import Campaign, CampaignRole, CampaignRoleKind
from core.audit import record
from core.concurrency import add_unique
from core.errors import N_, Conflict, Invalid, NotFound, ValidationFailed
from core.events import publish
from core.numbers import parse_int
from core.scheduling import ActionState, ScheduledAction
from incubation.access import (
    can_decide,
    can_propose,
    can_see_project,
    can_steer,
    can_update_project,
    project_standing,
    standing,
)
from incubation.events import ProjectDecided, ProjectProposed
from incubation.models import IncubationProject, Milestone, OutcomeKind, ProjectOutcome, ProjectStatus, ProjectUpdate
from incubation.rules import (
    BUDGET_MAX,
    NEEDS_REASON,
    TRANSITIONS,
    next_statuses,
    overdue_at,
    parse_budget,
    parse_day,
    parse_hours,
    parse_value,
)
from judging.models import Award
from teams.models import Membership, Team

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
REASON_MAX = 1000
UPDATE_MAX = 5000
UNIT_MAX = 40
KPI_NAME_MAX = 120
NOTE_MAX = 500
MILESTONES_MAX = 20
PROJECT_NOT_FOUND = N_("We could not find that incubation project.")
AMOUNT = N_("Enter an amount of 0 or more, with at most two decimals.")
NUMBER = N_("Enter a number, with at most two decimals.")
# the scheduled action that reminds a milestone's owner and the sponsor once it is overdue
REMIND_MILESTONE = "remind_milestone"


def snapshot(project: IncubationProject) -> dict[str, Any]:
    """What the audit log keeps of a project (JSON-friendly)."""

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "team_id": project.team_id,
        "title": project.title,
        "sponsor_id": project.sponsor_id,
        "budget_requested": str(project.budget_requested),
        "budget_approved": text(project.budget_approved),
        "status": project.status.value,
        "approved_by_id": project.approved_by_id,
        "approved_at": project.approved_at.isoformat() if project.approved_at else None,
        "team_hours_per_week": text(project.team_hours_per_week),
        "starts_on": text(project.starts_on),
        "kpi": [project.kpi_name, project.kpi_unit, text(project.kpi_baseline), text(project.kpi_target)],
        "decline_reason": project.decline_reason,
        "stop_reason": project.stop_reason,
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
        organizes = exists().where(
            CampaignRole.campaign_id == Award.campaign_id,
            CampaignRole.user_id == user.id,
            CampaignRole.role == CampaignRoleKind.ORGANIZER,
        )
        query = query.where(
            exists().where(Membership.team_id == Award.team_id, Membership.user_id == user.id) | organizes
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


# --- proposing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_on: str
    owner_id: str


@dataclass(frozen=True)
class ProjectInput:
    team_id: int | None
    title: str
    description: str
    sponsor_email: str
    budget_requested: str
    budget_approved: str = ""
    approve: bool = True
    confirm_over: bool = False
    team_hours: str = ""
    starts_on: str = ""
    kpi_name: str = ""
    kpi_unit: str = ""
    kpi_baseline: str = ""
    kpi_target: str = ""
    milestones: Sequence[MilestoneInput] = ()


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


def _granted(
    raw: str, requested: Decimal | None, confirmed: bool, errors: dict[str, str], key: str = "budget_approved"
) -> Decimal | None:
    """The budget granted (None: the full ask); an error under ``budget_approved`` when it is not one."""
    if not raw.strip():
        return None
    granted = parse_budget(raw)
    if granted is None:
        errors[key] = AMOUNT
    elif requested is not None and granted > requested and not confirmed:
        errors[key] = N_("The budget granted is above the budget asked: tick the box to confirm that you grant more.")
    return granted


def _kpi(data: ProjectInput, errors: dict[str, str]) -> tuple[str, str, Decimal | None, Decimal | None]:
    name, unit = data.kpi_name.strip(), data.kpi_unit.strip()
    if len(name) > KPI_NAME_MAX:
        errors["kpi_name"] = N_("The KPI's name can have at most 120 characters.")
    if len(unit) > UNIT_MAX:
        errors["kpi_unit"] = N_("The unit can have at most 40 characters.")
    values: list[Decimal | None] = []
    for key, raw in (("kpi_baseline", data.kpi_baseline), ("kpi_target", data.kpi_target)):
        value = parse_value(raw) if raw.strip() else None
        if raw.strip() and value is None:
            errors[key] = NUMBER
        values.append(value)
    if (name or any(v is not None for v in values)) and not unit and "kpi_unit" not in errors:
        errors["kpi_unit"] = N_("Enter the KPI's unit (EUR, hours, %, …).")
    if (unit or any(v is not None for v in values)) and not name and "kpi_name" not in errors:
        errors["kpi_name"] = N_("Name the KPI the project should move.")
    return name, unit, values[0], values[1]


def _milestones(
    rows: Sequence[MilestoneInput], starts_on: date | None, members: set[int], errors: dict[str, str]
) -> list[tuple[str, date, int | None]]:
    """The milestones typed (empty rows skipped); errors keyed ``milestone_<field>_<i>``."""
    found: list[tuple[str, date, int | None]] = []
    for i, row in enumerate(rows[:MILESTONES_MAX]):
        title = row.title.strip()
        if not title and not row.due_on.strip() and not row.owner_id.strip():
            continue
        item = _milestone(title, row.due_on, row.owner_id, starts_on, members, errors, suffix=f"_{i}")
        if item is not None:
            found.append(item)
    return found


def _milestone(
    title: str,
    due_raw: str,
    owner_raw: str,
    starts_on: date | None,
    members: set[int],
    errors: dict[str, str],
    *,
    suffix: str = "",
) -> tuple[str, date, int | None] | None:
    ok = True
    if not title:
        errors[f"milestone_title{suffix}"], ok = N_("Name the milestone."), False
    elif len(title) > TITLE_MAX:
        errors[f"milestone_title{suffix}"], ok = N_("The title can have at most 200 characters."), False
    due = parse_day(due_raw)
    if due is None:
        errors[f"milestone_due{suffix}"], ok = N_("Enter the day it is due."), False
    elif starts_on is not None and due < starts_on:
        errors[f"milestone_due{suffix}"], ok = N_("A milestone cannot be due before the project starts."), False
    owner: int | None = None
    if owner_raw.strip():
        owner = parse_int(owner_raw)
        if owner is None or owner not in members:
            errors[f"milestone_owner{suffix}"], ok = N_("The owner must be a member of the team."), False
    if not ok or due is None:
        return None
    return title, due, owner


async def _arm_reminder(session: AsyncSession, milestone: Milestone, project: IncubationProject, tz: str) -> None:
    """The overdue reminder of a milestone: one scheduled action, moved when the due day moves."""
    due_at = overdue_at(milestone.due_on, tz)
    action = await session.scalar(
        select(ScheduledAction).where(
            ScheduledAction.kind == REMIND_MILESTONE,
            ScheduledAction.subject_id == milestone.id,
            ScheduledAction.offset_minutes == 0,
        )
    )
    if action is None:
        session.add(
            ScheduledAction(
                kind=REMIND_MILESTONE,
                subject_id=milestone.id,
                offset_minutes=0,
                # no campaign: a campaign's re-plan must not drop it (``core.scheduling.sync_actions``)
                campaign_id=None,
                due_at=due_at,
                state=ActionState.PENDING,
                attempts=0,
            )
        )
    elif action.state is ActionState.PENDING:
        action.due_at = due_at
    await session.flush()


async def _taken(session: AsyncSession, team_id: int) -> bool:
    """Is the entry proposed already? (The unique key on ``team_id`` decides under concurrency.)"""
    return await session.scalar(select(IncubationProject.id).where(IncubationProject.team_id == team_id)) is not None


async def create_project(session: AsyncSession, actor: User, now: datetime, data: ProjectInput) -> IncubationProject:
    """Proposes a winning entry for incubation; an executive may approve it at once."""
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
        errors["budget_requested"] = AMOUNT
    approve = data.approve and can_decide(actor)
    approved = _granted(data.budget_approved, requested, data.confirm_over, errors) if approve else None
    hours: Decimal | None = None
    if data.team_hours.strip():
        hours = parse_hours(data.team_hours)
        if hours is None:
            errors["team_hours"] = N_("Enter hours per week per member, from 0 to 168.")
    starts_on = parse_day(data.starts_on) if data.starts_on.strip() else now.date()
    if starts_on is None:
        errors["starts_on"] = N_("Enter the day the project would start.")
    kpi = _kpi(data, errors)
    sponsor = await _sponsor(session, actor, data.sponsor_email)
    if isinstance(sponsor, str):
        errors["sponsor_email"] = sponsor
    if data.team_id is None:
        errors["team_id"] = N_("Choose a winning team.")
        raise ValidationFailed(errors)
    team, campaign, _awards = await winning_team(session, data.team_id, now)
    if not can_propose(await standing(session, actor, team.id, campaign.id)):
        raise NotFound(PROJECT_NOT_FOUND)
    members = {u.id for u in await team_members(session, team.id)}
    milestones = _milestones(data.milestones, starts_on, members, errors)
    if errors:
        raise ValidationFailed(errors)
    assert requested is not None and isinstance(sponsor, User)
    has_one = Conflict(N_("This entry is already proposed for incubation."), field="team_id")
    if await _taken(session, team.id):
        raise has_one
    project = IncubationProject(
        campaign_id=campaign.id,
        team_id=team.id,
        title=title,
        description=data.description,
        sponsor_id=sponsor.id,
        budget_requested=requested,
        budget_approved=(approved if approved is not None else requested) if approve else None,
        status=ProjectStatus.APPROVED if approve else ProjectStatus.PROPOSED,
        approved_by_id=actor.id if approve else None,
        approved_at=now if approve else None,
        decided_by_id=actor.id if approve else None,
        decided_at=now if approve else None,
        proposed_by_id=actor.id,
        proposed_at=now,
        starts_on=starts_on,
        team_hours_per_week=hours,
        kpi_name=kpi[0],
        kpi_unit=kpi[1],
        kpi_baseline=kpi[2],
        kpi_target=kpi[3],
    )
    if not await add_unique(session, project):  # proposed at the same moment by another request
        raise has_one
    for m_title, due, owner in milestones:
        milestone = Milestone(project_id=project.id, title=m_title, due_on=due, owner_id=owner)
        session.add(milestone)
        await session.flush()
        await _arm_reminder(session, milestone, project, campaign.timezone)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.approve" if approve else "incubation.propose",
        subject=project,
        campaign_id=campaign.id,
        before=None,
        after=snapshot(project) | {"milestones": [[t, d.isoformat(), o] for t, d, o in milestones]},
    )
    await publish(session, ProjectDecided(project.id, now) if approve else ProjectProposed(project.id, now))
    return project


# --- deciding ----------------------------------------------------------------------------------


def _reason(reason: str, target: ProjectStatus) -> str:
    reason = reason.strip()
    if target in NEEDS_REASON and not reason:
        raise ValidationFailed({"reason": N_("Give the reason: the team will read it.")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": N_("The reason can have at most 1000 characters.")})
    return reason


def _refuse_move(project: IncubationProject, target: ProjectStatus) -> Conflict:
    return Conflict(
        N_("A project that is %(current)s cannot become %(target)s."),
        field="status",
        current=project.status.value,
        target=target.value,
    )


async def decide(
    session: AsyncSession,
    actor: User,
    now: datetime,
    project: IncubationProject,
    *,
    approve: bool,
    budget_granted: str = "",
    confirm_over: bool = False,
    reason: str = "",
) -> IncubationProject:
    """An executive approves a proposal (with the budget granted) or declines it (with a reason)."""
    if not can_decide(actor):
        raise NotFound(PROJECT_NOT_FOUND)
    target = ProjectStatus.APPROVED if approve else ProjectStatus.DECLINED
    errors: dict[str, str] = {}
    granted = (
        _granted(budget_granted, project.budget_requested, confirm_over, errors, "budget_granted") if approve else None
    )
    try:
        text = _reason(reason, target)
    except ValidationFailed as exc:
        errors |= exc.errors
    if errors:
        raise ValidationFailed(errors)
    if project.status is not ProjectStatus.PROPOSED:
        raise _refuse_move(project, target)
    before = snapshot(project)
    project.status = target
    project.decided_by_id, project.decided_at = actor.id, now
    if approve:
        project.approved_by_id, project.approved_at = actor.id, now
        project.budget_approved = granted if granted is not None else project.budget_requested
    else:
        project.decline_reason = text
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action=f"incubation.{'approve' if approve else 'decline'}",
        subject=project,
        campaign_id=project.campaign_id,
        before=before,
        after=snapshot(project),
        reason=text or None,
    )
    await publish(session, ProjectDecided(project.id, now))
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
    if target in (ProjectStatus.APPROVED, ProjectStatus.DECLINED) and project.status is ProjectStatus.PROPOSED:
        return await decide(session, actor, now, project, approve=target is ProjectStatus.APPROVED, reason=reason)
    if not can_steer(await project_standing(session, actor, project)):
        raise NotFound(PROJECT_NOT_FOUND)
    if target not in TRANSITIONS[project.status]:
        raise _refuse_move(project, target)
    text = _reason(reason, target)
    before = snapshot(project)
    project.status = target
    if target is ProjectStatus.RUNNING:
        project.started_at = now
    elif target in (ProjectStatus.IMPLEMENTED, ProjectStatus.STOPPED):
        project.ended_at = now
    if target is ProjectStatus.STOPPED:
        project.stop_reason = text
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
        reason=text or None,
    )
    return project


# --- running -----------------------------------------------------------------------------------


async def _updater(session: AsyncSession, actor: User, project: IncubationProject) -> None:
    who = await project_standing(session, actor, project)
    if not can_see_project(who):
        raise NotFound(PROJECT_NOT_FOUND)
    if not can_update_project(who, project):
        if not (who.member or who.sponsor or who.lead):
            raise Conflict(N_("Only the team and the sponsor update a project."), field="status")
        raise Conflict(N_("Only an approved or running project can be updated."), field="status")


async def add_milestone(
    session: AsyncSession, actor: User, now: datetime, project: IncubationProject, row: MilestoneInput
) -> Milestone:
    await _updater(session, actor, project)
    errors: dict[str, str] = {}
    members = {u.id for u in await team_members(session, project.team_id)}
    item = _milestone(row.title.strip(), row.due_on, row.owner_id, project.starts_on, members, errors)
    if errors or item is None:
        raise ValidationFailed(errors)
    count = await session.scalar(
        select(Milestone.id).where(Milestone.project_id == project.id).offset(MILESTONES_MAX * 5 - 1).limit(1)
    )
    if count is not None:
        raise ValidationFailed({"milestone_title": N_("A project can have at most 100 milestones.")})
    milestone = Milestone(project_id=project.id, title=item[0], due_on=item[1], owner_id=item[2])
    session.add(milestone)
    await session.flush()
    campaign = await session.get(Campaign, project.campaign_id)
    await _arm_reminder(session, milestone, project, campaign.timezone if campaign else "UTC")
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.milestone_add",
        subject=milestone,
        campaign_id=project.campaign_id,
        after={"project_id": project.id, "title": item[0], "due_on": item[1].isoformat(), "owner_id": item[2]},
    )
    return milestone


async def tick_milestone(
    session: AsyncSession, actor: User, now: datetime, project: IncubationProject, milestone_id: int, done: bool
) -> Milestone:
    """Ticks a milestone off (done now) or opens it again."""
    await _updater(session, actor, project)
    milestone = await session.scalar(
        select(Milestone).where(Milestone.id == milestone_id, Milestone.project_id == project.id)
    )
    if milestone is None:
        raise NotFound(N_("We could not find that milestone."))
    before = {"done_at": milestone.done_at.isoformat() if milestone.done_at else None}
    milestone.done_at = now if done else None
    milestone.done_by_id = actor.id if done else None
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.milestone_done" if done else "incubation.milestone_reopen",
        subject=milestone,
        campaign_id=project.campaign_id,
        before=before,
        after={"done_at": now.isoformat() if done else None},
    )
    return milestone


async def post_update(
    session: AsyncSession, actor: User, now: datetime, project: IncubationProject, body: str
) -> ProjectUpdate:
    await _updater(session, actor, project)
    text = body.strip()
    if not text:
        raise ValidationFailed({"body": N_("Write the update.")})
    if len(text) > UPDATE_MAX:
        raise ValidationFailed({"body": N_("An update can have at most 5000 characters.")})
    update = ProjectUpdate(project_id=project.id, author_id=actor.id, at=now, body=text)
    session.add(update)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.update",
        subject=update,
        campaign_id=project.campaign_id,
        after={"project_id": project.id, "body": text},
    )
    return update


@dataclass(frozen=True)
class OutcomeInput:
    kind: str
    unit: str
    value: str
    measured_on: str
    note: str = ""


async def record_outcome(
    session: AsyncSession, actor: User, now: datetime, project: IncubationProject, data: OutcomeInput
) -> ProjectOutcome:
    """A measured outcome: what was realised since the previous measurement, in a unit."""
    await _updater(session, actor, project)
    errors: dict[str, str] = {}
    try:
        kind = OutcomeKind(data.kind)
    except ValueError:
        errors["kind"] = N_("Choose what was measured.")
    unit = data.unit.strip()
    if not unit:
        errors["unit"] = N_("Enter the unit (EUR, hours, %, …).")
    elif len(unit) > UNIT_MAX:
        errors["unit"] = N_("The unit can have at most 40 characters.")
    value = parse_value(data.value)
    if value is None:
        errors["value"] = NUMBER
    measured_on = parse_day(data.measured_on)
    if measured_on is None:
        errors["measured_on"] = N_("Enter the day it was measured.")
    elif measured_on > now.date():
        errors["measured_on"] = N_("An outcome cannot be measured in the future.")
    if len(data.note) > NOTE_MAX:
        errors["note"] = N_("The note can have at most 500 characters.")
    if errors:
        raise ValidationFailed(errors)
    assert value is not None and measured_on is not None
    outcome = ProjectOutcome(
        project_id=project.id,
        kind=kind,
        unit=unit,
        value=value,
        measured_on=measured_on,
        note=data.note.strip(),
        recorded_by_id=actor.id,
    )
    session.add(outcome)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.outcome",
        subject=outcome,
        campaign_id=project.campaign_id,
        after={
            "project_id": project.id,
            "kind": kind.value,
            "unit": unit,
            "value": str(value),
            "measured_on": measured_on.isoformat(),
        },
    )
    return outcome


__all__ = [
    "BUDGET_MAX",
    "REMIND_MILESTONE",
    "Candidate",
    "MilestoneInput",
    "OutcomeInput",
    "ProjectInput",
    "add_milestone",
    "can_decide",
    "candidates",
    "change_status",
    "create_project",
    "decide",
    "details",
    "next_statuses",
    "parse_budget",
    "post_update",
    "project_for",
    "projects_query",
    "record_outcome",
    "tick_milestone",
    "winning_team",
]

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
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.services import normalise_email, validate_email
from core.audit import record
from core.concurrency import add_unique
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.events import publish
from core.numbers import parse_int
from core.scheduling import ActionState, ScheduledAction
from incubation.access import (
    can_decide,
    can_propose,
    standing,
)
from incubation.events import ProjectDecided, ProjectProposed
from incubation.models import IncubationProject, Milestone, ProjectStatus
from incubation.project_fields import (
    AMOUNT,
    DESCRIPTION_MAX,
    KPI_NAME_MAX,
    MILESTONES_MAX,
    NUMBER,
    PROJECT_NOT_FOUND,
    REMIND_MILESTONE,
    TITLE_MAX,
    UNIT_MAX,
    snapshot,
)
from incubation.reads import team_members, winning_team
from incubation.rules import (
    overdue_at,
    parse_budget,
    parse_day,
    parse_hours,
    parse_value,
)


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


def granted_amount(
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
        item = milestone_row(title, row.due_on, row.owner_id, starts_on, members, errors, suffix=f"_{i}")
        if item is not None:
            found.append(item)
    return found


def milestone_row(
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


async def arm_reminder(
    session: AsyncSession, milestone: Milestone, project: IncubationProject, tz: str, *, again: bool = False
) -> None:
    """The overdue reminder of a milestone: one scheduled action, moved when the due day moves;
    ``again`` (the due day changed) arms one already sent or skipped anew, for the new day."""
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
    elif action.state is ActionState.PENDING or again:
        action.due_at = due_at
        action.state, action.attempts, action.done_at = ActionState.PENDING, 0, None
        action.late_ms = action.worker = action.note = action.note_params = None
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
    approved = granted_amount(data.budget_approved, requested, data.confirm_over, errors) if approve else None
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
        await arm_reminder(session, milestone, project, campaign.timezone)
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

"""Correcting what a running project recorded by mistake: an outcome fixed or removed, a milestone not
yet done changed or removed. The same people as adding (``can_update_project``); an id of another
project is not found (404); every change is audited with its before and after.

A milestone's due day moved arms its overdue reminder anew for the new day (once, even if the old
day's reminder was sent); a removed milestone takes its scheduled reminder with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.audit import record
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.scheduling import ScheduledAction
from incubation.models import IncubationProject, Milestone, ProjectOutcome
from incubation.project_fields import REMIND_MILESTONE
from incubation.proposals import MilestoneInput, arm_reminder, milestone_row
from incubation.reads import team_members
from incubation.running import OutcomeInput, ensure_updater, outcome_values

OUTCOME_NOT_FOUND = N_("We could not find that outcome.")
MILESTONE_NOT_FOUND = N_("We could not find that milestone.")


def _outcome_snapshot(outcome: ProjectOutcome) -> dict[str, Any]:
    return {
        "project_id": outcome.project_id,
        "kind": outcome.kind.value,
        "unit": outcome.unit,
        "value": str(outcome.value),
        "measured_on": outcome.measured_on.isoformat(),
        "note": outcome.note,
    }


def _milestone_snapshot(milestone: Milestone) -> dict[str, Any]:
    return {
        "project_id": milestone.project_id,
        "title": milestone.title,
        "due_on": milestone.due_on.isoformat(),
        "owner_id": milestone.owner_id,
    }


async def _outcome(session: AsyncSession, project: IncubationProject, outcome_id: int) -> ProjectOutcome:
    outcome = await session.scalar(
        select(ProjectOutcome).where(ProjectOutcome.id == outcome_id, ProjectOutcome.project_id == project.id)
    )
    if outcome is None:
        raise NotFound(OUTCOME_NOT_FOUND)
    return outcome


async def _open_milestone(session: AsyncSession, project: IncubationProject, milestone_id: int) -> Milestone:
    milestone = await session.scalar(
        select(Milestone).where(Milestone.id == milestone_id, Milestone.project_id == project.id)
    )
    if milestone is None:
        raise NotFound(MILESTONE_NOT_FOUND)
    if milestone.done_at is not None:
        raise Conflict(N_("The milestone is done: open it again to change it."), field="milestone")
    return milestone


async def fix_outcome(
    session: AsyncSession,
    actor: User,
    now: datetime,
    project: IncubationProject,
    outcome_id: int,
    data: OutcomeInput,
) -> ProjectOutcome:
    """Corrects an outcome's kind, unit, value, day and note, checked as when it is recorded;
    the messages are keyed ``<field>_<outcome id>``."""
    await ensure_updater(session, actor, project)
    outcome = await _outcome(session, project, outcome_id)
    kind, unit, value, measured_on, note = outcome_values(data, now, suffix=f"_{outcome.id}")
    before = _outcome_snapshot(outcome)
    outcome.kind, outcome.unit, outcome.value, outcome.measured_on, outcome.note = kind, unit, value, measured_on, note
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.outcome_fix",
        subject=outcome,
        campaign_id=project.campaign_id,
        before=before,
        after=_outcome_snapshot(outcome),
    )
    return outcome


async def remove_outcome(
    session: AsyncSession, actor: User, now: datetime, project: IncubationProject, outcome_id: int
) -> None:
    """Removes an outcome recorded by mistake: the realised totals no longer count it."""
    await ensure_updater(session, actor, project)
    outcome = await _outcome(session, project, outcome_id)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.outcome_remove",
        subject=outcome,
        campaign_id=project.campaign_id,
        before=_outcome_snapshot(outcome),
        after=None,
    )
    await session.delete(outcome)
    await session.flush()


async def fix_milestone(
    session: AsyncSession,
    actor: User,
    now: datetime,
    project: IncubationProject,
    milestone_id: int,
    row: MilestoneInput,
) -> Milestone:
    """Changes a milestone not yet done: title, due day (on or after the start), owner (a team
    member); the messages are keyed ``milestone_<field>_<milestone id>``."""
    await ensure_updater(session, actor, project)
    milestone = await _open_milestone(session, project, milestone_id)
    errors: dict[str, str] = {}
    members = {u.id for u in await team_members(session, project.team_id)}
    suffix = f"_{milestone.id}"
    item = milestone_row(row.title.strip(), row.due_on, row.owner_id, project.starts_on, members, errors, suffix=suffix)
    if errors or item is None:
        raise ValidationFailed(errors)
    before = _milestone_snapshot(milestone)
    moved = item[1] != milestone.due_on
    milestone.title, milestone.due_on, milestone.owner_id = item
    if moved:
        # a new due day: reminded anew (once) when it is overdue, whatever the old day's reminder did
        milestone.reminded_at = None
        campaign = await session.get(Campaign, project.campaign_id)
        await arm_reminder(session, milestone, project, campaign.timezone if campaign else "UTC", again=True)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.milestone_fix",
        subject=milestone,
        campaign_id=project.campaign_id,
        before=before,
        after=_milestone_snapshot(milestone),
    )
    return milestone


async def remove_milestone(
    session: AsyncSession, actor: User, now: datetime, project: IncubationProject, milestone_id: int
) -> None:
    """Removes a milestone not yet done, and its overdue reminder with it."""
    await ensure_updater(session, actor, project)
    milestone = await _open_milestone(session, project, milestone_id)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="incubation.milestone_remove",
        subject=milestone,
        campaign_id=project.campaign_id,
        before=_milestone_snapshot(milestone),
        after=None,
    )
    # every state: an id SQLite hands out again must not find an old reminder
    await session.execute(
        delete(ScheduledAction).where(
            ScheduledAction.kind == REMIND_MILESTONE, ScheduledAction.subject_id == milestone.id
        )
    )
    await session.delete(milestone)
    await session.flush()

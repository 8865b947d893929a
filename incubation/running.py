"""A running project: milestones added and ticked off, updates posted, outcomes measured
(by the team and the sponsor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.audit import record
from core.errors import N_, Conflict, NotFound, ValidationFailed
from incubation.access import (
    can_see_project,
    can_update_project,
    project_standing,
)
from incubation.models import IncubationProject, Milestone, OutcomeKind, ProjectOutcome, ProjectUpdate
from incubation.project_fields import MILESTONES_MAX, NOTE_MAX, NUMBER, PROJECT_NOT_FOUND, UNIT_MAX, UPDATE_MAX
from incubation.proposals import MilestoneInput, arm_reminder, milestone_row
from incubation.reads import team_members
from incubation.rules import (
    parse_day,
    parse_value,
)


async def ensure_updater(session: AsyncSession, actor: User, project: IncubationProject) -> None:
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
    await ensure_updater(session, actor, project)
    errors: dict[str, str] = {}
    members = {u.id for u in await team_members(session, project.team_id)}
    item = milestone_row(row.title.strip(), row.due_on, row.owner_id, project.starts_on, members, errors)
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
    await arm_reminder(session, milestone, project, campaign.timezone if campaign else "UTC")
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
    await ensure_updater(session, actor, project)
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
    await ensure_updater(session, actor, project)
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


def outcome_values(data: OutcomeInput, now: datetime, suffix: str = "") -> tuple[OutcomeKind, str, Decimal, date, str]:
    """What was typed for an outcome, checked (recording and correcting alike); ValidationFailed with
    the messages keyed ``<field><suffix>`` otherwise."""
    errors: dict[str, str] = {}
    kind: OutcomeKind | None = None
    try:
        kind = OutcomeKind(data.kind)
    except ValueError:
        errors["kind" + suffix] = N_("Choose what was measured.")
    unit = data.unit.strip()
    if not unit:
        errors["unit" + suffix] = N_("Enter the unit (EUR, hours, %, …).")
    elif len(unit) > UNIT_MAX:
        errors["unit" + suffix] = N_("The unit can have at most 40 characters.")
    value = parse_value(data.value)
    if value is None:
        errors["value" + suffix] = NUMBER
    measured_on = parse_day(data.measured_on)
    if measured_on is None:
        errors["measured_on" + suffix] = N_("Enter the day it was measured.")
    elif measured_on > now.date():
        errors["measured_on" + suffix] = N_("An outcome cannot be measured in the future.")
    if len(data.note) > NOTE_MAX:
        errors["note" + suffix] = N_("The note can have at most 500 characters.")
    if errors or kind is None or value is None or measured_on is None:
        raise ValidationFailed(errors)
    return kind, unit, value, measured_on, data.note.strip()


async def record_outcome(
    session: AsyncSession, actor: User, now: datetime, project: IncubationProject, data: OutcomeInput
) -> ProjectOutcome:
    """A measured outcome: what was realised since the previous measurement, in a unit."""
    await ensure_updater(session, actor, project)
    kind, unit, value, measured_on, note = outcome_values(data, now)
    outcome = ProjectOutcome(
        project_id=project.id,
        kind=kind,
        unit=unit,
        value=value,
        measured_on=measured_on,
        note=note,
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

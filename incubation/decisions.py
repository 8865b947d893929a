"""An executive decides a proposal (approve with a granted budget, or decline with a reason)
and steers a project's status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import record
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.events import publish
from incubation.access import (
    can_decide,
    can_steer,
    project_standing,
)
from incubation.events import ProjectDecided
from incubation.models import IncubationProject, ProjectStatus
from incubation.project_fields import PROJECT_NOT_FOUND, REASON_MAX, snapshot
from incubation.proposals import granted_amount
from incubation.rules import (
    NEEDS_REASON,
    TRANSITIONS,
)


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
        granted_amount(budget_granted, project.budget_requested, confirm_over, errors, "budget_granted")
        if approve
        else None
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

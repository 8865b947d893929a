"""Incubation's notifications: a proposal to its sponsor, a decision to the team, and the reminder of
an overdue milestone to its owner and the sponsor, exactly once per milestone (a scheduled action,
claimed once, whose conditional UPDATE of ``reminded_at`` makes any second application a no-op)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Campaign
from core import scheduling
from core.errors import N_
from core.events import subscribe
from core.scheduling import Applied, Outcome, ScheduledAction
from incubation.events import ProjectDecided, ProjectProposed
from incubation.models import IncubationProject, Milestone, ProjectStatus
from incubation.project_fields import REMIND_MILESTONE
from incubation.rules import ACTIVE
from notifications.audiences import members_of_team
from notifications.models import NotificationKind
from notifications.services import notify


def project_link(project_id: int) -> str:
    return f"/incubation/projects/{project_id}"


async def _project(session: AsyncSession, project_id: int) -> tuple[IncubationProject, Campaign] | None:
    project = await session.get(IncubationProject, project_id)
    if project is None:
        return None
    campaign = await session.get(Campaign, project.campaign_id)
    return (project, campaign) if campaign is not None else None


async def _proposed(session: AsyncSession, event: ProjectProposed) -> None:
    found = await _project(session, event.project_id)
    if found is None or found[0].sponsor_id is None:
        return
    project, campaign = found
    await notify(
        session,
        event.at,
        [found[0].sponsor_id],
        NotificationKind.PROJECT_PROPOSED,
        {"project": project.title, "campaign": campaign.title, "budget": str(project.budget_requested)},
        link=project_link(project.id),
        campaign_id=campaign.id,
    )


async def _decided(session: AsyncSession, event: ProjectDecided) -> None:
    found = await _project(session, event.project_id)
    if found is None:
        return
    project, campaign = found
    params: dict[str, object] = {
        "project": project.title,
        "campaign": campaign.title,
        "decision": project.status.value,
    }
    if project.status is ProjectStatus.DECLINED:
        params["reason"] = project.decline_reason or ""
    else:
        params["budget"] = str(project.budget_approved)
    await notify(
        session,
        event.at,
        await members_of_team(session, project.team_id),
        NotificationKind.PROJECT_DECIDED,
        params,
        link=project_link(project.id),
        campaign_id=campaign.id,
    )


async def apply_milestone_reminder(session: AsyncSession, action: ScheduledAction, now: datetime) -> Applied:
    """Reminds the owner and the sponsor of an overdue milestone, once; overdue is overdue, so a
    reminder whose moment passed while nothing ran is still sent."""
    milestone = await session.get(Milestone, action.subject_id, populate_existing=True)
    if milestone is None:
        return Applied(Outcome.SKIPPED, N_("The milestone no longer exists."))
    found = await _project(session, milestone.project_id)
    if found is None:
        return Applied(Outcome.SKIPPED, N_("The milestone no longer exists."))
    project, campaign = found
    if milestone.done_at is not None:
        return Applied(Outcome.SKIPPED, N_("Not sent: the milestone is done."))
    if project.status not in ACTIVE:
        return Applied(Outcome.SKIPPED, N_("Not sent: the project is not under way."))
    claimed = await session.execute(
        update(Milestone)
        .where(Milestone.id == milestone.id, Milestone.reminded_at.is_(None), Milestone.done_at.is_(None))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return Applied(Outcome.SKIPPED, N_("Already reminded."))
    people = [p for p in (milestone.owner_id, project.sponsor_id) if p is not None]
    await notify(
        session,
        now,
        people,
        NotificationKind.MILESTONE_OVERDUE,
        {
            "project": project.title,
            "milestone": milestone.title,
            "due_on": milestone.due_on.isoformat(),
            "campaign": campaign.title,
        },
        link=project_link(project.id),
        campaign_id=campaign.id,
    )
    return Applied(Outcome.DONE, str(len(people)))


def register_handlers() -> None:
    scheduling.register(REMIND_MILESTONE, apply_milestone_reminder)


def register() -> None:
    subscribe(ProjectProposed, _proposed)
    subscribe(ProjectDecided, _decided)
    register_handlers()

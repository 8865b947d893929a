"""How each scheduled action is applied: through the same operations organizers use by hand.

``actor`` is None for the scheduler; each operation's conditional UPDATE turns a repeated
application into a no-op, reported here as "skipped" with the reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from automation.plan import (
    PHASE_ADVANCE,
    PHASE_CLOSE,
    PHASE_OPEN,
    REMIND_JUDGING,
    REMIND_SUBMISSION,
    RESULTS_PUBLISH,
)
from campaigns.models import Campaign, CampaignStatus, Phase, PhaseStatus
from campaigns.phase_transitions import close_phase, open_phase
from core.actors import SCHEDULER
from core.errors import N_, Conflict
from core.scheduling import Applied, Outcome, ScheduledAction, register
from judging.advancing import apply_advancement
from judging.awards import publish_results
from notifications.audiences import judges_with_unfinished, organizers, teams_without_submission
from notifications.models import NotificationKind
from notifications.reminders import hours_left, remind_judges
from notifications.services import notify

# a reminder whose moment passed while nothing ran is dropped rather than sent late
REMINDER_TOLERANCE = timedelta(minutes=15)


async def _phase_and_campaign(session: AsyncSession, action: ScheduledAction) -> tuple[Phase, Campaign] | None:
    phase = await session.get(Phase, action.subject_id, populate_existing=True)
    if phase is None:
        return None
    campaign = await session.get(Campaign, phase.campaign_id, populate_existing=True)
    return (phase, campaign) if campaign is not None else None


async def apply_open(session: AsyncSession, action: ScheduledAction, now: datetime) -> Applied:
    found = await _phase_and_campaign(session, action)
    if found is None:
        return Applied(Outcome.SKIPPED, N_("The phase no longer exists."))
    try:
        opened = await open_phase(session, SCHEDULER, now, found[0])
    except Conflict as exc:
        return Applied(Outcome.SKIPPED, exc.message, exc.params)
    return Applied(Outcome.DONE) if opened else Applied(Outcome.SKIPPED, N_("Already open or closed by hand."))


async def apply_close(session: AsyncSession, action: ScheduledAction, now: datetime) -> Applied:
    found = await _phase_and_campaign(session, action)
    if found is None:
        return Applied(Outcome.SKIPPED, N_("The phase no longer exists."))
    try:
        closed = await close_phase(session, SCHEDULER, now, found[0])
    except Conflict as exc:
        return Applied(Outcome.SKIPPED, exc.message, exc.params)
    return Applied(Outcome.DONE) if closed else Applied(Outcome.SKIPPED, N_("Already closed by hand."))


async def apply_publish(session: AsyncSession, action: ScheduledAction, now: datetime) -> Applied:
    """Publishes the results at the results phase's opening; without awards, tells the organizers."""
    found = await _phase_and_campaign(session, action)
    if found is None:
        return Applied(Outcome.SKIPPED, N_("The phase no longer exists."))
    _phase, campaign = found
    try:
        published = await publish_results(session, SCHEDULER, now, campaign)
    except Conflict as exc:
        await notify(
            session,
            now,
            await organizers(session, campaign),
            NotificationKind.AUTOMATION_FAILED,
            {
                "campaign": campaign.title,
                "action": RESULTS_PUBLISH,
                "message": exc.message,
                "message_params": exc.params,
            },
            link=f"/campaigns/{campaign.id}/winners",
            campaign_id=campaign.id,
        )
        return Applied(Outcome.FAILED, exc.message, exc.params)
    return Applied(Outcome.DONE) if published else Applied(Outcome.SKIPPED, N_("The results were already published."))


async def apply_advance(session: AsyncSession, action: ScheduledAction, now: datetime) -> Applied:
    """Applies a judging phase's advancement rule at its close; a refusal is told to the organizers."""
    found = await _phase_and_campaign(session, action)
    if found is None:
        return Applied(Outcome.SKIPPED, N_("The phase no longer exists."))
    phase, campaign = found
    try:
        report = await apply_advancement(session, SCHEDULER, now, phase)  # the same step an organizer runs
    except Conflict as exc:
        await notify(
            session,
            now,
            await organizers(session, campaign),
            NotificationKind.AUTOMATION_FAILED,
            {"campaign": campaign.title, "action": PHASE_ADVANCE, "message": exc.message},
            link=f"/campaigns/{campaign.id}/phases/{phase.id}/advancement",
            campaign_id=campaign.id,
        )
        return Applied(Outcome.FAILED, exc.message, exc.params)
    if report is None:
        return Applied(Outcome.SKIPPED, N_("The advancement was already applied by hand."))
    return Applied(Outcome.DONE)  # the counts are in the audit row and on the advancement page


def _reminder_moot(phase: Phase, campaign: Campaign, action: ScheduledAction, now: datetime) -> str | None:
    if now - action.due_at > REMINDER_TOLERANCE:
        return N_("Not sent: its moment passed while no scheduler was running.")
    if campaign.status is not CampaignStatus.PUBLISHED or phase.status is PhaseStatus.CLOSED:
        return N_("Not sent: the phase is closed.")
    if now >= phase.closes_at:
        return N_("Not sent: the deadline has passed.")
    return None


async def apply_submission_reminder(session: AsyncSession, action: ScheduledAction, now: datetime) -> Applied:
    found = await _phase_and_campaign(session, action)
    if found is None:
        return Applied(Outcome.SKIPPED, N_("The phase no longer exists."))
    phase, campaign = found
    if (moot := _reminder_moot(phase, campaign, action, now)) is not None:
        return Applied(Outcome.SKIPPED, moot)
    teams = await teams_without_submission(session, campaign.id, phase.id)
    for team, members in teams.items():
        await notify(
            session,
            now,
            members,
            NotificationKind.SUBMISSION_REMINDER,
            {
                "campaign": campaign.title,
                "phase": phase.name,
                "team": team,
                "closes_at": phase.closes_at.isoformat(),
                "timezone": campaign.timezone,
                "hours": hours_left(phase, now),
            },
            link=f"/campaigns/{campaign.id}",
            campaign_id=campaign.id,
        )
    return Applied(Outcome.DONE, str(len(teams)))  # shown as "N teams reminded"


async def apply_judging_reminder(session: AsyncSession, action: ScheduledAction, now: datetime) -> Applied:
    found = await _phase_and_campaign(session, action)
    if found is None:
        return Applied(Outcome.SKIPPED, N_("The phase no longer exists."))
    phase, campaign = found
    if (moot := _reminder_moot(phase, campaign, action, now)) is not None:
        return Applied(Outcome.SKIPPED, moot)
    judges = await judges_with_unfinished(session, phase.id)
    await remind_judges(session, now, campaign, phase, judges)
    return Applied(Outcome.DONE, str(len(judges)))  # shown as "N judges reminded"


def register_handlers() -> None:
    register(PHASE_OPEN, apply_open)
    register(PHASE_CLOSE, apply_close)
    register(RESULTS_PUBLISH, apply_publish)
    register(PHASE_ADVANCE, apply_advance)
    register(REMIND_SUBMISSION, apply_submission_reminder)
    register(REMIND_JUDGING, apply_judging_reminder)

"""Which automatic actions a campaign's timeline needs, and when: pure, no I/O.

Transitions: every phase opens at ``opens_at`` and closes at its effective close (``closes_at``
plus grace; a team's extension outlives the close by itself); a results phase publishes the
results at its ``opens_at`` instead of merely opening. Reminders go out the campaign's
``reminder_hours`` before the announced ``closes_at`` of submission and judging phases.
"""

from __future__ import annotations

from datetime import timedelta

from campaigns.deadlines import effective_close
from campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from core.scheduling import Planned

PHASE_OPEN = "phase.open"
PHASE_CLOSE = "phase.close"
RESULTS_PUBLISH = "results.publish"
REMIND_SUBMISSION = "remind.submission"
REMIND_JUDGING = "remind.judging"

REMINDER_HOURS_MAX = 720


def reminder_hours(text: str) -> list[int]:
    """The reminder offsets in hours, largest first; anything not understood is left out."""
    hours = {int(part) for part in text.split(",") if part.strip().isdigit()}
    return sorted((h for h in hours if 1 <= h <= REMINDER_HOURS_MAX), reverse=True)


def planned_actions(campaign: Campaign, phases: list[Phase]) -> list[Planned]:
    if campaign.status is not CampaignStatus.PUBLISHED:
        return []
    hours = reminder_hours(campaign.reminder_hours)
    planned: list[Planned] = []
    for phase in phases:
        if phase.kind is PhaseKind.RESULTS:
            if campaign.results_published_at is None:
                planned.append(Planned(RESULTS_PUBLISH, phase.id, phase.opens_at))
        elif phase.status is PhaseStatus.PENDING:
            planned.append(Planned(PHASE_OPEN, phase.id, phase.opens_at))
        if phase.status is PhaseStatus.CLOSED:
            continue
        planned.append(Planned(PHASE_CLOSE, phase.id, effective_close(phase)))
        reminder = {PhaseKind.SUBMISSION: REMIND_SUBMISSION, PhaseKind.JUDGING: REMIND_JUDGING}.get(phase.kind)
        if reminder is not None:
            planned.extend(
                Planned(reminder, phase.id, phase.closes_at - timedelta(hours=h), offset_minutes=h * 60) for h in hours
            )
    return planned

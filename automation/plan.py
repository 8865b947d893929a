"""Which automatic actions a campaign's timeline needs, and when: pure, no I/O.

Transitions: every phase opens at ``opens_at`` and closes at its effective close (``closes_at``
plus grace; a team's extension outlives the close by itself); a results phase publishes the
results at its ``opens_at`` instead of merely opening. Reminders go out the campaign's
``reminder_hours`` before the announced ``closes_at`` of submission and judging phases.
A judging phase whose advancement rule is not manual applies it one second after its effective
close, so the sweep (which claims by due time) always closes the phase first.
"""

from __future__ import annotations

from datetime import timedelta

from campaigns.deadlines import effective_close
from campaigns.models import AdvancementRule, Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from core.scheduling import Planned

PHASE_OPEN = "phase.open"
PHASE_CLOSE = "phase.close"
RESULTS_PUBLISH = "results.publish"
PHASE_ADVANCE = "phase.advance"
REMIND_SUBMISSION = "remind.submission"
REMIND_JUDGING = "remind.judging"

REMINDER_HOURS_MAX = 720
ADVANCE_AFTER_CLOSE = timedelta(seconds=1)
_BY_RULE = (AdvancementRule.TOP_N, AdvancementRule.TOP_PERCENT, AdvancementRule.MIN_SCORE)


def reminder_hours(text: str) -> list[int]:
    """The reminder offsets in hours, largest first; anything not understood is left out."""
    hours = {
        int(part)
        for part in text.split(",")
        if part.strip().isascii() and part.strip().isdigit() and len(part.strip()) <= 6
    }
    return sorted((h for h in hours if 1 <= h <= REMINDER_HOURS_MAX), reverse=True)


def _advances_by_rule(phase: Phase) -> bool:
    return (
        phase.kind is PhaseKind.JUDGING and phase.advancement_rule in _BY_RULE and phase.advancement_applied_at is None
    )


def planned_actions(campaign: Campaign, phases: list[Phase]) -> list[Planned]:
    if campaign.status is not CampaignStatus.PUBLISHED:
        return []
    hours = reminder_hours(campaign.reminder_hours)
    planned: list[Planned] = []
    for phase in phases:
        if _advances_by_rule(phase):
            planned.append(Planned(PHASE_ADVANCE, phase.id, effective_close(phase) + ADVANCE_AFTER_CLOSE))
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

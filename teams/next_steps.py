"""What a team must do next, and by when: pure, no I/O.

Rules chosen here (DOMAIN.md is silent on them):
- a team's deadline in a submission phase is its extension when it has one that ends after the
  phase's effective close; otherwise the announced closing time, or, once that has passed, the
  end of the grace period;
- the step of a phase that accepts the team's writes comes first: submit the entry, or, when it
  is submitted, the time until which it can still be edited; with no such phase, the next
  submission phase to open, to prepare for;
- a team smaller than the campaign's minimum must find members while teams can still change.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from campaigns.deadlines import accepts_writes, effective_close
from campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from teams.models import EntryStatus, TeamStatus
from teams.rules import TEAM_PHASE_KINDS, can_submit_as


class StepKind(enum.StrEnum):
    SUBMIT = "submit"
    EDIT_UNTIL = "edit_until"
    PREPARE = "prepare"
    FIND_MEMBERS = "find_members"


@dataclass(frozen=True)
class TeamStep:
    kind: StepKind
    due: datetime | None
    phase: Phase | None = None
    opens_at: datetime | None = None
    extended: bool = False
    missing: int = 0


def team_deadline(phase: Phase, now: datetime, extension_until: datetime | None) -> tuple[datetime, bool]:
    """The instant the team must submit by in ``phase``, and whether it is its extension."""
    close = effective_close(phase)
    if extension_until is not None and extension_until > close:
        return extension_until, True
    return (phase.closes_at if now < phase.closes_at else close), False


def team_window_close(phases: Iterable[Phase], now: datetime) -> datetime | None:
    """Until when teams can form and change (the open registration or submission phases), if they can now."""
    closes = [effective_close(p) for p in phases if p.kind in TEAM_PHASE_KINDS and accepts_writes(p, now)]
    return max(closes, default=None)


def _entry_step(
    phases: list[Phase], entries: Mapping[int, EntryStatus], extensions: Mapping[int, datetime], now: datetime
) -> TeamStep | None:
    submissions = sorted((p for p in phases if p.kind is PhaseKind.SUBMISSION), key=lambda p: (p.opens_at, p.id))
    for phase in submissions:
        until = extensions.get(phase.id)
        if accepts_writes(phase, now, until):
            due, extended = team_deadline(phase, now, until)
            kind = StepKind.EDIT_UNTIL if entries.get(phase.id) is EntryStatus.SUBMITTED else StepKind.SUBMIT
            return TeamStep(kind=kind, due=due, phase=phase, extended=extended)
    for phase in submissions:
        if phase.status is PhaseStatus.PENDING and now < phase.opens_at:
            return TeamStep(kind=StepKind.PREPARE, due=phase.closes_at, phase=phase, opens_at=phase.opens_at)
    return None


def team_steps(
    campaign: Campaign,
    team_status: TeamStatus,
    phases: list[Phase],
    entries: Mapping[int, EntryStatus],
    members: int,
    extensions: Mapping[int, datetime],
    now: datetime,
) -> list[TeamStep]:
    """The team's next steps; ``entries`` and ``extensions`` are keyed by phase id."""
    if campaign.status is not CampaignStatus.PUBLISHED or not can_submit_as(team_status):
        return []
    steps: list[TeamStep] = []
    if members < campaign.min_team_size:
        window = team_window_close(phases, now)
        if window is not None:
            steps.append(TeamStep(kind=StepKind.FIND_MEMBERS, due=window, missing=campaign.min_team_size - members))
    entry_step = _entry_step(phases, entries, extensions, now)
    if entry_step is not None:
        steps.append(entry_step)
    return steps

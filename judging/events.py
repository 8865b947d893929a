"""What judging announces (``core.events``): notifications and automation subscribe to these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.events import Event


@dataclass(frozen=True)
class AdvancementApplied(Event):
    phase_id: int
    at: datetime
    advanced: tuple[int, ...]  # team ids
    eliminated: tuple[int, ...]


@dataclass(frozen=True)
class AdvancementOverridden(Event):
    phase_id: int
    team_id: int
    outcome: str
    at: datetime


@dataclass(frozen=True)
class AwardsAwaitingApproval(Event):
    campaign_id: int
    at: datetime


@dataclass(frozen=True)
class ResultsPublished(Event):
    campaign_id: int
    at: datetime


@dataclass(frozen=True)
class ResultsRepublished(Event):
    campaign_id: int
    at: datetime
    reason: str


@dataclass(frozen=True)
class RubricReopened(Event):
    campaign_id: int
    phase_id: int
    at: datetime
    judges: tuple[tuple[int, int], ...]  # (judge id, scorecards reopened), by judge id

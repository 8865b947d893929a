"""What campaigns announce: the events published when a campaign or its timeline changes.

automation.sync re-plans the campaign's scheduled steps on them; notifications subscribe to some.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.events import Event


@dataclass(frozen=True)
class CampaignPublished(Event):
    campaign_id: int


@dataclass(frozen=True)
class CampaignClosed(Event):
    campaign_id: int


@dataclass(frozen=True)
class TimelineChanged(Event):
    """A phase was added or its times changed: whatever is scheduled from the timeline is stale."""

    campaign_id: int
    phase_id: int


@dataclass(frozen=True)
class PhaseOpened(Event):
    campaign_id: int
    phase_id: int
    at: datetime


@dataclass(frozen=True)
class PhaseClosed(Event):
    campaign_id: int
    phase_id: int
    at: datetime

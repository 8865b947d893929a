"""What incubation announces (``core.events``): notifications subscribe to these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.events import Event


@dataclass(frozen=True)
class ProjectProposed(Event):
    project_id: int
    at: datetime


@dataclass(frozen=True)
class ProjectDecided(Event):
    project_id: int
    at: datetime

"""What teams announce (``core.events``): notifications subscribe to these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.events import Event


@dataclass(frozen=True)
class InvitationSent(Event):
    invitation_id: int
    team_id: int
    invitee_id: int
    invited_by_id: int
    at: datetime


@dataclass(frozen=True)
class ExtensionGranted(Event):
    """An organizer granted (or changed) one team's extension in a submission phase."""

    extension_id: int
    team_id: int
    phase_id: int
    at: datetime

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


@dataclass(frozen=True)
class JoinRequested(Event):
    """A person asked to join a team: its captain is told."""

    request_id: int
    team_id: int
    user_id: int
    at: datetime


@dataclass(frozen=True)
class JoinRequestDecided(Event):
    """The captain accepted or declined a request to join: the person who asked is told."""

    request_id: int
    team_id: int
    user_id: int
    accepted: bool
    at: datetime


@dataclass(frozen=True)
class CaptainHandedOver(Event):
    """The captain handed the role to another member: the new captain is told."""

    team_id: int
    previous_id: int
    captain_id: int
    at: datetime

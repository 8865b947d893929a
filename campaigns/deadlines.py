"""Deadline rules, pure: no I/O. ``opens_at`` is inclusive, ``closes_at`` exclusive (UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from campaigns.models import Phase, PhaseStatus


def effective_close(phase: Phase, extension_until: datetime | None = None) -> datetime:
    """The last instant (exclusive) at which a write is accepted: close + grace, or a later extension."""
    close = phase.closes_at + timedelta(minutes=phase.grace_minutes)
    if extension_until is not None and extension_until > close:
        return extension_until
    return close


def is_open(phase: Phase, now: datetime) -> bool:
    """Open by the clock, unless an organizer closed it early by hand."""
    if phase.status is PhaseStatus.CLOSED:
        return False
    if phase.status is PhaseStatus.OPEN:
        return now < phase.closes_at
    return phase.opens_at <= now < phase.closes_at


def accepts_writes(phase: Phase, now: datetime, extension_until: datetime | None = None) -> bool:
    """May a team still save into this phase at ``now``? Grace and a team's extension count."""
    if phase.status is PhaseStatus.CLOSED and extension_until is None:
        return False
    started = phase.status is PhaseStatus.OPEN or phase.opens_at <= now
    return started and now < effective_close(phase, extension_until)


def current_phase(phases: list[Phase], now: datetime) -> Phase | None:
    for phase in phases:
        if is_open(phase, now):
            return phase
    return None


def is_valid_timezone(name: str) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """A naive wall-clock time in the campaign's zone to an aware UTC time."""
    from datetime import UTC

    return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def utc_to_local(value: datetime, timezone: str) -> datetime:
    return value.astimezone(ZoneInfo(timezone))

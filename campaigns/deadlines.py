"""Deadline rules, pure: no I/O. ``opens_at`` is inclusive, ``closes_at`` exclusive (UTC)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from campaigns.models import Phase, PhaseKind, PhaseStatus
from core.errors import N_


def effective_close(phase: Phase, extension_until: datetime | None = None) -> datetime:
    """The last instant (exclusive) at which a write is accepted: close + grace, or a later extension."""
    close = phase.closes_at + timedelta(minutes=phase.grace_minutes)
    if extension_until is not None and extension_until > close:
        return extension_until
    return close


def has_started(phase: Phase, now: datetime) -> bool:
    """Opened by hand, or its opening time has come."""
    return phase.status is not PhaseStatus.PENDING or phase.opens_at <= now


def is_live(phase: Phase, now: datetime) -> bool:
    """Running now: open, or in its grace period, and not closed. At most one phase of a campaign is live."""
    return phase.status is not PhaseStatus.CLOSED and has_started(phase, now) and now < effective_close(phase)


def is_overdue(phase: Phase, now: datetime) -> bool:
    """Not closed although its close (+ grace) has passed: the scheduler, or an opening, closes it late."""
    return phase.status is not PhaseStatus.CLOSED and now >= effective_close(phase)


def is_open(phase: Phase, now: datetime) -> bool:
    """Open by the clock, unless an organizer closed it early by hand."""
    if phase.status is PhaseStatus.CLOSED:
        return False
    if phase.status is PhaseStatus.OPEN:
        return now < phase.closes_at
    return phase.opens_at <= now < phase.closes_at


def accepts_writes(phase: Phase, now: datetime, extension_until: datetime | None = None) -> bool:
    """May a team still save into this phase at ``now``? Grace and a team's extension count."""
    if phase.status is PhaseStatus.CLOSED:
        # closed by hand, or by the clock at close + grace: only a team's own extension still runs
        return extension_until is not None and phase.opens_at <= now < extension_until
    started = phase.status is PhaseStatus.OPEN or phase.opens_at <= now
    return started and now < effective_close(phase, extension_until)


def current_phase(phases: list[Phase], now: datetime) -> Phase | None:
    for phase in phases:
        if is_open(phase, now):
            return phase
    return None


class NonexistentLocalTime(ValueError):
    """A wall-clock time the zone skips when its clocks go forward."""


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """A naive wall-clock time in the campaign's zone to an aware UTC time.

    A time that happens twice (clocks going back) means the later instant, so a deadline cuts
    nobody off early; a time that never happens (clocks going forward) raises NonexistentLocalTime.
    """
    zone = ZoneInfo(timezone)
    result = value.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if result.astimezone(zone).replace(tzinfo=None) != value.replace(fold=0):
        raise NonexistentLocalTime(f"{value:%Y-%m-%d %H:%M} does not exist in {timezone}")
    return result


@dataclass(frozen=True)
class ClockGap:
    """Wall-clock times a zone skips when its clocks go forward: ``starts`` (inclusive) to ``ends``."""

    starts: datetime  # naive, local: the first skipped minute, e.g. 02:00
    ends: datetime  # naive, local: the first time that exists again, e.g. 03:00


def clock_gap(value: datetime, timezone: str) -> ClockGap | None:
    """The gap a naive wall-clock ``value`` falls in, or None when the time exists."""
    zone = ZoneInfo(timezone)
    naive = value.replace(tzinfo=None, fold=0)
    before, after = naive.replace(tzinfo=zone).utcoffset(), naive.replace(tzinfo=zone, fold=1).utcoffset()
    if before is None or after is None or after <= before:
        return None
    if naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        return None
    # the jump happens at one UTC instant between these two readings: find it to the minute
    low, high = (naive - after).replace(tzinfo=UTC), (naive - before).replace(tzinfo=UTC)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    jump = high.replace(second=0, microsecond=0)
    return ClockGap(starts=(jump + before).replace(tzinfo=None), ends=(jump + after).replace(tzinfo=None))


def is_ambiguous(value: datetime, timezone: str) -> bool:
    """A naive wall-clock time that happens twice (clocks going back): local_to_utc takes the later."""
    zone = ZoneInfo(timezone)
    naive = value.replace(tzinfo=None)
    earlier, later = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    return earlier.utcoffset() != later.utcoffset() and clock_gap(naive, timezone) is None


def utc_to_local(value: datetime, timezone: str) -> datetime:
    return value.astimezone(ZoneInfo(timezone))


def phase_state(phase: Phase, now: datetime) -> PhaseStatus:
    """What a phase is at ``now`` for display: open, closed (by hand or by the clock) or pending."""
    if is_open(phase, now):
        return PhaseStatus.OPEN
    if phase.status is PhaseStatus.CLOSED or now >= phase.closes_at:
        return PhaseStatus.CLOSED
    return PhaseStatus.PENDING


# --- the shape of a timeline ---------------------------------------------------------------


class FieldMessage(NamedTuple):
    """A message for one form field, with the values it names (datetimes are shown in the campaign's zone)."""

    message: str
    params: dict[str, Any] = {}  # noqa: RUF012 - never mutated; NamedTuple defaults are shared


@dataclass(frozen=True)
class Slot:
    """A phase as the timeline rules see it; ``ref`` is the phase id (None for a new phase)."""

    ref: int | None
    kind: PhaseKind
    opens_at: datetime
    closes_at: datetime
    judges_phase_id: int | None = None
    grace_minutes: int = 0
    name: str = ""

    @property
    def ends_at(self) -> datetime:
        """The end of the phase's span: its close plus grace, when writes stop."""
        return self.closes_at + timedelta(minutes=self.grace_minutes)


def slot_of(phase: Phase) -> Slot:
    return Slot(
        ref=phase.id,
        kind=phase.kind,
        opens_at=phase.opens_at,
        closes_at=phase.closes_at,
        judges_phase_id=phase.judges_phase_id if phase.kind is PhaseKind.JUDGING else None,
        grace_minutes=phase.grace_minutes or 0,
        name=phase.name,
    )


def in_time_order(slots: Sequence[Slot]) -> list[Slot]:
    """Positions follow time: by opening, then closing, then id (new phases last)."""
    return sorted(slots, key=lambda s: (s.opens_at, s.closes_at, s.ref is None, s.ref or 0))


def default_judged_phase(opens_at: datetime, others: Sequence[Slot]) -> Slot | None:
    """The submission phase a judging phase opening at ``opens_at`` judges by default: the latest earlier one."""
    earlier = [s for s in others if s.kind is PhaseKind.SUBMISSION and s.ends_at <= opens_at]
    return max(earlier, key=lambda s: (s.opens_at, s.ref or 0), default=None)


def timeline_errors(subject: Slot, others: Sequence[Slot]) -> dict[str, FieldMessage]:
    """Field errors of ``subject`` (new or changed) against the rest of its campaign's timeline.

    Rules: a phase closes after it opens; phases never overlap, grace periods included (a phase
    spans ``opens_at`` up to ``closes_at`` + grace, exclusive, so the next may open at the instant
    its writes stop); a judging phase judges a submission phase of the same campaign whose span
    ends no later than the judging phase opens; a submission phase that is judged stays a
    submission phase and stays before its judging phase.
    """
    errors: dict[str, FieldMessage] = {}
    if subject.closes_at <= subject.opens_at:
        errors["closes_at"] = FieldMessage(N_("The phase must close after it opens."))
        return errors
    for other in in_time_order(others):
        if other.opens_at < subject.ends_at and subject.opens_at < other.ends_at:
            if other.opens_at <= subject.opens_at:
                errors.setdefault(
                    "opens_at",
                    FieldMessage(
                        N_("Phases must not overlap: this one opens before “%(name)s” ends, at %(when)s."),
                        {"name": other.name, "when": other.ends_at},
                    ),
                )
            else:
                errors.setdefault(
                    "closes_at",
                    FieldMessage(
                        N_("Phases must not overlap: this one ends after “%(name)s” opens, at %(when)s."),
                        {"name": other.name, "when": other.opens_at},
                    ),
                )
    if subject.kind is PhaseKind.JUDGING:
        judged = next((s for s in others if s.ref is not None and s.ref == subject.judges_phase_id), None)
        if subject.judges_phase_id is None:
            errors["judges_phase_id"] = FieldMessage(N_("Choose the submission phase this judging phase judges."))
        elif judged is None or judged.kind is not PhaseKind.SUBMISSION:
            errors["judges_phase_id"] = FieldMessage(N_("Choose a submission phase of this campaign."))
        elif judged.ends_at > subject.opens_at:
            errors.setdefault(
                "opens_at",
                FieldMessage(
                    N_("A judging phase opens after the submission phase it judges ends, at %(when)s."),
                    {"when": judged.ends_at},
                ),
            )
    judging_this = [
        s
        for s in others
        if s.kind is PhaseKind.JUDGING and subject.ref is not None and s.judges_phase_id == subject.ref
    ]
    if judging_this:
        if subject.kind is not PhaseKind.SUBMISSION:
            errors["kind"] = FieldMessage(N_("A judging phase judges this phase, so it must stay a submission phase."))
        elif any(s.opens_at < subject.ends_at for s in judging_this):
            errors.setdefault(
                "closes_at",
                FieldMessage(
                    N_("This submission phase must end, grace included, before the judging phase that judges it opens.")
                ),
            )
    return errors


# --- reminders ----------------------------------------------------------------------------------

REMINDER_HOURS_LIMIT = 720  # 30 days
REMINDER_VALUES_MAX = 5


def normalise_reminder_hours(raw: str) -> str | None:
    """``"1, 24"`` → ``"24,1"`` (distinct whole hours 1..720, at most 5, latest first); ``""`` for none.

    None when the text is not such a list.
    """
    text = raw.strip()
    if not text:
        return ""
    parts = [part.strip() for part in text.split(",")]
    if any(not part.isdecimal() or not part.isascii() for part in parts):
        return None
    hours = sorted({int(part) for part in parts}, reverse=True)
    if len(hours) > REMINDER_VALUES_MAX or any(not 1 <= h <= REMINDER_HOURS_LIMIT for h in hours):
        return None
    return ",".join(str(h) for h in hours)


def reminder_offsets(value: str) -> list[timedelta]:
    """The stored reminder hours as offsets before a deadline (unreadable parts are skipped)."""
    normalised = normalise_reminder_hours(value) or ""
    return [timedelta(hours=int(h)) for h in normalised.split(",") if h]

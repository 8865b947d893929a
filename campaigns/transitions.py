"""The timeline as a state machine, pure: which phase may open, close or reopen, and with which times.

A campaign's phases run one at a time and in time order. Each phase moves ``pending → open →
closed``; a closed phase opens again only through an explicit reopen with a new closing time.
Opening or closing by hand records the real time, so the timeline always shows what happened:
an early opening moves ``opens_at`` to now, an early close moves ``closes_at`` to now (no grace
follows a close by hand).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campaigns.deadlines import FieldMessage, effective_close, has_started, is_live, is_overdue
from campaigns.models import Phase, PhaseStatus
from core.errors import N_


@dataclass(frozen=True)
class OpeningPlan:
    """What opening ``target`` at ``now`` entails.

    ``refusal``: why it cannot open (with the phase it names); ``running``: a live phase that an
    early opening closes now (an organizer confirms this first); ``overdue``: phases whose close
    has passed without being applied, closed first, late, as the scheduler would have.
    """

    refusal: FieldMessage | None = None
    running: list[Phase] = field(default_factory=list)
    overdue: list[Phase] = field(default_factory=list)
    opens_at: datetime | None = None  # the opening time that then holds


def _ordered(phases: Sequence[Phase]) -> list[Phase]:
    return sorted(phases, key=lambda p: (p.opens_at, p.closes_at, p.id or 0))


def plan_opening(phases: Sequence[Phase], target: Phase, now: datetime) -> OpeningPlan:
    """Whether ``target`` may open now; ``phases`` is the whole timeline (``target`` included)."""
    if target.status is PhaseStatus.CLOSED:
        return OpeningPlan(refusal=FieldMessage(N_("This phase has closed. To run it again, use “Reopen”.")))
    if now >= target.closes_at:
        return OpeningPlan(
            refusal=FieldMessage(
                N_("This phase's closing time (%(when)s) has passed, so it cannot open. Move its times first."),
                {"when": target.closes_at},
            )
        )
    others = [p for p in phases if p.id != target.id]
    key = (target.opens_at, target.closes_at, target.id or 0)
    before = [p for p in _ordered(others) if (p.opens_at, p.closes_at, p.id or 0) < key]
    waiting = next((p for p in before if p.status is PhaseStatus.PENDING and not has_started(p, now)), None)
    if waiting is not None:
        return OpeningPlan(
            refusal=FieldMessage(
                N_("“%(name)s” comes first and has not opened yet. Phases run in order: open it first."),
                {"name": waiting.name},
            )
        )
    return OpeningPlan(
        running=[p for p in others if is_live(p, now)],
        overdue=[p for p in others if is_overdue(p, now)],
        opens_at=min(target.opens_at, now),
    )


@dataclass(frozen=True)
class ClosingTimes:
    """The times a phase keeps when it closes at ``now``: by hand before its end, the end moves to now."""

    closes_at: datetime
    grace_minutes: int


def closing_times(phase: Phase, now: datetime) -> ClosingTimes:
    if now < phase.closes_at:
        return ClosingTimes(closes_at=now, grace_minutes=0)
    if now < effective_close(phase):  # in its grace period: the grace ends now (to the minute below, so
        # the recorded span never reaches past now, where the next phase may open)
        return ClosingTimes(phase.closes_at, math.floor((now - phase.closes_at).total_seconds() / 60))
    return ClosingTimes(phase.closes_at, phase.grace_minutes)  # late: the times that held stay


def closing_refusal(phase: Phase, now: datetime) -> FieldMessage | None:
    """A phase closes by hand once it has started; one that never began has nothing to close."""
    if phase.status is PhaseStatus.PENDING and not has_started(phase, now):
        return FieldMessage(
            N_("“%(name)s” has not opened yet, so there is nothing to close. Change its times instead."),
            {"name": phase.name},
        )
    return None


def reopen_errors(
    phases: Sequence[Phase], target: Phase, closes_at: datetime | None, grace_minutes: int, now: datetime
) -> dict[str, FieldMessage]:
    """Field errors of reopening the closed ``target`` until ``closes_at`` (+ grace).

    Only while the next phase has not begun, and only so far that the reopened phase ends before
    it opens; never while another phase runs.
    """
    if target.status is not PhaseStatus.CLOSED:
        return {"__all__": FieldMessage(N_("Only a closed phase can be reopened."))}
    others = [p for p in phases if p.id != target.id]
    if running := next((p for p in others if is_live(p, now)), None):
        return {
            "__all__": FieldMessage(
                N_("“%(name)s” is running. A phase reopens only while no other phase runs."), {"name": running.name}
            )
        }
    later = [p for p in _ordered(others) if (p.opens_at, p.id) > (target.opens_at, target.id)]
    following = later[0] if later else None
    if following is not None and has_started(following, now):
        return {
            "__all__": FieldMessage(
                N_("“%(name)s” has already begun. A phase reopens only before the next one starts."),
                {"name": following.name},
            )
        }
    if closes_at is None:
        return {"closes_at": FieldMessage(N_("Enter a valid date and time."))}
    if closes_at <= now:
        return {"closes_at": FieldMessage(N_("The new closing time must be in the future."))}
    end = closes_at + timedelta(minutes=grace_minutes)
    if following is not None and end > following.opens_at:
        return {
            "closes_at": FieldMessage(
                N_("The reopened phase must end (grace included) before “%(name)s” opens (%(when)s)."),
                {"name": following.name, "when": following.opens_at},
            )
        }
    return {}

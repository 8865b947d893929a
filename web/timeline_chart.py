"""The geometry of the visual timeline: one bar per phase, proportional to time, and "now".

Percentages of the chart's width; the template draws them as SVG (no inline styles, which the
Content-Security-Policy forbids), so the chart reads without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.models import Phase

MIN_WIDTH = 0.8  # percent: a phase of a few minutes in a months-long campaign stays visible
ROW_HEIGHT = 26
TOP = 16  # room for the "now" label above the rows


@dataclass(frozen=True)
class Bar:
    phase: Phase
    state: str
    row: int
    left: float
    width: float
    grace_width: float

    @property
    def y(self) -> int:
        return TOP + self.row * ROW_HEIGHT + 3

    @property
    def label_place(self) -> str:
        """Where the name goes so it stays inside the chart: after the bar, before it, or on it."""
        if self.left + self.width + self.grace_width <= 75:
            return "after"
        return "before" if self.left >= 25 else "inside"


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    start: datetime
    end: datetime
    now_at: float | None  # None when now lies outside the timeline

    @property
    def height(self) -> int:
        return TOP + len(self.bars) * ROW_HEIGHT + 4


def _percent(moment: datetime, start: datetime, span: float) -> float:
    return round(100 * (moment - start).total_seconds() / span, 3)


def build_chart(phases: Sequence[Phase], states: Mapping[int, str], now: datetime) -> Chart | None:
    """None for an empty timeline."""
    if not phases:
        return None
    start = min(p.opens_at for p in phases)
    end = max(p.closes_at + timedelta(minutes=p.grace_minutes) for p in phases)
    span = max((end - start).total_seconds(), 1.0)
    bars = []
    for row, phase in enumerate(phases):
        left = _percent(phase.opens_at, start, span)
        width = max(_percent(phase.closes_at, start, span) - left, MIN_WIDTH)
        grace = _percent(phase.closes_at + timedelta(minutes=phase.grace_minutes), start, span)
        bars.append(
            Bar(
                phase=phase,
                state=states.get(phase.id, "pending"),
                row=row,
                left=left,
                width=round(width, 3),
                grace_width=round(max(grace - left - width, 0.0), 3),
            )
        )
    now_at = _percent(now, start, span) if start <= now <= end else None
    return Chart(bars=bars, start=start, end=end, now_at=now_at)

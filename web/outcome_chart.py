"""The geometry of a project's outcome chart: one line per measured series (kind and unit), the
running total of its measurements over time (each outcome is what was realised since the previous
one, so the total is the realised value), with the KPI's target as a horizontal line when it is in
the same unit.

Coordinates are in the SVG's own user units (a ``viewBox`` of WIDTH × HEIGHT): the template
draws them, without inline styles, so the chart needs no JavaScript; a table beside it gives the
same figures to screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incubation.models import ProjectOutcome

WIDTH = 600
HEIGHT = 200
PAD_LEFT = 8
PAD_RIGHT = 8
PAD_TOP = 14
PAD_BOTTOM = 20


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: date
    value: Decimal  # the running total on that day


@dataclass(frozen=True)
class Series:
    kind: str
    unit: str
    points: list[Point]
    target_y: float | None
    low: Decimal
    high: Decimal

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def last(self) -> Point:
        return self.points[-1]


def _scale(value: Decimal, low: Decimal, high: Decimal) -> float:
    span = high - low
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    share = 0.5 if span == 0 else float((value - low) / span)
    return round(HEIGHT - PAD_BOTTOM - share * inner, 2)


def build_series(
    outcomes: Sequence[ProjectOutcome], kpi_unit: str = "", kpi_target: Decimal | None = None
) -> list[Series]:
    """One series per (kind, unit), in the order first measured; x spans all measurement days."""
    if not outcomes:
        return []
    days = [o.measured_on for o in outcomes]
    first, last = min(days), max(days)
    span_days = (last - first).days
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    grouped: dict[tuple[str, str], list[ProjectOutcome]] = {}
    for outcome in sorted(outcomes, key=lambda o: (o.measured_on, o.id or 0)):
        grouped.setdefault((outcome.kind.value, outcome.unit), []).append(outcome)
    series: list[Series] = []
    for (kind, unit), rows in grouped.items():
        target = kpi_target if kpi_target is not None and unit == kpi_unit else None
        totals: list[Decimal] = []
        for r in rows:
            totals.append((totals[-1] if totals else Decimal(0)) + r.value)
        values = totals + ([target] if target is not None else [])
        low, high = min([Decimal(0), *values]), max(values)
        points = [
            Point(
                x=round(PAD_LEFT + (0.5 if span_days == 0 else (r.measured_on - first).days / span_days) * inner_w, 2),
                y=_scale(total, low, high),
                day=r.measured_on,
                value=total,
            )
            for r, total in zip(rows, totals, strict=True)
        ]
        series.append(Series(kind, unit, points, None if target is None else _scale(target, low, high), low, high))
    return series

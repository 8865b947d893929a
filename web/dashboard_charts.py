"""The geometry of the dashboard's charts, drawn as SVG by the templates (as web/timeline_chart.py).

Horizontal bars, one row per item, the label above its bar so that long names fit at phone width;
widths are percentages of the chart's width, so the chart scales without JavaScript. The trend
chart places each campaign at a percentage of the width and each rate at a height in pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROW = 40  # one bar with its label
BAR_HEIGHT = 16
MIN_WIDTH = 0.6  # percent: a count above zero stays visible
PLOT = 94.0  # percent of the width the longest bar takes (room for its value)


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value_text: str
    width: float  # percent of the chart's width
    row: int

    @property
    def label_y(self) -> int:
        return self.row * ROW + 13

    @property
    def bar_y(self) -> int:
        return self.row * ROW + 18

    @property
    def text_inside(self) -> bool:
        """The value is written inside a long bar, after a short one."""
        return self.width > 75


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]

    @property
    def height(self) -> int:
        return len(self.bars) * ROW + 2


def bar_chart(items: Sequence[tuple[str, str, float, str]], maximum: float | None = None) -> BarChart:
    """Items are (key, label, value, value as shown); the longest bar is ``maximum`` (by default
    the largest value). Negative values draw as 0."""
    top = maximum if maximum is not None else max((v for _k, _l, v, _t in items), default=0.0)
    bars = []
    for row, (key, label, value, text) in enumerate(items):
        share = max(value, 0.0) / top if top > 0 else 0.0
        width = round(min(share, 1.0) * PLOT, 3)
        if value > 0:
            width = max(width, MIN_WIDTH)
        bars.append(Bar(key=key, label=label, value_text=text, width=width, row=row))
    return BarChart(bars)


# --- rates across campaigns ---------------------------------------------------------------------

TREND_TOP = 12
TREND_HEIGHT = 160  # pixels from 100 % down to 0 %
LEFT, RIGHT = 8.0, 96.0  # percent of the width for the first and the last campaign


@dataclass(frozen=True)
class Point:
    x: float  # percent
    y: float  # pixels
    value: float


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: list[Point | None]  # None where the rate has no denominator

    @property
    def segments(self) -> list[Segment]:
        pairs = zip(self.points, self.points[1:], strict=False)
        return [Segment(a.x, a.y, b.x, b.y) for a, b in pairs if a is not None and b is not None]


@dataclass(frozen=True)
class TrendChart:
    xs: list[float]  # where each campaign is
    series: list[Series]
    gridlines: list[tuple[int, float]]  # (percent label, y)

    @property
    def height(self) -> int:
        return TREND_TOP + TREND_HEIGHT + 24


def _x(index: int, count: int) -> float:
    if count <= 1:
        return 50.0
    return round(LEFT + (RIGHT - LEFT) * index / (count - 1), 3)


def _y(rate: float) -> float:
    return round(TREND_TOP + (1 - min(max(rate, 0.0), 1.0)) * TREND_HEIGHT, 2)


def trend_chart(count: int, series: Sequence[tuple[str, str, Sequence[float | None]]]) -> TrendChart:
    """``count`` campaigns; each series is (key, label, one rate in [0, 1] or None per campaign)."""
    xs = [_x(i, count) for i in range(count)]
    drawn = [
        Series(
            key,
            label,
            [None if r is None else Point(xs[i], _y(r), r) for i, r in enumerate(rates)],
        )
        for key, label, rates in series
    ]
    grid = [(p, _y(p / 100)) for p in (0, 25, 50, 75, 100)]
    return TrendChart(xs=xs, series=drawn, gridlines=grid)

"""Inter-judge agreement of a judging phase, pure: no I/O (DOMAIN.md, "Scores").

The statistic is Krippendorff's alpha with the interval metric (the ``krippendorff`` package),
over the reliability matrix judges × entries of the phase's judge totals (0..100), a missing
value wherever a judge did not score an entry. It accepts any number of judges per entry and
missing cells, which is what a phase with k of N judges per entry gives. 1 is perfect agreement,
0 is what chance would give; by Krippendorff's own thresholds ≥ 0.8 is good, 0.667–0.8 allows
tentative conclusions only, and below that judges read the rubric differently.

Alpha needs at least one entry with two or more totals and some variation among the values;
otherwise there is nothing to measure and ``alpha`` is ``None``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import krippendorff
import numpy as np

GOOD = 0.8
TENTATIVE = 0.667


class TotalLike(Protocol):
    @property
    def entry_id(self) -> int: ...
    @property
    def judge_id(self) -> int: ...
    @property
    def total(self) -> float: ...


class Level(enum.StrEnum):
    GOOD = "good"
    TENTATIVE = "tentative"
    LOW = "low"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Agreement:
    alpha: float | None
    level: Level
    pairable_entries: int  # entries with at least two final scorecards
    judges: int


def level_of(alpha: float | None) -> Level:
    if alpha is None:
        return Level.UNKNOWN
    if alpha >= GOOD:
        return Level.GOOD
    if alpha >= TENTATIVE:
        return Level.TENTATIVE
    return Level.LOW


def interval_alpha(totals: Sequence[TotalLike]) -> Agreement:
    """Krippendorff's alpha (interval) over judges × entries of the given judge totals."""
    entry_ids = sorted({t.entry_id for t in totals})
    judge_ids = sorted({t.judge_id for t in totals})
    per_entry: dict[int, int] = {}
    for t in totals:
        per_entry[t.entry_id] = per_entry.get(t.entry_id, 0) + 1
    pairable = sum(1 for n in per_entry.values() if n >= 2)
    values = {t.total for t in totals if per_entry[t.entry_id] >= 2}
    if pairable == 0 or len(values) < 2:
        return Agreement(None, Level.UNKNOWN, pairable, len(judge_ids))
    e_index = {e: i for i, e in enumerate(entry_ids)}
    j_index = {j: i for i, j in enumerate(judge_ids)}
    matrix = np.full((len(judge_ids), len(entry_ids)), np.nan)
    for t in totals:
        # totals come from finitely many scale points: rounding merges float noise into one value
        matrix[j_index[t.judge_id], e_index[t.entry_id]] = round(t.total, 9)
    alpha = float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval"))
    if math.isnan(alpha):
        return Agreement(None, Level.UNKNOWN, pairable, len(judge_ids))
    return Agreement(alpha, level_of(alpha), pairable, len(judge_ids))

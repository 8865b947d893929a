"""The weighted total of one scorecard, pure: no I/O.

``T = 100 · Σ w·(s − min)/(max − min) / Σ w`` over the rubric's criteria (DOMAIN.md, Scores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class CriterionLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def weight(self) -> float: ...
    @property
    def scale_min(self) -> int: ...
    @property
    def scale_max(self) -> int: ...


def _weighted(criteria: Sequence[CriterionLike], scores: Mapping[int, int]) -> float | None:
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight <= 0:
        return None
    points = sum(c.weight * (scores[c.id] - c.scale_min) / (c.scale_max - c.scale_min) for c in criteria)
    return 100.0 * points / total_weight


def judge_total(criteria: Sequence[CriterionLike], scores: Mapping[int, int]) -> float | None:
    """The judge total (0..100) of a complete scorecard; ``None`` while any criterion is unscored."""
    if any(c.id not in scores for c in criteria):
        return None
    return _weighted(criteria, scores)


def partial_total(criteria: Sequence[CriterionLike], scores: Mapping[int, int]) -> float | None:
    """The running total over the criteria scored so far (for display while scoring); ``None`` if none is."""
    return _weighted([c for c in criteria if c.id in scores], scores)

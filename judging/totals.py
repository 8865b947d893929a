"""The weighted total of one scorecard, pure: no I/O.

``T = 100 · Σ w·(s − min)/(max − min) / Σ w`` over the rubric's criteria (DOMAIN.md, Scores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from judging.scoring import CriterionSpec
from judging.scoring import judge_total as scoring_judge_total


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
    """The arithmetic itself lives in ``judging.scoring``; this adapts model rows to it."""
    specs = [CriterionSpec(id=c.id, weight=c.weight, scale_min=c.scale_min, scale_max=c.scale_max) for c in criteria]
    try:
        return scoring_judge_total(specs, scores)
    except ValueError:  # no criteria, or a rubric that cannot be scored
        return None


def judge_total(criteria: Sequence[CriterionLike], scores: Mapping[int, int]) -> float | None:
    """The judge total (0..100) of a complete scorecard; ``None`` while any criterion is unscored."""
    if any(c.id not in scores for c in criteria):
        return None
    return _weighted(criteria, scores)


def partial_total(criteria: Sequence[CriterionLike], scores: Mapping[int, int]) -> float | None:
    """The running total over the criteria scored so far (for display while scoring); ``None`` if none is."""
    return _weighted([c for c in criteria if c.id in scores], scores)

"""The running weighted total of one scorecard (DOMAIN.md, Scores), checked by hand."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from judging.totals import judge_total, partial_total


@dataclass(frozen=True)
class C:
    id: int
    weight: float
    scale_min: int
    scale_max: int


RUBRIC = [C(1, 3.0, 1, 5), C(2, 2.0, 1, 5), C(3, 1.0, 0, 10)]


def test_judge_total_by_hand() -> None:
    # 100 · (3·1 + 2·0.5 + 1·0.5) / 6 = 75
    assert judge_total(RUBRIC, {1: 5, 2: 3, 3: 5}) == pytest.approx(75.0)


def test_bounds() -> None:
    assert judge_total(RUBRIC, {1: 1, 2: 1, 3: 0}) == pytest.approx(0.0)
    assert judge_total(RUBRIC, {1: 5, 2: 5, 3: 10}) == pytest.approx(100.0)


def test_missing_criterion_gives_none_but_partial_counts_the_scored_ones() -> None:
    assert judge_total(RUBRIC, {1: 5, 2: 3}) is None
    # over criteria 1 and 2 only: 100 · (3·1 + 2·0.5) / 5 = 80
    assert partial_total(RUBRIC, {1: 5, 2: 3}) == pytest.approx(80.0)
    assert partial_total(RUBRIC, {}) is None
    assert judge_total([], {}) is None

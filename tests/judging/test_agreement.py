"""Inter-judge agreement: Krippendorff's alpha, interval metric, over judges × entries."""

from __future__ import annotations

import pytest

from judging.agreement import Level, interval_alpha, level_of
from judging.scoring import JudgeTotal


def test_a_case_computed_by_hand() -> None:
    # units {1, 1}, {2, 2}, {3, 4}; n = 6 pairable values
    # D_o = (1/6)·((3−4)² + (4−3)²) = 1/3; D_e = Σ over ordered pairs of all values (v − v')² / (n(n−1)) = 82/30
    totals = [JudgeTotal(e, j, v) for e, j, v in [(1, 1, 1), (1, 2, 1), (2, 1, 2), (2, 2, 2), (3, 1, 3), (3, 2, 4)]]
    result = interval_alpha(totals)
    assert result.alpha == pytest.approx(1 - (1 / 3) / (82 / 30))  # 0.878
    assert result.level is Level.GOOD and result.pairable_entries == 3 and result.judges == 2


def test_missing_cells_and_single_scorecards_are_allowed() -> None:
    # entry 4 has a single total: it pairs with nothing and does not change alpha
    base = [JudgeTotal(e, j, v) for e, j, v in [(1, 1, 10), (1, 2, 12), (2, 2, 50), (2, 3, 55), (3, 1, 90), (3, 3, 80)]]
    assert interval_alpha([*base, JudgeTotal(4, 1, 30)]).alpha == pytest.approx(interval_alpha(base).alpha)


def test_perfect_and_opposite_readings() -> None:
    same = [JudgeTotal(e, j, 20.0 * e) for e in (1, 2, 3) for j in (1, 2)]
    assert interval_alpha(same).alpha == pytest.approx(1.0)
    opposite = [JudgeTotal(e, 1, 20.0 * e) for e in (1, 2, 3)] + [JudgeTotal(e, 2, 80 - 20.0 * e) for e in (1, 2, 3)]
    result = interval_alpha(opposite)
    assert result.alpha is not None and result.alpha < 0 and result.level is Level.LOW


def test_nothing_to_measure() -> None:
    assert interval_alpha([]).alpha is None
    lone = interval_alpha([JudgeTotal(1, 1, 50.0), JudgeTotal(2, 2, 70.0)])  # no entry has two totals
    assert lone.alpha is None and lone.level is Level.UNKNOWN and lone.pairable_entries == 0
    flat = interval_alpha([JudgeTotal(1, 1, 50.0), JudgeTotal(1, 2, 50.0)])  # no variation at all
    assert flat.alpha is None


def test_reading_thresholds() -> None:
    assert [level_of(x) for x in (0.9, 0.8, 0.7, 0.667, 0.5, None)] == [
        Level.GOOD,
        Level.GOOD,
        Level.TENTATIVE,
        Level.TENTATIVE,
        Level.LOW,
        Level.UNKNOWN,
    ]

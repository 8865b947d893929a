"""Advancement rules, pure: cut lines, ties across the cut, undecided incomplete entries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.models import AdvancementRule
from judging.advancement_rules import Decision, Ranked, decide, top_count


def _ranked(scores: list[float], scope: int = 1) -> list[Ranked]:
    """Competition ranks (1, 2, 2, 4) from scores, best first; key = position."""
    ordered = sorted(scores, reverse=True)
    rows = []
    for i, s in enumerate(ordered):
        rank = ordered.index(s) + 1
        rows.append(Ranked(key=i + 1, scope=scope, rank=rank, score=s))
    return rows


def _advancing(decisions: list[Decision]) -> set[int]:
    return {d.key for d in decisions if d.outcome == "advance"}


def test_top_n_takes_the_n_best_and_eliminates_the_rest() -> None:
    out = decide(_ranked([90, 80, 70, 60]), AdvancementRule.TOP_N, 2)
    assert [(d.key, d.outcome, d.tied_at_cut) for d in out] == [
        (1, "advance", False), (2, "advance", False), (3, "eliminate", False), (4, "eliminate", False),
    ]  # fmt: skip


def test_a_tie_across_the_cut_advances_whole_and_is_flagged() -> None:
    out = {d.key: d for d in decide(_ranked([90, 80, 80, 60]), AdvancementRule.TOP_N, 2)}
    assert _advancing(list(out.values())) == {1, 2, 3}
    assert out[2].tied_at_cut and out[3].tied_at_cut and not out[1].tied_at_cut
    assert out[4].outcome == "eliminate"


def test_top_percent_rounds_up() -> None:
    assert top_count(10, 30) == 3 and top_count(25, 5) == 2 and top_count(0, 5) == 0 and top_count(100, 7) == 7
    assert _advancing(decide(_ranked([9, 8, 7, 6, 5]), AdvancementRule.TOP_PERCENT, 25)) == {1, 2}


def test_min_score_and_scopes_are_decided_separately() -> None:
    rows = [*_ranked([90, 50], scope=1), Ranked(3, 2, 1, 40.0), Ranked(4, 2, 2, 10.0)]
    assert _advancing(decide(rows, AdvancementRule.MIN_SCORE, 45)) == {1, 2}
    assert _advancing(decide(rows, AdvancementRule.TOP_N, 1)) == {1, 3}


def test_incomplete_entries_stay_undecided_and_manual_decides_nothing() -> None:
    rows = [*_ranked([90, 80]), Ranked(9, 1, None, None, incomplete=True)]
    out = {d.key: d.outcome for d in decide(rows, AdvancementRule.TOP_N, 1)}
    assert out == {1: "advance", 2: "eliminate", 9: None}
    assert {d.outcome for d in decide(rows, AdvancementRule.MANUAL, None)} == {None}


@pytest.mark.parametrize(
    ("rule", "value"),
    [(AdvancementRule.TOP_N, None), (AdvancementRule.TOP_N, 1.5), (AdvancementRule.TOP_PERCENT, 120)],
)
def test_a_rule_without_a_sensible_value_is_refused(rule: AdvancementRule, value: float | None) -> None:
    with pytest.raises(ValueError):
        decide(_ranked([1.0]), rule, value)


scores = st.lists(st.integers(min_value=0, max_value=10).map(float), max_size=12)


@given(scores, st.integers(min_value=0, max_value=14))
def test_advancing_is_monotone_in_n_and_never_splits_a_tie(values: list[float], n: int) -> None:
    rows = _ranked(values)
    fewer, more = (
        _advancing(decide(rows, AdvancementRule.TOP_N, n)),
        _advancing(decide(rows, AdvancementRule.TOP_N, n + 1)),
    )
    assert fewer <= more
    rank = {r.key: r.rank or 0 for r in rows}
    for a in rows:
        for b in rows:
            if a.rank == b.rank:
                assert (a.key in fewer) == (b.key in fewer)
    assert len(fewer) >= min(n, len(rows))
    assert all(rank[k] <= n for k in fewer) or any(d.tied_at_cut for d in decide(rows, AdvancementRule.TOP_N, n))


@given(scores)
def test_top_n_with_n_at_least_the_entries_advances_all(values: list[float]) -> None:
    rows = _ranked(values)
    out = decide(rows, AdvancementRule.TOP_N, len(rows))
    assert _advancing(out) == {r.key for r in rows} and not any(d.tied_at_cut for d in out)


@given(scores, st.integers(min_value=0, max_value=10))
def test_min_score_equals_the_filter(values: list[float], x: int) -> None:
    rows = _ranked(values)
    assert _advancing(decide(rows, AdvancementRule.MIN_SCORE, x)) == {r.key for r in rows if (r.score or 0) >= x}

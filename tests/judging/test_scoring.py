"""Score arithmetic (DOMAIN.md, Scores), checked against cases computed by hand."""

from __future__ import annotations

import math

import pytest

from judging.scoring import (
    Card,
    CriterionSpec,
    EntrySpec,
    JudgeTotal,
    Mode,
    field_means,
    judge_total,
    rank_cards,
    rank_totals,
    tie_break_order,
    zscores,
)

# the factories' default rubric: Impact (w 3, 1..5), Feasibility (w 2, 1..5), Originality (w 1, 0..10)
IMPACT, FEASIBILITY, ORIGINALITY = 1, 2, 3
RUBRIC = [
    CriterionSpec(IMPACT, 3.0, 1, 5, 0),
    CriterionSpec(FEASIBILITY, 2.0, 1, 5, 1),
    CriterionSpec(ORIGINALITY, 1.0, 0, 10, 2),
]


def card(entry: int, judge: int, impact: int, feasibility: int, originality: int) -> Card:
    return Card(entry, judge, {IMPACT: impact, FEASIBILITY: feasibility, ORIGINALITY: originality})


def by_entry(results: list) -> dict:  # type: ignore[type-arg]
    return {r.entry_id: r for r in results}


# --- judge totals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # 100 · (3·(5−1)/4 + 2·(3−1)/4 + 1·(5−0)/10) / 6 = 100 · (3 + 1 + 0.5) / 6 = 75
        ((5, 3, 5), 75.0),
        # 100 · (3·0.5 + 2·0.5 + 1·0.5) / 6 = 100 · 3 / 6 = 50
        ((3, 3, 5), 50.0),
        # 100 · (3·0.75 + 2·0.25 + 1·0.8) / 6 = 100 · 3.55 / 6 = 59.1666…
        ((4, 2, 8), 355 / 6),
        # the bottom and the top of every scale
        ((1, 1, 0), 0.0),
        ((5, 5, 10), 100.0),
    ],
)
def test_judge_total_by_hand(scores: tuple[int, int, int], expected: float) -> None:
    assert judge_total(RUBRIC, dict(zip((IMPACT, FEASIBILITY, ORIGINALITY), scores, strict=True))) == pytest.approx(
        expected
    )


def test_judge_total_refuses_an_unscored_criterion() -> None:
    with pytest.raises(ValueError, match="not scored"):
        judge_total(RUBRIC, {IMPACT: 5, FEASIBILITY: 3})


def test_tie_break_order_is_descending_weight_then_rubric_position() -> None:
    criteria = [
        CriterionSpec(10, 1.0, 1, 5, position=2),
        CriterionSpec(11, 2.0, 1, 5, position=1),
        CriterionSpec(12, 1.0, 1, 5, position=0),
    ]
    # weight 2 first; the two of weight 1 by position (12 at 0, then 10 at 2)
    assert tie_break_order(criteria) == [11, 12, 10]


# --- mode none ------------------------------------------------------------------------------


def test_mode_none_is_the_mean_of_judge_totals() -> None:
    cards = [
        card(1, 100, 5, 3, 5),  # 75
        card(1, 200, 3, 3, 5),  # 50   → entry 1: (75 + 50) / 2 = 62.5
        card(2, 100, 4, 2, 8),  # 59.1666…
        card(2, 200, 5, 5, 10),  # 100 → entry 2: (59.1666… + 100) / 2 = 79.5833…
    ]
    results = by_entry(rank_cards(RUBRIC, cards, [EntrySpec(1), EntrySpec(2)], required=2))
    assert results[1].raw_mean == pytest.approx(62.5)
    assert results[1].score == pytest.approx(62.5)
    assert results[2].score == pytest.approx((355 / 6 + 100) / 2)
    assert (results[2].rank, results[1].rank) == (1, 2)
    # entry 1's mean normalised Impact: ((5−1)/4 + (3−1)/4) / 2 = (1 + 0.5) / 2 = 0.75
    assert results[1].criterion_means[IMPACT] == pytest.approx(0.75)


# --- mode zscore ------------------------------------------------------------------------------


def test_zscore_by_hand_corrects_a_lenient_and_a_harsh_judge() -> None:
    totals = [
        # judge 1 is lenient: 90 and 80 → μ = 85, σ = 5 → z = +1, −1
        JudgeTotal(1, 1, 90.0),
        JudgeTotal(2, 1, 80.0),
        # judge 2 is harsh: 50 and 20 → μ = 35, σ = 15 → z = +1, −1
        JudgeTotal(3, 2, 50.0),
        JudgeTotal(4, 2, 20.0),
        # judge 3 scored once: z = 0
        JudgeTotal(5, 3, 70.0),
    ]
    z = zscores(totals)
    assert z[(1, 1)] == pytest.approx(1.0)
    assert z[(2, 1)] == pytest.approx(-1.0)
    assert z[(3, 2)] == pytest.approx(1.0)
    assert z[(4, 2)] == pytest.approx(-1.0)
    assert z[(5, 3)] == 0.0

    entries = [EntrySpec(e) for e in range(1, 6)]
    results = by_entry(rank_totals(totals, entries, mode=Mode.ZSCORE, required=1, tie_break=[]))
    # scores 1, −1, 1, −1, 0: competition ranking 1, 1, 3, 4, 4
    assert {e: r.rank for e, r in results.items()} == {1: 1, 3: 1, 5: 3, 2: 4, 4: 4}
    assert results[1].tied and results[3].tied and not results[5].tied
    # the raw mean stays the mean of the judge totals
    assert results[3].raw_mean == pytest.approx(50.0)
    # in mode none the harsh judge's best entry (50) comes after the lenient judge's worst (80)
    plain = by_entry(rank_totals(totals, entries, mode=Mode.NONE, required=1, tie_break=[]))
    assert {e: r.rank for e, r in plain.items()} == {1: 1, 2: 2, 5: 3, 3: 4, 4: 5}


def test_zscore_is_zero_where_sigma_is_zero() -> None:
    # judge 1 gives 60 twice: σ = 0 → z = 0 for both
    z = zscores([JudgeTotal(1, 1, 60.0), JudgeTotal(2, 1, 60.0)])
    assert z == {(1, 1): 0.0, (2, 1): 0.0}


def test_zscore_uses_the_population_sigma() -> None:
    # 80, 60, 40: μ = 60, population σ = √((400 + 0 + 400) / 3) = √266.6… ; z(80) = 20 / 16.3299… = 1.2247…
    z = zscores([JudgeTotal(1, 1, 80.0), JudgeTotal(2, 1, 60.0), JudgeTotal(3, 1, 40.0)])
    assert z[(1, 1)] == pytest.approx(20 / math.sqrt(800 / 3))
    assert z[(2, 1)] == pytest.approx(0.0)


# --- incomplete entries -------------------------------------------------------------------------


def test_an_entry_with_fewer_final_scorecards_than_required_is_listed_not_ranked() -> None:
    cards = [card(1, 100, 5, 5, 10), card(1, 200, 5, 5, 10), card(2, 100, 1, 1, 0), card(2, 200, 1, 1, 0)]
    cards.append(card(3, 100, 5, 5, 10))  # only one of the two required scorecards
    results = rank_cards(RUBRIC, cards, [EntrySpec(1), EntrySpec(2), EntrySpec(3), EntrySpec(4)], required=2)
    assert [(r.entry_id, r.rank, r.incomplete) for r in results] == [
        (1, 1, False),
        (2, 2, False),
        (3, None, True),  # 100 points, yet not ranked
        (4, None, True),  # no scorecard at all
    ]
    assert results[2].raw_mean == pytest.approx(100.0)
    assert results[3].raw_mean is None and results[3].cards == 0


# --- ties -----------------------------------------------------------------------------------------


def test_equal_entries_share_a_rank_competition_style() -> None:
    cards = [
        card(1, 100, 5, 3, 5),  # 75
        card(2, 100, 3, 5, 5),  # 100 · (3·0.5 + 2·1 + 1·0.5) / 6 = 100 · 4 / 6 = 66.66…
        card(3, 100, 3, 5, 5),  # the same 66.66…, the same criteria
        card(4, 100, 3, 3, 5),  # 50
    ]
    results = rank_cards(RUBRIC, cards, [EntrySpec(e) for e in (1, 2, 3, 4)], required=1)
    assert [(r.entry_id, r.rank, r.tied) for r in results] == [(1, 1, False), (2, 2, True), (3, 2, True), (4, 4, False)]


def test_equal_scores_are_separated_by_the_heaviest_criterion() -> None:
    cards = [
        # 3·(5−1)/4 + 2·(1−1)/4 + 1·5/10 = 3 + 0 + 0.5 = 3.5 → 58.33…
        card(1, 100, 5, 1, 5),
        # 3·(3−1)/4 + 2·(3−1)/4 + 1·10/10 = 1.5 + 1 + 1 = 3.5 → 58.33…
        card(2, 100, 3, 3, 10),
    ]
    results = rank_cards(RUBRIC, cards, [EntrySpec(2), EntrySpec(1)], required=1)
    # equal scores; Impact (weight 3) decides: entry 1 has 1.0, entry 2 has 0.5
    assert [(r.entry_id, r.rank, r.tied, r.score_tied) for r in results] == [(1, 1, False, True), (2, 2, False, True)]


def test_the_tie_break_goes_on_to_the_next_criterion() -> None:
    cards = [
        card(1, 100, 3, 3, 10),  # 1.5 + 1 + 1 = 3.5
        card(2, 100, 3, 5, 0),  # 1.5 + 2 + 0 = 3.5: the same Impact, a better Feasibility (weight 2)
    ]
    results = rank_cards(RUBRIC, cards, [EntrySpec(1), EntrySpec(2)], required=1)
    assert [(r.entry_id, r.rank) for r in results] == [(2, 1), (1, 2)]


def test_ranking_is_per_scope() -> None:
    cards = [card(1, 100, 5, 5, 10), card(2, 100, 3, 3, 5), card(3, 100, 1, 1, 0), card(4, 100, 4, 4, 4)]
    specs = [EntrySpec(1, "A"), EntrySpec(2, "A"), EntrySpec(3, "B"), EntrySpec(4, "B")]
    results = rank_cards(RUBRIC, cards, specs, required=1)
    assert [(r.scope, r.entry_id, r.rank) for r in results] == [("A", 1, 1), ("A", 2, 2), ("B", 4, 1), ("B", 3, 2)]


def test_field_means_average_every_scorecard() -> None:
    totals = [JudgeTotal(1, 1, 0.0, {IMPACT: 1.0}), JudgeTotal(2, 1, 0.0, {IMPACT: 0.5}), JudgeTotal(2, 2, 0.0, {})]
    # (1.0 + 0.5) / 2
    assert field_means(totals) == {IMPACT: pytest.approx(0.75)}

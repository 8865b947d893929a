"""The column arithmetic (``judging.columns``, the ranking's fast path) equals the reference
arithmetic of ``judging.scoring`` exactly, on random phases in every mode."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from judging import columns, effects, scoring
from judging.scoring import Card, CriterionSpec, EntrySpec, Mode
from tests.judging.test_scoring_properties import phases


def _cols(criteria: list[CriterionSpec], cards: list[Card]) -> columns.Columns:
    return columns.columns(criteria, [(i + 100, c.entry_id, c.judge_id, c.scores) for i, c in enumerate(cards)])


@settings(max_examples=300)
@given(st.data(), st.sampled_from(list(Mode)))
def test_the_fast_path_ranks_exactly_as_the_reference(data: st.DataObject, mode: Mode) -> None:
    criteria, cards, specs, k = data.draw(phases())
    specs = data.draw(st.permutations(specs))
    cards = data.draw(st.permutations(cards))
    tie_break = scoring.tie_break_order(criteria)
    totals = [scoring.to_judge_total(criteria, card) for card in cards]
    expected = scoring.rank_totals(totals, specs, mode=mode, required=k, tie_break=tie_break)
    cols = _cols(criteria, cards)
    assert columns.rank(cols, specs, mode=mode, required=k, tie_break=tie_break) == expected
    # with the fit computed once and shared, as the ranking does
    fit = effects.fit(cols.light())
    assert columns.rank(cols, specs, mode=mode, required=k, tie_break=tie_break, fit=fit) == expected
    assert columns.field_means(cols) == scoring.field_means(totals)
    assert sorted(cols.judge_totals(), key=lambda t: (t.entry_id, t.judge_id)) == sorted(
        totals, key=lambda t: (t.entry_id, t.judge_id)
    )


@settings(max_examples=100)
@given(st.data())
def test_zscores_and_totals_are_the_reference_values(data: st.DataObject) -> None:
    criteria, cards, _specs, _k = data.draw(phases())
    cols = _cols(criteria, cards)
    reference = scoring.zscores([scoring.to_judge_total(criteria, card) for card in cards])
    got = dict(zip(zip(cols.entry_ids, cols.judge_ids, strict=True), columns.zscores(cols), strict=True))
    assert got == reference
    for card in cards:
        i = list(zip(cols.entry_ids, cols.judge_ids, strict=True)).index((card.entry_id, card.judge_id))
        assert cols.totals[i] == scoring.judge_total(criteria, card.scores)


def test_a_scorecard_missing_a_criterion_is_left_out() -> None:
    criteria = [CriterionSpec(1, 1.0, 1, 5), CriterionSpec(2, 2.0, 0, 10)]
    cols = columns.columns(criteria, [(1, 10, 1, {1: 5, 2: 10}), (2, 10, 2, {1: 3}), (3, 11, 1, {1: 1, 2: 0, 9: 4})])
    assert cols.card_ids == (1, 3)
    assert cols.totals == (100.0, 0.0)
    results = columns.rank(cols, [EntrySpec(10), EntrySpec(11)], required=1, tie_break=[2, 1])
    assert [(r.entry_id, r.rank) for r in results] == [(10, 1), (11, 2)]

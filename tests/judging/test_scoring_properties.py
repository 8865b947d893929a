"""Properties of the score arithmetic that must hold for any rubric and any scorecards."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from judging.scoring import (
    Card,
    CriterionSpec,
    EntryResult,
    EntrySpec,
    Mode,
    judge_total,
    rank_cards,
    rank_totals,
    tie_break_order,
    to_judge_total,
)


@st.composite
def rubrics(draw: st.DrawFn) -> list[CriterionSpec]:
    count = draw(st.integers(1, 4))
    out = []
    for i in range(count):
        low = draw(st.integers(-5, 5))
        high = low + draw(st.integers(1, 10))
        weight = draw(st.floats(0.1, 10.0, allow_nan=False, allow_infinity=False))
        out.append(CriterionSpec(id=i + 1, weight=weight, scale_min=low, scale_max=high, position=i))
    return out


@st.composite
def phases(draw: st.DrawFn) -> tuple[list[CriterionSpec], list[Card], list[EntrySpec], int]:
    """A rubric, final scorecards (one per judge and entry at most), the entries and k."""
    criteria = draw(rubrics())
    entries = draw(st.integers(1, 6))
    judges = draw(st.integers(1, 4))
    pairs = draw(
        st.lists(st.tuples(st.integers(1, entries), st.integers(1, judges)), unique=True, max_size=entries * judges)
    )
    cards = [Card(e, j, {c.id: draw(st.integers(c.scale_min, c.scale_max)) for c in criteria}) for e, j in pairs]
    specs = [EntrySpec(e, scope=e % 2) for e in range(1, entries + 1)]
    return criteria, cards, specs, draw(st.integers(1, 3))


def ranks(results: list[EntryResult]) -> dict[int, int | None]:
    return {r.entry_id: r.rank for r in results}


@settings(max_examples=200)
@given(st.data(), st.sampled_from(list(Mode)))
def test_ranking_does_not_depend_on_the_order_scorecards_arrive(data: st.DataObject, mode: Mode) -> None:
    criteria, cards, specs, k = data.draw(phases())
    shuffled = data.draw(st.permutations(cards))
    shuffled_specs = data.draw(st.permutations(specs))
    first = rank_cards(criteria, cards, specs, mode=mode, required=k)
    second = rank_cards(criteria, shuffled, specs, mode=mode, required=k)
    assert first == second  # exactly: sums are correctly rounded, whatever the order
    assert ranks(rank_cards(criteria, cards, shuffled_specs, mode=mode, required=k)) == ranks(first)


@settings(max_examples=200)
@given(st.data(), st.sampled_from(list(Mode)), st.floats(0.01, 100.0, allow_nan=False, allow_infinity=False))
def test_scaling_every_weight_changes_nothing(data: st.DataObject, mode: Mode, factor: float) -> None:
    criteria, cards, specs, k = data.draw(phases())
    scaled = [replace(c, weight=c.weight * factor) for c in criteria]
    before = rank_cards(criteria, cards, specs, mode=mode, required=k)
    after = rank_cards(scaled, cards, specs, mode=mode, required=k)
    assert ranks(after) == ranks(before)
    for x, y in zip(before, after, strict=True):
        assert (x.score is None) == (y.score is None)
        if x.score is not None and y.score is not None:
            assert abs(x.score - y.score) < 1e-6


@settings(max_examples=200)
@given(st.data(), st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False))
def test_a_constant_added_to_one_judges_totals_changes_no_zscore_ranking(data: st.DataObject, shift: float) -> None:
    criteria, cards, specs, k = data.draw(phases())
    totals = [to_judge_total(criteria, c) for c in cards]
    judge = data.draw(st.integers(1, 4))
    # the judge's totals move, not their raw scores: the criterion means (the tie-break) stay put
    shifted = [replace(t, total=t.total + shift) if t.judge_id == judge else t for t in totals]
    order = tie_break_order(criteria)
    before = rank_totals(totals, specs, mode=Mode.ZSCORE, required=k, tie_break=order)
    after = rank_totals(shifted, specs, mode=Mode.ZSCORE, required=k, tie_break=order)
    assert ranks(after) == ranks(before)


@settings(max_examples=300)
@given(st.data())
def test_totals_are_always_between_0_and_100(data: st.DataObject) -> None:
    criteria = data.draw(rubrics())
    scores = {c.id: data.draw(st.integers(c.scale_min, c.scale_max)) for c in criteria}
    assert 0.0 <= judge_total(criteria, scores) <= 100.0


@settings(max_examples=100)
@given(st.data())
def test_every_entry_is_listed_and_ranks_are_competition_ranks(data: st.DataObject) -> None:
    criteria, cards, specs, k = data.draw(phases())
    results = rank_cards(criteria, cards, specs, required=k)
    assert sorted(r.entry_id for r in results) == sorted(s.entry_id for s in specs)
    for scope in {s.scope for s in specs}:
        ranked = [r for r in results if r.scope == scope and not r.incomplete]
        for position, r in enumerate(ranked):
            # a rank is one more than the number of entries strictly ahead
            ahead = sum(1 for other in ranked if other.rank is not None and r.rank is not None and other.rank < r.rank)
            assert r.rank == ahead + 1
            assert r.rank <= position + 1

"""The judge-effects mode (DOMAIN.md, Scores): T_je ≈ q_e + b_j, Σ b_j = 0 per connected group."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.effects import fit
from judging.scoring import EntrySpec, JudgeTotal, Mode, rank_totals

A, B, C = 1, 2, 3


def t(entry: int, judge: int, total: float) -> JudgeTotal:
    return JudgeTotal(entry, judge, total)


def test_a_chain_of_two_judges_linked_by_one_entry() -> None:
    # A: e1 70, e2 60; B: e2 50, e3 40. On e2 A gives 10 more than B: b_A − b_B = 10, b_A + b_B = 0
    effects = fit([t(1, A, 70), t(2, A, 60), t(2, B, 50), t(3, B, 40)])
    assert effects.leniency == {A: pytest.approx(5.0), B: pytest.approx(-5.0)}
    assert effects.quality == {1: pytest.approx(65.0), 2: pytest.approx(55.0), 3: pytest.approx(45.0)}
    assert effects.groups == 1


def test_least_squares_where_the_model_does_not_fit_exactly() -> None:
    # A: 80, 60; B: 60, 50 → differences 20 and 10: b_A − b_B = 15 (their mean), so b = ±7.5
    effects = fit([t(1, A, 80), t(2, A, 60), t(1, B, 60), t(2, B, 50)])
    assert effects.leniency[A] == pytest.approx(7.5) and effects.leniency[B] == pytest.approx(-7.5)
    # q_1 = mean(80 − 7.5, 60 + 7.5) = 70; q_2 = mean(60 − 7.5, 50 + 7.5) = 55
    assert effects.quality == {1: pytest.approx(70.0), 2: pytest.approx(55.0)}


def test_each_connected_group_has_its_own_zero_sum() -> None:
    effects = fit([t(1, A, 70), t(2, A, 60), t(2, B, 50), t(3, B, 40), t(4, C, 90)])
    assert effects.groups == 2
    assert effects.group_of_entry[1] == effects.group_of_entry[3] != effects.group_of_entry[4]
    assert effects.leniency[C] == pytest.approx(0.0) and effects.quality[4] == pytest.approx(90.0)
    assert effects.leniency[A] == pytest.approx(5.0)


def test_no_totals_fit_nothing() -> None:
    effects = fit([])
    assert effects.quality == {} and effects.leniency == {} and effects.groups == 0


def test_rank_totals_scores_entries_by_q() -> None:
    # raw means: e1 70, e2 55, e3 40 — judge effects: 65, 55, 45; the order is the same, the scores not
    totals = [t(1, A, 70), t(2, A, 60), t(2, B, 50), t(3, B, 40)]
    specs = [EntrySpec(1), EntrySpec(2), EntrySpec(3)]
    results = rank_totals(totals, specs, mode=Mode.JUDGE_EFFECTS, required=1, tie_break=[])
    assert [(r.entry_id, r.rank) for r in results] == [(1, 1), (2, 2), (3, 3)]
    assert [r.score for r in results] == [pytest.approx(65.0), pytest.approx(55.0), pytest.approx(45.0)]
    assert [r.raw_mean for r in results] == [pytest.approx(70.0), pytest.approx(55.0), pytest.approx(40.0)]


def test_a_lenient_judge_no_longer_decides_the_order() -> None:
    # A is 20 points more lenient than B on the entries they share; e3 was only seen by A, e4 only by B
    totals = [t(1, A, 80), t(1, B, 60), t(2, A, 70), t(2, B, 50), t(3, A, 75), t(4, B, 65)]
    specs = [EntrySpec(e) for e in (1, 2, 3, 4)]
    raw = rank_totals(totals, specs, mode=Mode.NONE, required=1, tie_break=[])
    fitted = rank_totals(totals, specs, mode=Mode.JUDGE_EFFECTS, required=1, tie_break=[])
    assert [r.entry_id for r in raw] == [3, 1, 4, 2]  # 75, 70, 65, 60: e3 profits from A
    # b_A = 10, b_B = −10: q = 70, 60, 65, 75
    assert [r.entry_id for r in fitted] == [4, 1, 3, 2]


# --- properties -----------------------------------------------------------------------------------


@st.composite
def connected_designs(draw: st.DrawFn) -> tuple[list[tuple[int, int]], int, int]:
    """(entry, judge) pairs where entry 1 is scored by every judge, so all are one group."""
    entries = draw(st.integers(1, 8))
    judges = draw(st.integers(1, 5))
    pairs = set(draw(st.lists(st.tuples(st.integers(1, entries), st.integers(1, judges)), max_size=entries * judges)))
    pairs |= {(1, j) for j in range(1, judges + 1)}
    pairs |= {(e, 1 + e % judges) for e in range(1, entries + 1)}  # every entry has a judge
    return sorted(pairs), entries, judges


points = st.floats(0.0, 100.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=200)
@given(st.data())
def test_exact_additive_data_is_recovered(data: st.DataObject) -> None:
    pairs, entries, judges = data.draw(connected_designs())
    quality = {e: data.draw(points) for e in range(1, entries + 1)}
    raw = {j: data.draw(st.floats(-20.0, 20.0)) for j in range(1, judges + 1)}
    mean = sum(raw.values()) / judges
    bias = {j: b - mean for j, b in raw.items()}  # Σ b_j = 0
    effects = fit([t(e, j, quality[e] + bias[j]) for e, j in pairs])
    for e in quality:
        assert effects.quality[e] == pytest.approx(quality[e], abs=1e-6)
    for j in bias:
        assert effects.leniency[j] == pytest.approx(bias[j], abs=1e-6)


@settings(max_examples=200)
@given(st.data(), st.floats(-50.0, 50.0, allow_nan=False, allow_infinity=False))
def test_a_constant_added_to_one_judges_totals_moves_every_q_alike(data: st.DataObject, shift: float) -> None:
    """The judge absorbs the shift: b_j gains shift·(1 − 1/J), the others lose shift/J, and every
    q_e moves by the same shift/J (Σ b_j = 0 pins the common level) — so no difference between two
    entries, and no ranking, changes."""
    pairs, entries, judges = data.draw(connected_designs())
    totals = [t(e, j, data.draw(points)) for e, j in pairs]
    judge = data.draw(st.integers(1, judges))
    shifted = [t(x.entry_id, x.judge_id, x.total + shift) if x.judge_id == judge else x for x in totals]
    before, after = fit(totals), fit(shifted)
    for e in before.quality:
        assert after.quality[e] - before.quality[e] == pytest.approx(shift / judges, abs=1e-6)
    assert after.leniency[judge] - before.leniency[judge] == pytest.approx(shift - shift / judges, abs=1e-6)
    specs = [EntrySpec(e) for e in range(1, entries + 1)]
    ranked = [rank_totals(x, specs, mode=Mode.JUDGE_EFFECTS, required=1, tie_break=[]) for x in (totals, shifted)]
    # q moves as a whole; ranks can only differ where two q are within rounding of a tie
    gaps = sorted(before.quality.values())
    if all(b - a > 1e-6 for a, b in itertools.pairwise(gaps)):
        assert [r.entry_id for r in ranked[0]] == [r.entry_id for r in ranked[1]]


@settings(max_examples=100)
@given(st.data())
def test_the_fit_does_not_depend_on_the_order_totals_arrive(data: st.DataObject) -> None:
    pairs, _entries, _judges = data.draw(connected_designs())
    totals = [t(e, j, data.draw(points)) for e, j in pairs]
    shuffled, ordered = fit(data.draw(st.permutations(totals))), fit(totals)
    assert shuffled.group_of_entry == ordered.group_of_entry
    assert shuffled.quality == pytest.approx(ordered.quality, abs=1e-9)
    assert shuffled.leniency == pytest.approx(ordered.leniency, abs=1e-9)

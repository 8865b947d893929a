"""The pure assignment solver over random pools: k judges where possible, never a conflict, even load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from judging.assignment_rules import EntrySpec, JudgeSpec, allowed, solve


@st.composite
def pools(draw: st.DrawFn, limits: bool = True) -> tuple[list[EntrySpec], list[JudgeSpec], int, set[tuple[int, int]]]:
    n_judges = draw(st.integers(0, 12))
    n_entries = draw(st.integers(0, 25))
    challenges = draw(st.integers(1, 3))
    judges = [
        JudgeSpec(
            id=100 + j,
            department_id=draw(st.sampled_from([None, 1, 2, 3])),
            challenges=(
                frozenset(draw(st.sets(st.integers(0, challenges - 1), min_size=1)))
                if limits and draw(st.booleans())
                else None
            ),
        )
        for j in range(n_judges)
    ]
    judge_ids = [j.id for j in judges]
    entries = [
        EntrySpec(
            id=e,
            challenge_id=draw(st.integers(0, challenges - 1)),
            members=frozenset(draw(st.sets(st.sampled_from(judge_ids), max_size=2)) if judge_ids else set()),
            departments=frozenset(draw(st.sets(st.integers(1, 3), max_size=1))),
        )
        for e in range(n_entries)
    ]
    declared = {(e.id, j) for e in entries for j in judge_ids if draw(st.integers(0, 9)) == 0} if limits else set()
    return entries, judges, draw(st.integers(1, 4)), declared


@settings(max_examples=80, deadline=None)
@given(pool=pools(), rule=st.booleans(), seed=st.integers(0, 1000))
def test_no_conflict_and_k_where_feasible(
    pool: tuple[list[EntrySpec], list[JudgeSpec], int, set[tuple[int, int]]], rule: bool, seed: int
) -> None:
    entries, judges, k, declared = pool
    plan = solve(entries, judges, k, declared=declared, department_rule=rule, seed=seed)
    by_id = {j.id: j for j in judges}
    got: dict[int, set[int]] = {e.id: set() for e in entries}
    for entry_id, judge_id in plan.pairs:
        assert judge_id not in got[entry_id]  # never twice the same judge
        got[entry_id].add(judge_id)
    for entry in entries:
        possible = [j for j in judges if allowed(entry, j, declared, rule)]
        assert all(allowed(entry, by_id[j], declared, rule) for j in got[entry.id])  # never a conflict
        assert len(got[entry.id]) == min(k, len(possible))  # k judges where feasible
        assert plan.short.get(entry.id, 0) == k - len(got[entry.id])  # and the shortfall says how many miss
    assert plan.missing == sum(k - len(g) for g in got.values())


@settings(max_examples=80, deadline=None)
@given(pool=pools(limits=False), seed=st.integers(0, 1000))
def test_load_spread_at_most_one_without_limits(
    pool: tuple[list[EntrySpec], list[JudgeSpec], int, set[tuple[int, int]]], seed: int
) -> None:
    entries, judges, k, _ = pool
    # without members, limits or declarations every judge may judge everything: spread ≤ 1 is feasible
    free = [EntrySpec(id=e.id, challenge_id=e.challenge_id) for e in entries]
    plan = solve(free, judges, k, seed=seed)
    assert plan.spread <= 1
    if len(judges) >= k:
        assert not plan.short


@settings(max_examples=40, deadline=None)
@given(pool=pools(), seed=st.integers(0, 1000))
def test_same_seed_same_plan_and_kept_pairs_count(
    pool: tuple[list[EntrySpec], list[JudgeSpec], int, set[tuple[int, int]]], seed: int
) -> None:
    entries, judges, k, declared = pool
    first = solve(entries, judges, k, declared=declared, seed=seed)
    assert solve(entries, judges, k, declared=declared, seed=seed).pairs == first.pairs
    kept = set(first.pairs[::2])
    again = solve(entries, judges, k, kept=kept, declared=declared, seed=seed + 1)
    assert not kept & set(again.pairs)  # kept pairs are not assigned twice
    assert again.missing == first.missing  # and they count toward k


def test_members_spread_even_when_feasible() -> None:
    judges = [JudgeSpec(id=j) for j in range(1, 7)]
    entries = [EntrySpec(id=e, challenge_id=0, members=frozenset({e % 6 + 1})) for e in range(30)]
    plan = solve(entries, judges, 3, seed=7)
    assert not plan.short and plan.spread <= 1
    assert all(j not in entries[e].members for e, j in plan.pairs)


def test_shortfall_counts_missing_judges() -> None:
    judges = [JudgeSpec(id=1), JudgeSpec(id=2, challenges=frozenset({9}))]
    entries = [EntrySpec(id=1, challenge_id=0), EntrySpec(id=2, challenge_id=9, members=frozenset({1}))]
    plan = solve(entries, judges, 3)
    assert plan.short == {1: 2, 2: 2}
    assert plan.missing == 4
    assert plan.eligible == {1: 1, 2: 1}


# --- even loads against an independent optimum ------------------------------------------------------

Pool = tuple[list[EntrySpec], list[JudgeSpec], int, set[tuple[int, int]], set[tuple[int, int]], bool]


@st.composite
def unequal_pools(draw: st.DrawFn) -> Pool:
    """Judges limited to challenges of unequal size, with members, conflicts and kept pairs."""
    challenges = draw(st.integers(2, 3))
    sizes = [draw(st.integers(0, 12)) for _ in range(challenges)]
    judges = [
        JudgeSpec(
            id=100 + j,
            department_id=draw(st.sampled_from([None, 1, 2])),
            challenges=(
                None
                if draw(st.integers(0, 4)) == 0
                else frozenset(draw(st.sets(st.integers(0, challenges - 1), min_size=1, max_size=challenges - 1)))
            ),
        )
        for j in range(draw(st.integers(1, 9)))
    ]
    judge_ids = [j.id for j in judges]
    entries = [
        EntrySpec(
            id=sum(sizes[:c]) + i,
            challenge_id=c,
            members=frozenset(draw(st.sets(st.sampled_from(judge_ids), max_size=1))),
            departments=frozenset(draw(st.sets(st.integers(1, 2), max_size=1))),
        )
        for c, size in enumerate(sizes)
        for i in range(size)
    ]
    k = draw(st.integers(1, 4))
    rule = draw(st.booleans())
    declared = {(e.id, j) for e in entries for j in judge_ids if draw(st.integers(0, 14)) == 0}
    kept: set[tuple[int, int]] = set()
    for entry in entries:
        ok = [j.id for j in judges if allowed(entry, j, declared, rule)]
        if ok and draw(st.integers(0, 5)) == 0:  # some judges already assigned by hand or with a scorecard
            kept |= {(entry.id, j) for j in draw(st.sets(st.sampled_from(ok), max_size=k))}
    return entries, judges, k, kept, declared, rule


@dataclass
class Optimum:
    width: int  # smallest max − min load of any plan giving every entry all the judges it can have
    highest: int  # smallest largest load
    lowest: int  # largest smallest load
    squares: int  # smallest sum of squared loads


def optimum(pool: Pool) -> Optimum:
    """The best load figures over every maximal plan, by integer programming (HiGHS), not by flow.

    Variables: x (entry, judge) ∈ {0, 1} per allowed new pair; per judge the level bits
    z (judge, l) ∈ {0, 1} with load = kept + Σ_l z, so that Σ (2·(kept + l) − 1)·z is the sum of
    squares less its constant whenever the bits fill in order (which a minimum does: costs rise);
    lo and hi bound every judge's load.
    """
    entries, judges, k, kept, declared, rule = pool
    start = {j.id: sum(1 for _, judge in kept if judge == j.id) for j in judges}
    pairs = [
        (e.id, j.id) for e in entries for j in judges if allowed(e, j, declared, rule) and (e.id, j.id) not in kept
    ]
    levels = [(j.id, level) for j in judges for level in range(1, sum(1 for _, p in pairs if p == j.id) + 1)]
    n_x, n_z = len(pairs), len(levels)
    lo, hi = n_x + n_z, n_x + n_z + 1
    size = n_x + n_z + 2
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(coefficients: dict[int, float], low: float, high: float) -> None:
        line = np.zeros(size)
        for index, value in coefficients.items():
            line[index] += value
        rows.append(line)
        lower.append(low)
        upper.append(high)

    for entry in entries:
        mine = [i for i, (e, _) in enumerate(pairs) if e == entry.id]
        has = sum(1 for e, _ in kept if e == entry.id)
        row(dict.fromkeys(mine, 1.0), min(k - has, len(mine)), min(k - has, len(mine)))
    for judge in judges:
        load = {i: 1.0 for i, (_, j) in enumerate(pairs) if j == judge.id}
        bits = {n_x + i: -1.0 for i, (j, _) in enumerate(levels) if j == judge.id}
        row(load | bits, 0, 0)
        row(load | {lo: -1.0}, -start[judge.id], np.inf)
        row(load | {hi: -1.0}, -np.inf, -start[judge.id])
    constraints = LinearConstraint(np.array(rows), lower, upper) if rows else ()
    bounds = Bounds(np.zeros(size), np.concatenate([np.ones(n_x + n_z), [np.inf, np.inf]]))

    def minimum(objective: dict[int, float]) -> int:
        c = np.zeros(size)
        for index, value in objective.items():
            c[index] = value
        result = milp(c, constraints=constraints, integrality=np.ones(size), bounds=bounds)
        assert result.status == 0, result.message
        best: float = result.fun
        return round(best)

    squares = {n_x + i: 2.0 * (start[j] + level) - 1 for i, (j, level) in enumerate(levels)}
    return Optimum(
        width=minimum({hi: 1.0, lo: -1.0}),
        highest=minimum({hi: 1.0}),
        lowest=-minimum({lo: -1.0}),
        squares=minimum(squares) + sum(s * s for s in start.values()),
    )


@settings(max_examples=120, deadline=None)
@given(pool=unequal_pools(), seed=st.integers(0, 1000))
def test_loads_as_even_as_any_maximal_plan(pool: Pool, seed: int) -> None:
    entries, judges, k, kept, declared, rule = pool
    plan = solve(entries, judges, k, kept=kept, declared=declared, department_rule=rule, seed=seed)
    best = optimum(pool)
    loads = plan.loads.values()
    assert sum(load * load for load in loads) == best.squares, (plan.loads, best)
    assert plan.spread == best.width
    assert (max(loads), min(loads)) == (best.highest, best.lowest)


def test_judges_limited_to_challenges_of_unequal_size() -> None:
    # six judges for a 10-entry challenge, six for a 30-entry one: 30 and 90 judgements to share
    judges = [JudgeSpec(id=j, challenges=frozenset({1 if j <= 6 else 2})) for j in range(1, 13)]
    entries = [EntrySpec(id=e, challenge_id=1 if e <= 10 else 2) for e in range(1, 41)]
    for seed in (0, 1, 2):
        plan = solve(entries, judges, 3, seed=seed)
        assert not plan.short
        assert [plan.loads[j] for j in range(1, 13)] == [5] * 6 + [15] * 6

"""The pure assignment solver over random pools: k judges where possible, never a conflict, even load."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from judging.assignment import EntrySpec, JudgeSpec, allowed, solve


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

"""Automatic judge assignment as a min-cost flow (pure: no database, no clock).

The network: source → entry (capacity k − kept judges), entry → judge (capacity 1 for every
allowed pair), judge → sink (one arc per extra unit of load, each dearer than the last). The
solver maximises the flow first, so every entry gets as many judges as it can have; among
those flows it takes the cheapest, i.e. the one with the smallest sum of squared loads, which
spreads the load as evenly as the constraints allow (max − min ≤ 1 when that is possible, and
the smallest max − min in any case, also when judges are limited to challenges of unequal size).
A small seeded cost on each entry → judge arc picks one of the equally even plans, so a seed
always gives the same plan; it can never outweigh a unit of load imbalance.

Judges have no capacity limit, so an entry is short only when fewer than k judges may judge it.
The load arcs of a judge rise in cost with every unit up to a ceiling and stop there: the
largest load of a greedy plan that already gives every entry all the judges it can have. The
ceiling changes no plan: the full flow still fits under it, and the cheapest plan under it is
the cheapest without it, since a residual cycle through an arc above the ceiling (cost at least
(ceiling + 1) × unit) gives back one unit of a judge loaded at most to the ceiling, so it costs
at least one ``unit`` more than it saves. It only keeps the network small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

TIE_BREAK_RANGE = 8  # seeded arc costs are 0..7


@dataclass(frozen=True)
class EntrySpec:
    id: int
    challenge_id: int
    members: frozenset[int] = frozenset()  # user ids of the team's members
    departments: frozenset[int] = frozenset()  # department ids of the team's members


@dataclass(frozen=True)
class JudgeSpec:
    id: int
    department_id: int | None = None
    challenges: frozenset[int] | None = None  # None: may judge every challenge


@dataclass
class Plan:
    pairs: list[tuple[int, int]]  # new (entry id, judge id) pairs, kept ones excluded
    short: dict[int, int]  # entry id -> judges missing
    loads: dict[int, int]  # judge id -> entries assigned, kept ones included
    eligible: dict[int, int] = field(default_factory=dict)  # entry id -> judges allowed (short entries only)

    @property
    def missing(self) -> int:
        return sum(self.short.values())

    @property
    def spread(self) -> int:
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0


def allowed(entry: EntrySpec, judge: JudgeSpec, declared: set[tuple[int, int]], department_rule: bool) -> bool:
    """Whether ``judge`` may judge ``entry``: not a member, no declared conflict, department rule, limits."""
    if judge.id in entry.members or (entry.id, judge.id) in declared:
        return False
    if department_rule and judge.department_id is not None and judge.department_id in entry.departments:
        return False
    return judge.challenges is None or entry.challenge_id in judge.challenges


def _candidates(
    entries: list[EntrySpec],
    judges: list[JudgeSpec],
    kept: set[tuple[int, int]],
    declared: set[tuple[int, int]],
    department_rule: bool,
) -> list[np.ndarray]:
    """For each entry, the indices of the judges it may get (kept pairs excluded)."""
    index = {j.id: i for i, j in enumerate(judges)}
    open_judges = np.array([i for i, j in enumerate(judges) if j.challenges is None], dtype=np.int32)
    limited: dict[int, list[int]] = defaultdict(list)
    by_department: dict[int, list[int]] = defaultdict(list)
    for i, judge in enumerate(judges):
        for challenge_id in judge.challenges or ():
            limited[challenge_id].append(i)
        if judge.department_id is not None:
            by_department[judge.department_id].append(i)
    per_challenge: dict[int, np.ndarray] = {}
    kept_by_entry: dict[int, list[int]] = defaultdict(list)
    for entry_id, judge_id in kept | declared:
        if judge_id in index:
            kept_by_entry[entry_id].append(index[judge_id])
    result: list[np.ndarray] = []
    for entry in entries:
        base = per_challenge.get(entry.challenge_id)
        if base is None:
            extra = np.array(limited.get(entry.challenge_id, []), dtype=np.int32)
            base = np.sort(np.concatenate([open_judges, extra]))
            per_challenge[entry.challenge_id] = base
        excluded = [index[m] for m in entry.members if m in index] + kept_by_entry.get(entry.id, [])
        if department_rule:
            for department_id in entry.departments:
                excluded.extend(by_department.get(department_id, ()))
        if excluded:
            keep = np.ones(len(judges), dtype=bool)
            keep[excluded] = False
            base = base[keep[base]]
        result.append(base)
    return result


def solve(
    entries: Iterable[EntrySpec],
    judges: Iterable[JudgeSpec],
    k: int,
    *,
    kept: Iterable[tuple[int, int]] = (),
    declared: Iterable[tuple[int, int]] = (),
    department_rule: bool = False,
    seed: int = 0,
) -> Plan:
    """New (entry, judge) pairs so that every entry has ``k`` judges where possible."""
    entry_list = sorted(entries, key=lambda e: e.id)
    judge_list = sorted(judges, key=lambda j: j.id)
    kept_set = set(kept)
    declared_set = set(declared)
    judge_ids = {j.id for j in judge_list}
    kept_count: dict[int, int] = defaultdict(int)
    loads = {j.id: 0 for j in judge_list}
    for entry_id, judge_id in kept_set:
        kept_count[entry_id] += 1
        if judge_id in judge_ids:
            loads[judge_id] += 1
    need = [max(0, k - kept_count[e.id]) for e in entry_list]
    candidates = _candidates(entry_list, judge_list, kept_set, declared_set, department_rule)
    pairs = _flow(entry_list, judge_list, need, candidates, [loads[j.id] for j in judge_list], seed)
    assigned: dict[int, int] = defaultdict(int)
    for entry_id, judge_id in pairs:
        assigned[entry_id] += 1
        loads[judge_id] += 1
    short = {e.id: need[i] - assigned[e.id] for i, e in enumerate(entry_list) if need[i] > assigned[e.id]}
    eligible = {e.id: kept_count[e.id] + len(candidates[i]) for i, e in enumerate(entry_list) if e.id in short}
    return Plan(pairs=pairs, short=short, loads=loads, eligible=eligible)


def _flow(
    entries: list[EntrySpec],
    judges: list[JudgeSpec],
    need: list[int],
    candidates: list[np.ndarray],
    start_loads: list[int],
    seed: int,
) -> list[tuple[int, int]]:
    n_entries, n_judges = len(entries), len(judges)
    total = sum(min(n, len(c)) for n, c in zip(need, candidates, strict=True))
    if total == 0 or n_judges == 0:
        return []
    source, sink = 0, 1 + n_entries + n_judges
    judge_node = 1 + n_entries
    # a load-changing cycle crosses at most 2 × judges entry → judge arcs: one unit of load
    # imbalance must cost more than every tie-break on such a cycle
    unit = 2 * (n_judges + 1) * TIE_BREAK_RANGE
    smcf = min_cost_flow.SimpleMinCostFlow()
    sizes = [len(c) for c in candidates]
    tails = np.repeat(np.arange(1, n_entries + 1, dtype=np.int32), sizes)
    heads = (np.concatenate(candidates) if candidates else np.array([], dtype=np.int32)).astype(np.int32) + judge_node
    pair_costs = np.random.default_rng(seed).integers(0, TIE_BREAK_RANGE, size=len(tails), dtype=np.int64)
    pair_arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, np.ones(len(tails), dtype=np.int64), pair_costs)
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.zeros(n_entries, dtype=np.int32),
        np.arange(1, n_entries + 1, dtype=np.int32),
        np.array([min(n, len(c)) for n, c in zip(need, candidates, strict=True)], dtype=np.int64),
        np.zeros(n_entries, dtype=np.int64),
    )
    loads = np.asarray(start_loads, dtype=np.int64)
    ceiling = _ceiling(need, candidates, loads)
    rooms = np.clip(np.minimum(_eligible_counts(candidates, n_judges), ceiling - loads), 0, None)
    _load_arcs(smcf, judge_node, sink, loads, rooms, unit)
    smcf.set_node_supply(source, total)
    smcf.set_node_supply(sink, -total)
    # the greedy plan of _ceiling gives each entry min(need, candidates) within the rooms: that flow is feasible
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # pragma: no cover - the network is always well formed
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = np.asarray(smcf.flows(np.asarray(pair_arcs, dtype=np.int32)))
    chosen = np.nonzero(flows)[0]
    return [(entries[int(tails[a]) - 1].id, judges[int(heads[a]) - judge_node].id) for a in chosen]


def _eligible_counts(candidates: list[np.ndarray], n_judges: int) -> np.ndarray:
    if not candidates:
        return np.zeros(n_judges, dtype=np.int64)
    return np.bincount(np.concatenate(candidates).astype(np.int64), minlength=n_judges)


def _ceiling(need: list[int], candidates: list[np.ndarray], start_loads: np.ndarray) -> int:
    """The largest load of a greedy plan that gives each entry all the judges it can have.

    Any such plan is a maximum flow (judges take any number of entries), so the even plan never
    needs a judge above its largest load.
    """
    loads = start_loads.copy()
    for n, candidate in zip(need, candidates, strict=True):
        n = min(n, len(candidate))
        if n == len(candidate):
            loads[candidate] += 1
        elif n:
            loads[candidate[np.argpartition(loads[candidate], n - 1)[:n]]] += 1
    return int(loads.max(initial=0))


def _load_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow,
    judge_node: int,
    sink: int,
    start_loads: np.ndarray,
    rooms: np.ndarray,
    unit: int,
) -> None:
    """One arc per extra unit of load a judge may take, the one to load ``level`` costing ``level × unit``."""
    count = int(rooms.sum())
    if count == 0:
        return
    tails = np.repeat(np.arange(len(rooms), dtype=np.int32) + judge_node, rooms)
    # within a judge's run of arcs: 0, 1, 2, ... room − 1
    offsets = np.arange(count, dtype=np.int64) - np.repeat(np.cumsum(rooms) - rooms, rooms)
    levels = np.repeat(start_loads, rooms) + offsets + 1
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails, np.full(count, sink, dtype=np.int32), np.ones(count, dtype=np.int64), levels * unit
    )


def describe_short(plan: Plan) -> Mapping[str, int]:
    """Figures for the shortfall message: entries short and judges missing in all."""
    return {"entries": len(plan.short), "missing": plan.missing}

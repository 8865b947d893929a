"""Ranking speed and ranking quality of the three normalisation modes (none, zscore, judge-effects).

1. Time: a campaign of 5,000 entries, 300 judges, k = 3, a rubric of 6 criteria, ranked from its
   scorecards with the pure functions of ``judging.scoring`` (in memory), once per mode; and, with
   ``--db``, ``judging.ranking.phase_ranking`` against a fresh SQLite file holding the same data.
2. Quality: simulated campaigns where every entry has a known true quality q_e ~ N(55, 12) and
   judge j scores it from q_e + b_j + ε (leniency b_j ~ N(0, σ_b), noise ε ~ N(0, σ_e)), turned
   into integer criterion scores on 1..10. For each mode: Kendall's tau between the true and the
   computed ranking (``scipy.stats.kendalltau``) and how many of the true top 10 the mode puts in
   its top 10, averaged over several seeds.

It ends with the lines to paste into ``judging/recommendation.py``, which the organizer's results
page shows as its recommendation:

    .venv/bin/python bench/judging_quality.py [--seeds 3] [--db]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.scoring import Card, CriterionSpec, EntrySpec, Mode, rank_cards

WEIGHTS = (3.0, 2.0, 2.0, 1.0, 1.0, 1.0)
CRITERIA = [CriterionSpec(id=i + 1, weight=w, scale_min=1, scale_max=10, position=i) for i, w in enumerate(WEIGHTS)]


@dataclass(frozen=True)
class Setup:
    entries: int = 5000
    judges: int = 300
    k: int = 3
    sigma_b: float = 8.0  # judge leniency, points of 0..100
    sigma_e: float = 6.0  # noise of one judge's reading of one entry


@dataclass(frozen=True)
class Simulated:
    quality: np.ndarray  # true q_e, index = entry id − 1
    cards: list[Card]


def simulate(setup: Setup, seed: int) -> Simulated:
    rng = np.random.default_rng(seed)
    quality = rng.normal(55.0, 12.0, setup.entries)
    leniency = rng.normal(0.0, setup.sigma_b, setup.judges)
    # k distinct judges per entry, loads even (max − min ≤ 1), otherwise random: the least loaded
    # judges, ties broken at random, so judges overlap across entries as the assignment makes them
    load = np.zeros(setup.judges)
    cards = []
    for e in range(setup.entries):
        judges = np.argsort(load + rng.random(setup.judges) * 0.5)[: setup.k]
        load[judges] += 1
        for j in sorted(int(j) for j in judges):
            latent = quality[e] + leniency[j] + rng.normal(0.0, setup.sigma_e)
            per_criterion = latent / 100 * 9 + 1 + rng.normal(0.0, 0.5, len(CRITERIA))
            scores = {c.id: int(np.clip(np.rint(v), 1, 10)) for c, v in zip(CRITERIA, per_criterion, strict=True)}
            cards.append(Card(entry_id=e + 1, judge_id=j + 1, scores=scores))
    return Simulated(quality, cards)


def rank(sim: Simulated, mode: Mode, k: int) -> dict[int, float]:
    specs = [EntrySpec(e + 1) for e in range(len(sim.quality))]
    results = rank_cards(CRITERIA, sim.cards, specs, mode=mode, required=k)
    return {r.entry_id: r.score for r in results if r.score is not None and r.rank is not None}


def quality_of(sim: Simulated, scores: dict[int, float]) -> tuple[float, int]:
    ids = sorted(scores)
    truth = [sim.quality[i - 1] for i in ids]
    tau = float(kendalltau(truth, [scores[i] for i in ids]).statistic)
    true_top = set(sorted(ids, key=lambda i: -sim.quality[i - 1])[:10])
    top = set(sorted(ids, key=lambda i: (-scores[i], i))[:10])
    return tau, len(true_top & top)


def timing(setup: Setup) -> None:
    sim = simulate(setup, seed=0)
    print(
        f"campaign: {setup.entries} entries, {setup.judges} judges, k = {setup.k}, "
        f"{len(CRITERIA)} criteria, {len(sim.cards)} scorecards"
    )
    for mode in Mode:
        start = time.perf_counter()
        rank(sim, mode, setup.k)
        print(f"  rank in memory, mode {mode.value:<13} {time.perf_counter() - start:7.3f} s")


def recovery(setup: Setup, seeds: int) -> dict[Mode, tuple[float, float]]:
    print(
        f"recovery: {setup.entries} entries, {setup.judges} judges, k = {setup.k}, "
        f"leniency σ_b = {setup.sigma_b}, noise σ_e = {setup.sigma_e}, {seeds} seeds"
    )
    measured: dict[Mode, list[tuple[float, int]]] = {mode: [] for mode in Mode}
    for seed in range(seeds):
        sim = simulate(setup, seed=100 + seed)
        for mode in Mode:
            measured[mode].append(quality_of(sim, rank(sim, mode, setup.k)))
    out = {}
    for mode, values in measured.items():
        tau = statistics.mean(v[0] for v in values)
        top = statistics.mean(v[1] for v in values)
        out[mode] = (tau, top)
        print(f"  {mode.value:<13} Kendall's tau {tau:.3f}   true top 10 in its top 10: {top:.1f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--db", action="store_true", help="also time phase_ranking against SQLite")
    args = parser.parse_args()
    setup = Setup()
    timing(setup)
    if args.db:
        from judging_db import time_phase_ranking  # bench/ is on sys.path when run as a script

        asyncio.run(time_phase_ranking(simulate(setup, seed=0).cards, CRITERIA, setup.k))
    small = Setup(entries=300, judges=30)
    results = recovery(setup, args.seeds)
    recovery(small, args.seeds)
    best = max(results, key=lambda m: results[m][0])
    print(f"recommended mode: {best.value}")
    print("\n# paste into judging/recommendation.py:")
    print(f"SETUP = ({setup.entries}, {setup.judges}, {setup.k}, {setup.sigma_b}, {setup.sigma_e}, {args.seeds})")
    print("MEASURED = {")
    for mode, (tau, top) in results.items():
        print(f'    "{mode.value}": ({tau:.3f}, {top:.1f}),')
    print("}")


if __name__ == "__main__":
    main()

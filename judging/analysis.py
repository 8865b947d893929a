"""The organizer's analysis of a judging phase, pure: computed from a loaded ``PhaseRanking``.

- Judge spread: per judge, n, mean, population std, min and max of their totals, and their
  leniency b_j (points) from the ``judge-effects`` fit, whatever the phase's mode.
- Inter-judge agreement: ``judging.agreement`` (Krippendorff's alpha, interval).
- The cut: the phase's advancement rule per ranking scope — ``top_n`` N, ``top_percent`` P %
  of the ranked entries rounded up, ``min_score`` the entries scoring ≥ X (to 1e-9) — or, for a
  manual rule, the top N (10 unless the organizer asks for another N). Entries sharing the rank of
  the last entry above the cut (equal score to 1e-9 and equal criterion means, the scoring
  module's rule) are above it too, and flagged "tie at the cut" when the tie reaches past it.
- Normalisation effect: the number of places above the cut in each scope is set by the phase's
  own mode (a score threshold in points means nothing for z-scores); each mode then fills those
  places from its own ranking. Entries above in one mode and below in another are listed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import AdvancementRule
from judging import agreement, columns, effects, ranking_cache, scoring
from judging.ranking_rows import PhaseRanking

DEFAULT_TOP_N = 10
MODES = tuple(scoring.Mode)


@dataclass(frozen=True)
class JudgeSpread:
    judge_id: int
    name: str
    n: int
    mean: float
    std: float
    low: float
    high: float
    leniency: float | None  # b_j in points (judge-effects fit); positive: lenient


@dataclass(frozen=True)
class Cut:
    places: dict[Hashable, int]  # by scope
    above: frozenset[int]  # entry ids
    tied_at_cut: frozenset[int]


@dataclass(frozen=True)
class Placement:
    rank: int | None
    score: float | None
    above: bool


@dataclass(frozen=True)
class Move:
    entry_id: int
    scope: Hashable
    by_mode: dict[scoring.Mode, Placement]


@dataclass
class PhaseAnalysis:
    rule: AdvancementRule
    value: float | None
    top_n: int  # used where the rule is manual
    agreement: agreement.Agreement
    spread: list[JudgeSpread]
    cut: Cut  # in the phase's mode
    moves: list[Move] = field(default_factory=list)

    @property
    def places(self) -> int:
        return sum(self.cut.places.values())


def judge_spread(
    totals: Sequence[columns.Total | scoring.JudgeTotal],
    names: Mapping[int, str],
    fit: effects.JudgeEffects | None = None,
) -> list[JudgeSpread]:
    """Per judge, by judge id; leniency from the judge-effects fit (``fit``, if already computed)."""
    fit = fit or effects.fit(totals)
    by_judge: dict[int, list[float]] = defaultdict(list)
    for t in sorted(totals, key=lambda t: (t.judge_id, t.entry_id)):
        by_judge[t.judge_id].append(t.total)
    out = []
    for judge_id, values in sorted(by_judge.items()):
        mean = math.fsum(values) / len(values)
        std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
        out.append(
            JudgeSpread(
                judge_id=judge_id,
                name=names.get(judge_id, str(judge_id)),
                n=len(values),
                mean=mean,
                std=std,
                low=min(values),
                high=max(values),
                leniency=fit.leniency.get(judge_id),
            )
        )
    return out


def _by_scope(results: Sequence[scoring.EntryResult]) -> dict[Hashable, list[scoring.EntryResult]]:
    groups: dict[Hashable, list[scoring.EntryResult]] = {}
    for r in results:
        if r.rank is not None:
            groups.setdefault(r.scope, []).append(r)
    return groups


def places_for(ranked: Sequence[scoring.EntryResult], rule: AdvancementRule, value: float | None, top_n: int) -> int:
    """How many places above the cut one scope's ranked entries (best first) have."""
    if rule is AdvancementRule.TOP_N and value is not None:
        return max(0, int(value))
    if rule is AdvancementRule.TOP_PERCENT and value is not None:
        return max(0, math.ceil(len(ranked) * value / 100 - scoring.EPSILON))
    if rule is AdvancementRule.MIN_SCORE and value is not None:
        return sum(1 for r in ranked if r.score is not None and r.score >= value - scoring.EPSILON)
    return max(0, top_n)


def cut(results: Sequence[scoring.EntryResult], places: dict[Hashable, int]) -> Cut:
    """The entries above the cut of each scope (ties at the cut included, and flagged)."""
    above: set[int] = set()
    tied: set[int] = set()
    for scope, ranked in _by_scope(results).items():
        n = min(places.get(scope, 0), len(ranked))
        if n == 0:
            continue
        last = ranked[n - 1].rank
        inside = [r for r in ranked if r.rank is not None and last is not None and r.rank <= last]
        above.update(r.entry_id for r in inside)
        if len(inside) > n:
            tied.update(r.entry_id for r in ranked if r.rank == last)
    return Cut(places=dict(places), above=frozenset(above), tied_at_cut=frozenset(tied))


def _rank(ranking: PhaseRanking, mode: scoring.Mode) -> list[scoring.EntryResult]:
    return columns.rank(
        ranking.cols,
        ranking.entry_specs,
        mode=mode,
        required=ranking.required,
        tie_break=ranking.tie_break,
        fit=ranking.fit,
    )


def normalisation_moves(
    rankings: dict[scoring.Mode, list[scoring.EntryResult]], places: dict[Hashable, int]
) -> list[Move]:
    """Entries above the cut in one mode and below it in another."""
    cuts = {mode: cut(results, places) for mode, results in rankings.items()}
    placements: dict[int, dict[scoring.Mode, Placement]] = defaultdict(dict)
    scopes: dict[int, Hashable] = {}
    for mode, results in rankings.items():
        for r in results:
            if r.rank is not None:
                placements[r.entry_id][mode] = Placement(r.rank, r.score, r.entry_id in cuts[mode].above)
                scopes[r.entry_id] = r.scope
    moves = [
        Move(entry_id, scopes[entry_id], by_mode)
        for entry_id, by_mode in placements.items()
        if len({p.above for p in by_mode.values()}) > 1
    ]
    first = next(iter(rankings))
    order = {r.entry_id: i for i, r in enumerate(rankings[first])}
    return sorted(moves, key=lambda m: order[m.entry_id])


def analyse(ranking: PhaseRanking, top_n: int = DEFAULT_TOP_N, names: Mapping[int, str] | None = None) -> PhaseAnalysis:
    """Spread, agreement, the cut in the phase's mode and the entries the mode choice moves.

    ``names``: the judges' names by id (their ids where missing).
    """
    phase = ranking.phase
    rule = phase.advancement_rule or AdvancementRule.MANUAL
    own = scoring.Mode(ranking.mode.value)
    results = {own: _rank(ranking, own)}
    for mode in MODES:
        results.setdefault(mode, _rank(ranking, mode))
    places = {
        scope: places_for(ranked, rule, phase.advancement_value, top_n)
        for scope, ranked in _by_scope(results[own]).items()
    }
    light = ranking.cols.light()
    return PhaseAnalysis(
        rule=rule,
        value=phase.advancement_value,
        top_n=top_n,
        agreement=agreement.interval_alpha(light),
        spread=judge_spread(light, names or {}, ranking.fit),
        cut=cut(results[own], places),
        moves=normalisation_moves(results, places),
    )


def cached_analysis(
    session: AsyncSession, ranking: PhaseRanking, top_n: int = DEFAULT_TOP_N, names: Mapping[int, str] | None = None
) -> PhaseAnalysis:
    """``analyse``, kept in ``judging.ranking_cache`` beside the ranking it was computed from.

    The judges' names are not cached: they are put in on every call.
    """
    phase = ranking.phase
    rule = phase.advancement_rule or AdvancementRule.MANUAL
    key = ("analysis", *ranking.key, rule.value, phase.advancement_value, top_n) if ranking.key else None
    found = ranking_cache.get(session, key) if key else None
    if found is None:
        found = analyse(ranking, top_n)
        if key:
            ranking_cache.put(session, key, found)
    names = names or {}
    return replace(found, spread=[replace(s, name=names.get(s.judge_id, s.name)) for s in found.spread])

"""Score arithmetic of a judging phase, pure: no I/O (DOMAIN.md, "Scores").

- Judge total (0..100): ``T_je = 100 · Σ_c w_c·(s_jec − min_c)/(max_c − min_c) / Σ_c w_c``.
- Mode ``none``: an entry's score is the mean of its judge totals.
- Mode ``zscore``: per judge, over all their final scorecards of the phase, mean μ_j and
  population standard deviation σ_j of their totals; ``z_je = (T_je − μ_j)/σ_j``, or 0 where
  the judge has fewer than 2 scorecards or σ_j = 0. An entry's score is the mean of its z_je.
- Mode ``judge-effects``: least-squares fit ``T_je ≈ q_e + b_j`` (``judging.effects``); an
  entry's score is q_e.
- An entry with fewer final scorecards than the required count k is ``incomplete``: listed,
  not ranked.
- Ranking within a scope: higher score first; scores equal to 1e-9 are compared on the
  entries' mean normalised criterion scores ((s − min)/(max − min)), criterion by criterion in
  tie-break order (descending weight, then rubric position); entries still equal share a rank
  (competition ranking 1, 2, 2, 4).

Sums go through ``math.fsum`` (correctly rounded, so independent of the order in which the
scorecards arrive) and inputs are sorted by (entry, judge) before anything is computed.
"""

from __future__ import annotations

import enum
import functools
import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from judging import effects

EPSILON = 1e-9


class Mode(enum.StrEnum):
    NONE = "none"
    ZSCORE = "zscore"
    JUDGE_EFFECTS = "judge-effects"


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    weight: float
    scale_min: int
    scale_max: int
    position: int = 0


@dataclass(frozen=True)
class Card:
    """One final scorecard: a judge's value for every criterion of an entry."""

    entry_id: int
    judge_id: int
    scores: Mapping[int, int]


@dataclass(frozen=True)
class JudgeTotal:
    """A scorecard reduced to its total and its normalised criterion scores (0..1, by criterion id)."""

    entry_id: int
    judge_id: int
    total: float
    criterion_scores: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EntrySpec:
    """An entry to rank and its ranking scope (a challenge id, or ``None`` for campaign-wide)."""

    entry_id: int
    scope: Hashable = None


@dataclass(frozen=True)
class EntryResult:
    entry_id: int
    scope: Hashable
    cards: int
    raw_mean: float | None  # mean of the judge totals, 0..100
    score: float | None  # the phase's normalised score (= raw mean in mode ``none``)
    incomplete: bool
    rank: int | None  # None while incomplete
    tied: bool  # shares its rank with another entry
    score_tied: bool  # another entry has the same score (to 1e-9); the criterion tie-break decided
    criterion_means: Mapping[int, float]  # mean normalised score (0..1) per criterion id


# --- single scorecard -------------------------------------------------------------------------


def normalised(criterion: CriterionSpec, value: int) -> float:
    """(s − min)/(max − min), in 0..1 for a value on the scale."""
    return (value - criterion.scale_min) / (criterion.scale_max - criterion.scale_min)


def judge_total(criteria: Sequence[CriterionSpec], scores: Mapping[int, int]) -> float:
    """The judge total (0..100) of a complete scorecard. Raises ``ValueError`` if one is unscored."""
    if not criteria:
        raise ValueError("a rubric needs at least one criterion")
    missing = [c.id for c in criteria if c.id not in scores]
    if missing:
        raise ValueError(f"criteria {missing} are not scored")
    weight = math.fsum(c.weight for c in criteria)
    if weight <= 0 or any(c.scale_max <= c.scale_min for c in criteria):
        raise ValueError("weights must be positive and scales non-empty")
    points = math.fsum(c.weight * normalised(c, scores[c.id]) for c in criteria)
    # clamp the last bit of rounding: a total is always within 0..100
    return min(100.0, max(0.0, 100.0 * points / weight))


def to_judge_total(criteria: Sequence[CriterionSpec], card: Card) -> JudgeTotal:
    return JudgeTotal(
        entry_id=card.entry_id,
        judge_id=card.judge_id,
        total=judge_total(criteria, card.scores),
        criterion_scores={c.id: normalised(c, card.scores[c.id]) for c in criteria},
    )


def tie_break_order(criteria: Sequence[CriterionSpec]) -> list[int]:
    """Criterion ids by descending weight, then rubric position (then id, for stability)."""
    return [c.id for c in sorted(criteria, key=lambda c: (-c.weight, c.position, c.id))]


# --- normalisation ----------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def zscores(totals: Sequence[JudgeTotal]) -> dict[tuple[int, int], float]:
    """z_je per (entry id, judge id); population σ; 0 with fewer than 2 scorecards or σ = 0."""
    by_judge: dict[int, list[JudgeTotal]] = defaultdict(list)
    for t in totals:
        by_judge[t.judge_id].append(t)
    result: dict[tuple[int, int], float] = {}
    for judge_totals in by_judge.values():
        values = [t.total for t in judge_totals]
        mu = _mean(values)
        sigma = math.sqrt(math.fsum((v - mu) ** 2 for v in values) / len(values))
        for t in judge_totals:
            degenerate = len(values) < 2 or sigma <= EPSILON
            result[(t.entry_id, t.judge_id)] = 0.0 if degenerate else (t.total - mu) / sigma
    return result


# --- ranking ----------------------------------------------------------------------------------


def _rank_scope(results: list[EntryResult], order: Sequence[int]) -> list[EntryResult]:
    # sort by exact score, then walk runs of scores equal to EPSILON and order them by the tie-break
    by_score = sorted(results, key=lambda r: (-(r.score or 0.0), r.entry_id))
    groups: list[list[EntryResult]] = []
    for r in by_score:
        if groups and abs((groups[-1][-1].score or 0.0) - (r.score or 0.0)) <= EPSILON:
            groups[-1].append(r)
        else:
            groups.append([r])

    def compare(a: EntryResult, b: EntryResult) -> int:
        return _compare_tiebreak(a, b, order) or (a.entry_id - b.entry_id)

    ranked: list[EntryResult] = []
    position = 0
    for group in groups:
        members = sorted(group, key=functools.cmp_to_key(compare))
        rank = position + 1
        for i, r in enumerate(members):
            if i > 0 and _compare_tiebreak(members[i - 1], r, order) != 0:
                rank = position + i + 1
            ranked.append(replace(r, rank=rank, score_tied=len(group) > 1))
        position += len(members)
    counts: dict[int, int] = defaultdict(int)
    for r in ranked:
        counts[r.rank or 0] += 1
    return [replace(r, tied=counts[r.rank or 0] > 1) for r in ranked]


def _compare_tiebreak(a: EntryResult, b: EntryResult, order: Sequence[int]) -> int:
    for criterion_id in order:
        x, y = a.criterion_means.get(criterion_id, 0.0), b.criterion_means.get(criterion_id, 0.0)
        if abs(x - y) > EPSILON:
            return -1 if x > y else 1
    return 0


def rank_totals(
    totals: Sequence[JudgeTotal],
    entries: Sequence[EntrySpec],
    *,
    mode: Mode | str = Mode.NONE,
    required: int,
    tie_break: Sequence[int],
) -> list[EntryResult]:
    """Scores and ranks ``entries`` from their judges' totals.

    Every entry in ``entries`` is listed: ranked ones per scope by rank, then the incomplete ones;
    scopes in order of first appearance in ``entries``. Totals of unknown entries still count for
    their judge's zscore and judge effect (they are part of that judge's phase) but are otherwise
    ignored.
    """
    mode = Mode(mode)
    ordered = sorted(totals, key=lambda t: (t.entry_id, t.judge_id))
    z = zscores(ordered) if mode is Mode.ZSCORE else {}
    quality = effects.fit(ordered).quality if mode is Mode.JUDGE_EFFECTS else {}
    by_entry: dict[int, list[JudgeTotal]] = defaultdict(list)
    for t in ordered:
        by_entry[t.entry_id].append(t)

    results: dict[Hashable, list[EntryResult]] = {}
    for spec in sorted(entries, key=lambda e: e.entry_id):
        cards = by_entry.get(spec.entry_id, [])
        raw = _mean([t.total for t in cards]) if cards else None
        score = raw
        if mode is Mode.ZSCORE and cards:
            score = _mean([z[(t.entry_id, t.judge_id)] for t in cards])
        elif mode is Mode.JUDGE_EFFECTS and cards:
            score = quality[spec.entry_id]
        criterion_ids = sorted({cid for t in cards for cid in t.criterion_scores})
        means = {
            cid: _mean([t.criterion_scores[cid] for t in cards if cid in t.criterion_scores]) for cid in criterion_ids
        }
        incomplete = len(cards) < max(required, 1)
        results.setdefault(spec.scope, []).append(
            EntryResult(
                entry_id=spec.entry_id,
                scope=spec.scope,
                cards=len(cards),
                raw_mean=raw,
                score=score,
                incomplete=incomplete,
                rank=None,
                tied=False,
                score_tied=False,
                criterion_means=means,
            )
        )

    scope_order: list[Hashable] = []
    for spec in entries:
        if spec.scope not in scope_order:
            scope_order.append(spec.scope)
    out: list[EntryResult] = []
    for scope in scope_order:
        group = results.get(scope, [])
        out.extend(_rank_scope([r for r in group if not r.incomplete], tie_break))
        out.extend(sorted((r for r in group if r.incomplete), key=lambda r: r.entry_id))
    return out


def rank_cards(
    criteria: Sequence[CriterionSpec],
    cards: Sequence[Card],
    entries: Sequence[EntrySpec],
    *,
    mode: Mode | str = Mode.NONE,
    required: int,
) -> list[EntryResult]:
    """The whole pipeline from final scorecards to ranked entries."""
    totals = [to_judge_total(criteria, card) for card in cards]
    return rank_totals(totals, entries, mode=mode, required=required, tie_break=tie_break_order(criteria))


def field_means(totals: Sequence[JudgeTotal]) -> dict[int, float]:
    """Mean normalised score (0..1) per criterion over every scorecard given (the field)."""
    values: dict[int, list[float]] = defaultdict(list)
    for t in sorted(totals, key=lambda t: (t.entry_id, t.judge_id)):
        for cid, value in t.criterion_scores.items():
            values[cid].append(value)
    return {cid: _mean(v) for cid, v in values.items()}

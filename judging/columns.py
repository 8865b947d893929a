"""The score arithmetic of ``judging.scoring`` over columns, pure: no I/O, the same floats bit for bit.

``judging.scoring`` states the rules over one dataclass per scorecard; a phase of 15,000 final
scorecards spends most of its time building and copying those objects. Here the scorecards of a
phase are columns (entry ids, judge ids, totals, normalised criterion scores) sorted by (entry,
judge), fed once, and every mode is ranked from them in one pass. Every sum still goes through
``math.fsum`` and every quotient is the same expression as in ``judging.scoring``, so the results
equal ``scoring.rank_totals`` exactly (``tests/judging/test_columns.py`` checks it on random
phases). The judge-effects fit is ``judging.effects.fit`` itself, computed once and shared.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from judging import effects, scoring
from judging.scoring import EPSILON, CriterionSpec, EntryResult, EntrySpec, Mode


class Total(NamedTuple):
    """A scorecard's total, light enough to pass to ``effects.fit`` and ``agreement``."""

    entry_id: int
    judge_id: int
    total: float


@dataclass(frozen=True)
class Columns:
    """The complete final scorecards of a phase, sorted by (entry id, judge id)."""

    criterion_ids: tuple[int, ...]  # rubric order
    entry_ids: tuple[int, ...]
    judge_ids: tuple[int, ...]
    card_ids: tuple[int, ...]
    totals: tuple[float, ...]
    normalised: tuple[tuple[float, ...], ...]  # per scorecard, in ``criterion_ids`` order

    def __len__(self) -> int:
        return len(self.totals)

    def light(self) -> list[Total]:
        return [Total(e, j, t) for e, j, t in zip(self.entry_ids, self.judge_ids, self.totals, strict=True)]

    def judge_totals(self) -> list[scoring.JudgeTotal]:
        """The same scorecards as ``judging.scoring`` objects (for callers of the reference arithmetic)."""
        return [
            scoring.JudgeTotal(e, j, t, dict(zip(self.criterion_ids, n, strict=True)))
            for e, j, t, n in zip(self.entry_ids, self.judge_ids, self.totals, self.normalised, strict=True)
        ]


EMPTY = Columns((), (), (), (), (), ())


def columns(criteria: Sequence[CriterionSpec], cards: Iterable[tuple[int, int, int, Mapping[int, int]]]) -> Columns:
    """Totals of the complete scorecards ``(card id, entry id, judge id, {criterion id: value})``.

    A scorecard that lacks a criterion of the rubric is left out (as ``judging.ranking`` always did);
    one scored on a criterion outside the rubric has that score ignored. Raises ``ValueError`` for a
    rubric that cannot be scored, as ``scoring.judge_total`` does.
    """
    if not criteria:
        return EMPTY
    weight = math.fsum(c.weight for c in criteria)
    if weight <= 0 or any(c.scale_max <= c.scale_min for c in criteria):
        raise ValueError("weights must be positive and scales non-empty")
    ids = tuple(c.id for c in criteria)
    # (s − min)/(max − min) and w·that, as scoring.normalised and scoring.judge_total compute them
    norm_cache: list[dict[int, tuple[float, float]]] = [{} for _ in criteria]

    def parts(index: int, value: int) -> tuple[float, float]:
        cached = norm_cache[index].get(value)
        if cached is None:
            c = criteria[index]
            n = scoring.normalised(c, value)
            cached = norm_cache[index][value] = (n, c.weight * n)
        return cached

    rows = []
    for card_id, entry_id, judge_id, values in cards:
        try:
            scored = [parts(i, values[cid]) for i, cid in enumerate(ids)]
        except KeyError:
            continue
        points = math.fsum(p for _n, p in scored)
        total = min(100.0, max(0.0, 100.0 * points / weight))
        rows.append((entry_id, judge_id, card_id, total, tuple(n for n, _p in scored)))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    if not rows:
        return Columns(ids, (), (), (), (), ())
    entry_ids, judge_ids, card_ids, totals, normalised = zip(*rows, strict=True)
    return Columns(ids, entry_ids, judge_ids, card_ids, totals, normalised)


def zscores(cols: Columns) -> list[float]:
    """z_je of every scorecard, in column order (``scoring.zscores``)."""
    by_judge: dict[int, list[int]] = defaultdict(list)
    for i, judge_id in enumerate(cols.judge_ids):
        by_judge[judge_id].append(i)
    out = [0.0] * len(cols)
    for indices in by_judge.values():
        values = [cols.totals[i] for i in indices]
        mu = math.fsum(values) / len(values)
        sigma = math.sqrt(math.fsum((v - mu) ** 2 for v in values) / len(values))
        if len(values) < 2 or sigma <= EPSILON:
            continue
        for i, v in zip(indices, values, strict=True):
            out[i] = (v - mu) / sigma
    return out


def field_means(cols: Columns) -> dict[int, float]:
    """Mean normalised score per criterion over every scorecard (``scoring.field_means``)."""
    if not len(cols):
        return {}
    n = len(cols)
    return {cid: math.fsum(row[k] for row in cols.normalised) / n for k, cid in enumerate(cols.criterion_ids)}


def _compare(a: EntryResult, b: EntryResult, order: Sequence[int]) -> int:
    for criterion_id in order:
        x, y = a.criterion_means.get(criterion_id, 0.0), b.criterion_means.get(criterion_id, 0.0)
        if abs(x - y) > EPSILON:
            return -1 if x > y else 1
    return 0


def _rank_scope(results: list[EntryResult], order: Sequence[int]) -> list[EntryResult]:
    """``scoring._rank_scope`` with one object per entry instead of two copies."""
    by_score = sorted(results, key=lambda r: (-(r.score or 0.0), r.entry_id))
    groups: list[list[EntryResult]] = []
    for r in by_score:
        if groups and abs((groups[-1][-1].score or 0.0) - (r.score or 0.0)) <= EPSILON:
            groups[-1].append(r)
        else:
            groups.append([r])
    placed: list[tuple[EntryResult, int, bool]] = []
    position = 0
    for group in groups:
        if len(group) == 1:
            placed.append((group[0], position + 1, False))
            position += 1
            continue

        def compare(a: EntryResult, b: EntryResult) -> int:
            return _compare(a, b, order) or (a.entry_id - b.entry_id)

        members = sorted(group, key=functools.cmp_to_key(compare))
        rank = position + 1
        for i, r in enumerate(members):
            if i > 0 and _compare(members[i - 1], r, order) != 0:
                rank = position + i + 1
            placed.append((r, rank, True))
        position += len(members)
    counts: dict[int, int] = defaultdict(int)
    for _r, rank, _tied in placed:
        counts[rank] += 1
    return [
        EntryResult(
            entry_id=r.entry_id,
            scope=r.scope,
            cards=r.cards,
            raw_mean=r.raw_mean,
            score=r.score,
            incomplete=r.incomplete,
            rank=rank,
            tied=counts[rank] > 1,
            score_tied=score_tied,
            criterion_means=r.criterion_means,
        )
        for r, rank, score_tied in placed
    ]


def rank(
    cols: Columns,
    entries: Sequence[EntrySpec],
    *,
    mode: Mode | str = Mode.NONE,
    required: int,
    tie_break: Sequence[int],
    fit: effects.JudgeEffects | None = None,
) -> list[EntryResult]:
    """``scoring.rank_totals`` over columns; ``fit`` is ``effects.fit(cols.light())`` if already known."""
    mode = Mode(mode)
    z = zscores(cols) if mode is Mode.ZSCORE else []
    quality: dict[int, float] = {}
    if mode is Mode.JUDGE_EFFECTS:
        quality = (fit or effects.fit(cols.light())).quality
    spans: dict[int, tuple[int, int]] = {}
    start = 0
    ids = cols.entry_ids
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            spans[ids[start]] = (start, i)
            start = i
    sorted_ids = sorted(cols.criterion_ids)
    position = {cid: k for k, cid in enumerate(cols.criterion_ids)}
    need = max(required, 1)

    results: dict[Hashable, list[EntryResult]] = {}
    for spec in sorted(entries, key=lambda e: e.entry_id):
        lo, hi = spans.get(spec.entry_id, (0, 0))
        n = hi - lo
        raw = score = None
        means: dict[int, float] = {}
        if n:
            raw = math.fsum(cols.totals[lo:hi]) / n
            score = raw
            if mode is Mode.ZSCORE:
                score = math.fsum(z[lo:hi]) / n
            elif mode is Mode.JUDGE_EFFECTS:
                score = quality[spec.entry_id]
            rows = cols.normalised[lo:hi]
            means = {cid: math.fsum(row[position[cid]] for row in rows) / n for cid in sorted_ids}
        results.setdefault(spec.scope, []).append(
            EntryResult(
                entry_id=spec.entry_id,
                scope=spec.scope,
                cards=n,
                raw_mean=raw,
                score=score,
                incomplete=n < need,
                rank=None,
                tied=False,
                score_tied=False,
                criterion_means=means,
            )
        )

    scope_order: list[Hashable] = []
    seen: set[Hashable] = set()
    for spec in entries:
        if spec.scope not in seen:
            seen.add(spec.scope)
            scope_order.append(spec.scope)
    out: list[EntryResult] = []
    for scope in scope_order:
        group = results.get(scope, [])
        out.extend(_rank_scope([r for r in group if not r.incomplete], tie_break))
        out.extend(sorted((r for r in group if r.incomplete), key=lambda r: r.entry_id))
    return out

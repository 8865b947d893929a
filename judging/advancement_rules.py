"""Who advances from a judging phase, pure: no I/O (DOMAIN.md, "Scores", advancement rule).

Per ranking scope (a challenge, or the whole campaign):
- ``top_n``: the N best ranks advance; N at least the number of ranked entries advances all;
- ``top_percent``: as ``top_n`` with N = ⌈P % of the ranked entries⌉;
- ``min_score``: entries whose score is at least X (to ``scoring.EPSILON``) advance;
- ``manual``: nothing is decided automatically.
Entries sharing a rank (equal score and equal tie-break, see ``judging.scoring``) are never
split: when the cut falls inside such a group, the whole group advances and is flagged
``tied_at_cut`` for the organizer. The other ranked entries are eliminated.

Rule chosen here: an incomplete entry (fewer final scorecards than required) is not ranked, so
no rule decides it: its outcome is ``None`` (undecided) and an organizer decides it by hand.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from campaigns.models import AdvancementRule
from core.errors import N_
from judging.scoring import EPSILON

MANUAL_RULE = N_("This phase advances teams by hand: decide each team below.")
BAD_RULE = N_("The phase's advancement rule has no valid value: fix it in the phase's settings.")

Outcome = Literal["advance", "eliminate"]


@dataclass(frozen=True)
class Ranked:
    """One entry of a phase's ranking: ``key`` identifies it (the team id), ``scope`` its ranking scope."""

    key: int
    scope: Hashable
    rank: int | None
    score: float | None
    incomplete: bool = False


@dataclass(frozen=True)
class Decision:
    key: int
    outcome: Outcome | None  # None: undecided (incomplete entry, or a manual rule)
    tied_at_cut: bool = False


def top_count(percent: float, ranked: int) -> int:
    """⌈P % of ``ranked``⌉, immune to the float noise of P·n/100 (10 % of 30 is 3, not 4)."""
    return max(0, math.ceil(percent * ranked / 100 - EPSILON))


def check_rule(rule: AdvancementRule, value: float | None) -> None:
    """Raises ``ValueError`` when a rule that decides by itself lacks a sensible value."""
    if rule is AdvancementRule.MANUAL:
        return
    if value is None or not math.isfinite(value):
        raise ValueError("the advancement rule needs a value")
    if rule is AdvancementRule.TOP_N and (value < 0 or value != int(value)):
        raise ValueError("N must be a whole number, 0 or more")
    if rule is AdvancementRule.TOP_PERCENT and not 0 <= value <= 100:
        raise ValueError("P must lie between 0 and 100")


def apply_blocker(rule: AdvancementRule, value: float | None) -> str | None:
    """Why applying the rule by hand cannot succeed (a message id), or None when it can."""
    if rule is AdvancementRule.MANUAL:
        return MANUAL_RULE
    try:
        check_rule(rule, value)
    except ValueError:
        return BAD_RULE
    return None


def _first_pass(rule: AdvancementRule, value: float, rows: list[Ranked]) -> set[int]:
    if rule is AdvancementRule.MIN_SCORE:
        return {r.key for r in rows if r.score is not None and r.score >= value - EPSILON}
    n = int(value) if rule is AdvancementRule.TOP_N else top_count(value, len(rows))
    return {r.key for r in rows[:n]}


def _decide_scope(rule: AdvancementRule, value: float, rows: list[Ranked]) -> list[Decision]:
    rows = sorted(rows, key=lambda r: (r.rank or 0, r.key))
    chosen = _first_pass(rule, value, rows)
    by_rank: dict[int, list[Ranked]] = defaultdict(list)
    for r in rows:
        by_rank[r.rank or 0].append(r)
    out: list[Decision] = []
    for group in by_rank.values():
        inside = sum(1 for r in group if r.key in chosen)
        split = 0 < inside < len(group)
        outcome: Outcome = "advance" if inside else "eliminate"
        out.extend(Decision(r.key, outcome, tied_at_cut=split) for r in group)
    return out


def decide(rows: Sequence[Ranked], rule: AdvancementRule, value: float | None) -> list[Decision]:
    """One decision per row, ranked rows per scope in rank order, then the undecided ones."""
    check_rule(rule, value)
    undecided = [Decision(r.key, None) for r in rows if r.incomplete or r.rank is None]
    if rule is AdvancementRule.MANUAL or value is None:
        return [Decision(r.key, None) for r in rows]
    scopes: dict[Hashable, list[Ranked]] = {}
    for r in rows:
        if not r.incomplete and r.rank is not None:
            scopes.setdefault(r.scope, []).append(r)
    decided = [d for scope_rows in scopes.values() for d in _decide_scope(rule, value, scope_rows)]
    return decided + undecided

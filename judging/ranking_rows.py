"""What a ranking holds: the rows of a judging phase's ranking and the small records they name.

Plain frozen records (not ORM objects), so a ranking can be cached per process and shared
between requests (``judging.ranking_cache``); ``judging.ranking`` builds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from campaigns.models import NormalisationMode, Phase
from judging import columns, effects, scoring

Scope = Literal["challenge", "campaign"]
SCOPES: tuple[Scope, ...] = ("challenge", "campaign")


@dataclass(frozen=True)
class CriterionRef:
    id: int
    name: str
    weight: float
    scale_min: int
    scale_max: int
    position: int


@dataclass(frozen=True)
class ChallengeRef:
    id: int
    title: str
    position: int


@dataclass(frozen=True)
class TeamRef:
    id: int
    challenge_id: int
    name: str = ""  # read fresh; "" where the caller did not ask for it


@dataclass(frozen=True)
class EntryRef:
    id: int
    title: str = ""  # read fresh; "" where the caller did not ask for it


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    team: TeamRef
    challenge: ChallengeRef
    entry: EntryRef
    raw_mean: float | None
    score: float | None
    cards: int
    incomplete: bool
    tied: bool  # shares its rank
    score_tied: bool  # had an equal score; the criterion tie-break decided (unless ``tied``)
    criterion_means: dict[int, float]  # mean normalised score (0..1) by criterion id


@dataclass(frozen=True)
class Computed:
    """What a phase's ranking computes from its inputs: no ORM object, safe to share between requests."""

    scope: Scope
    mode: NormalisationMode
    criteria: list[CriterionRef]
    rows: list[RankingRow]  # unnamed
    cols: columns.Columns
    entry_specs: list[scoring.EntrySpec]
    tie_break: list[int]
    field_means: dict[int, float]
    fit: effects.JudgeEffects
    card_ids: dict[int, list[int]]  # counted final scorecards by entry id, by id


@dataclass
class PhaseRanking:
    phase: Phase
    scope: Scope
    mode: NormalisationMode  # the mode the scores were computed with
    fallback: bool  # the phase asks for a mode not computed (none is left: always False)
    criteria: list[CriterionRef]
    rows: list[RankingRow]
    cols: columns.Columns = columns.EMPTY  # what the arithmetic was fed, for the other modes
    entry_specs: list[scoring.EntrySpec] = field(default_factory=list)
    tie_break: list[int] = field(default_factory=list)
    field_means: dict[int, float] = field(default_factory=dict)  # normalised, by criterion id
    fit: effects.JudgeEffects = field(default_factory=lambda: effects.fit([]))
    card_ids: dict[int, list[int]] = field(default_factory=dict)  # counted final scorecards by entry id
    version: int = 0  # the campaign's ranking version it was computed at
    key: tuple[object, ...] = ()  # its key in ``judging.ranking_cache``

    @property
    def required(self) -> int:
        return self.phase.required_judges

    @property
    def leniency(self) -> dict[int, float]:
        """b_j by judge id (in every mode: the organizer's analysis shows it)."""
        return self.fit.leniency

    @property
    def judge_ids(self) -> list[int]:
        return sorted(set(self.cols.judge_ids))

    @cached_property
    def totals(self) -> list[scoring.JudgeTotal]:
        return self.cols.judge_totals()

    @property
    def final_count(self) -> int:
        return sum(row.cards for row in self.rows)

    @property
    def required_count(self) -> int:
        return len(self.rows) * self.phase.required_judges

    @property
    def complete_entries(self) -> int:
        return sum(1 for row in self.rows if not row.incomplete)

    def groups(self, rows: Sequence[RankingRow] | None = None) -> list[tuple[ChallengeRef | None, list[RankingRow]]]:
        """Rows (all, or those given, in ranking order) by ranking scope: one group per challenge, or one."""
        rows = self.rows if rows is None else rows
        if self.scope == "campaign":
            return [(None, list(rows))] if rows else []
        out: list[tuple[ChallengeRef | None, list[RankingRow]]] = []
        for row in rows:
            if not out or out[-1][0] != row.challenge:
                out.append((row.challenge, []))
            out[-1][1].append(row)
        return out

    @cached_property
    def _by_team(self) -> dict[int, RankingRow]:
        return {row.team.id: row for row in self.rows}

    @cached_property
    def _by_entry(self) -> dict[int, RankingRow]:
        return {row.entry.id: row for row in self.rows}

    def row_of_team(self, team_id: int) -> RankingRow | None:
        return self._by_team.get(team_id)

    def row_of_entry(self, entry_id: int) -> RankingRow | None:
        return self._by_entry.get(entry_id)

"""Exports of a judging phase: the results and all scorecards, as tables that
``core.spreadsheet`` renders as CSV or Excel bytes (formula-safe). Rows come sorted by unique
keys, so both databases give the same CSV bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.spreadsheet import Cell, Table
from judging.ranking_rows import PhaseRanking
from judging.sheets import ENTRY, FEEDBACK, JUDGE, PRIVATE_NOTE


@dataclass(frozen=True)
class CriterionColumn:
    id: int
    name: str


@dataclass(frozen=True)
class CardRow:
    """One scorecard as exported; ``scores`` by criterion id."""

    scorecard_id: int
    judge_email: str
    judge_name: str
    team: str
    entry_id: int
    entry_title: str
    scores: dict[int, int]
    total: float | None
    feedback: str
    private_note: str
    status: str
    finalised_at: datetime | None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def results_table(ranking: PhaseRanking) -> Table:
    header = ["rank", "team", "challenge", "entry_title", "raw_mean", "score", "cards", "incomplete"]
    rows: list[list[Cell]] = [
        [
            row.rank,
            row.team.name,
            row.challenge.title,
            row.entry.title,
            _round(row.raw_mean),
            _round(row.score),
            row.cards,
            "yes" if row.incomplete else "no",
        ]
        for row in ranking.rows
    ]
    return Table(header, rows)


def scorecards_table(criteria: Sequence[CriterionColumn], cards: Sequence[CardRow]) -> Table:
    header = [JUDGE, "judge_name", "team", ENTRY, "entry_title", *(c.name for c in criteria)]
    header += ["total", FEEDBACK, PRIVATE_NOTE, "status", "finalised_at"]
    ordered = sorted(cards, key=lambda c: (c.team.lower(), c.team, c.entry_id, c.judge_email, c.scorecard_id))
    rows: list[list[Cell]] = []
    for card in ordered:
        scores: list[Cell] = [card.scores.get(c.id) for c in criteria]
        finalised = card.finalised_at.isoformat() if card.finalised_at else None
        head: list[Cell] = [card.judge_email, card.judge_name, card.team, card.entry_id, card.entry_title]
        tail: list[Cell] = [_round(card.total), card.feedback, card.private_note, card.status, finalised]
        rows.append([*head, *scores, *tail])
    return Table(header, rows)

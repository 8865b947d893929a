"""Exports of a judging phase: the results and all scorecards, as CSV or Excel bytes.

Pure rendering from rows already loaded. Text cells that a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) get a leading quote; numbers stay
numbers. Rows come sorted by unique keys, so both databases give the same CSV bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from judging.ranking_rows import PhaseRanking
from judging.sheets import DANGEROUS, ENTRY, FEEDBACK, JUDGE, PRIVATE_NOTE, unneutralise

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Cell]]


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


def neutralise(value: Cell) -> Cell:
    """A formula-like text gets a leading apostrophe; so does one that already looks neutralised
    ("'=…"), so that importing the sheet back (judging.sheets.unneutralise) restores it exactly."""
    if isinstance(value, str) and (value.startswith(DANGEROUS) or unneutralise(value) != value):
        return "'" + value
    return value


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


def _safe_rows(table: Table) -> list[list[Cell]]:
    return [[neutralise(v) for v in table.header], *([neutralise(v) for v in row] for row in table.rows)]


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the accents and Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _safe_rows(table):
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet")
    for row in _safe_rows(table):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

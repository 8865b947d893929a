"""The ranking of a judging phase: loads its final scorecards and feeds ``judging.scoring``.

A constant number of queries whatever the data size, also for several phases at once:
criteria (1), final scorecards with their judges (1), their scores as plain rows (1), entries
with their teams and challenges (1). ``Scorecard.scores`` is not loaded on the scorecards kept in
``PhaseRanking.scorecards``.

Rules chosen here (DOMAIN.md is silent on them):
- the entries of a judging phase are the submitted entries of the submission phase it judges,
  plus any entry that has a final scorecard in the phase, less those of withdrawn teams, whose
  scorecards count for nothing (``judging.withdrawn``: not even in a judge's normalisation);
- the ranking scope is the phase's ``ranking_scope`` unless the caller asks for another one (the
  organizer's results page can show a phase either way);
- a final scorecard that lacks a score (impossible through the services, which lock the rubric
  once a scorecard is final) is left out of the arithmetic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.models import Challenge, NormalisationMode, Phase, RankingScope
from judging import effects, scoring
from judging.models import Criterion, Score, Scorecard, ScorecardStatus
from judging.withdrawn import judged
from teams.models import Entry, EntryStatus, Team

Scope = Literal["challenge", "campaign"]
SCOPES: tuple[Scope, ...] = ("challenge", "campaign")


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    team: Team
    challenge: Challenge
    entry: Entry
    raw_mean: float | None
    score: float | None
    cards: int
    incomplete: bool
    tied: bool  # shares its rank
    score_tied: bool  # had an equal score; the criterion tie-break decided (unless ``tied``)
    criterion_means: dict[int, float]  # mean normalised score (0..1) by criterion id


@dataclass
class PhaseRanking:
    phase: Phase
    scope: Scope
    mode: NormalisationMode  # the mode the scores were computed with
    fallback: bool  # the phase asks for a mode not computed (none is left: always False)
    criteria: list[Criterion]
    rows: list[RankingRow]
    scorecards: dict[int, list[Scorecard]] = field(default_factory=dict)  # final ones, by entry id
    field_means: dict[int, float] = field(default_factory=dict)  # normalised, by criterion id
    # what the arithmetic was fed, so other modes can be computed without another query
    totals: list[scoring.JudgeTotal] = field(default_factory=list)
    entry_specs: list[scoring.EntrySpec] = field(default_factory=list)
    tie_break: list[int] = field(default_factory=list)
    judges: dict[int, User] = field(default_factory=dict)  # the judges of the counted scorecards
    leniency: dict[int, float] = field(default_factory=dict)  # b_j by judge id (mode judge-effects)

    @property
    def required(self) -> int:
        return self.phase.required_judges

    @property
    def final_count(self) -> int:
        return sum(row.cards for row in self.rows)

    @property
    def required_count(self) -> int:
        return len(self.rows) * self.phase.required_judges

    @property
    def complete_entries(self) -> int:
        return sum(1 for row in self.rows if not row.incomplete)

    def groups(self) -> list[tuple[Challenge | None, list[RankingRow]]]:
        """Rows by ranking scope: one group per challenge, or a single campaign-wide group."""
        if self.scope == "campaign":
            return [(None, self.rows)] if self.rows else []
        out: list[tuple[Challenge | None, list[RankingRow]]] = []
        for row in self.rows:
            if not out or out[-1][0] is not row.challenge:
                out.append((row.challenge, []))
            out[-1][1].append(row)
        return out

    def row_of_team(self, team_id: int) -> RankingRow | None:
        return next((row for row in self.rows if row.team.id == team_id), None)

    def row_of_entry(self, entry_id: int) -> RankingRow | None:
        return next((row for row in self.rows if row.entry.id == entry_id), None)


def _spec(criterion: Criterion) -> scoring.CriterionSpec:
    return scoring.CriterionSpec(
        id=criterion.id,
        weight=criterion.weight,
        scale_min=criterion.scale_min,
        scale_max=criterion.scale_max,
        position=criterion.position,
    )


def _totals(
    criteria: Sequence[scoring.CriterionSpec], cards: Sequence[Scorecard], scores: dict[int, dict[int, int]]
) -> list[scoring.JudgeTotal]:
    if not criteria:
        return []
    ids = {c.id for c in criteria}
    out = []
    for card in cards:
        values = {cid: value for cid, value in scores.get(card.id, {}).items() if cid in ids}
        if len(values) == len(ids):
            out.append(
                scoring.to_judge_total(
                    criteria, scoring.Card(entry_id=card.entry_id, judge_id=card.judge_id, scores=values)
                )
            )
    return out


async def phase_rankings(
    session: AsyncSession, phases: Sequence[Phase], scope: Scope | None = None
) -> list[PhaseRanking]:
    """The rankings of several judging phases, in the order given, in four queries.

    ``scope`` ``None`` ranks each phase within its own ``ranking_scope``.
    """
    if not phases:
        return []
    phase_ids = [p.id for p in phases]
    criteria_rows = (
        await session.scalars(
            select(Criterion)
            .where(Criterion.phase_id.in_(phase_ids))
            .order_by(Criterion.phase_id, Criterion.position, Criterion.id)
        )
    ).all()
    final = (Scorecard.status == ScorecardStatus.FINAL) & judged(Scorecard.entry_id)
    card_rows = (
        await session.scalars(
            select(Scorecard)
            .where(Scorecard.phase_id.in_(phase_ids), final)
            .options(joinedload(Scorecard.judge))
            .order_by(Scorecard.phase_id, Scorecard.entry_id, Scorecard.id)
        )
    ).all()
    # the scores as plain rows in one query: no ORM object per score (a phase has k·6 per entry),
    # and no selectinload batches of 500 that would make the query count grow with the data
    values: dict[int, dict[int, int]] = defaultdict(dict)
    for card_id, criterion_id, value in await session.execute(
        select(Score.scorecard_id, Score.criterion_id, Score.value)
        .join(Scorecard, Scorecard.id == Score.scorecard_id)
        .where(Scorecard.phase_id.in_(phase_ids), final)
    ):
        values[card_id][criterion_id] = value
    judged_phases = [p.judges_phase_id for p in phases if p.judges_phase_id is not None]
    scored = select(Scorecard.entry_id).where(Scorecard.phase_id.in_(phase_ids), final)
    entry_rows = (
        await session.scalars(
            select(Entry)
            .where(
                or_(
                    Entry.phase_id.in_(judged_phases) & (Entry.status == EntryStatus.SUBMITTED),
                    Entry.id.in_(scored),
                ),
                judged(Entry.id),
            )
            .options(joinedload(Entry.team).joinedload(Team.challenge))
            .order_by(Entry.id)
        )
    ).all()

    criteria_by_phase: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in criteria_rows:
        criteria_by_phase[criterion.phase_id].append(criterion)
    cards_by_phase: dict[int, list[Scorecard]] = defaultdict(list)
    for card in card_rows:
        cards_by_phase[card.phase_id].append(card)
    entries_by_id = {e.id: e for e in entry_rows}

    out = []
    for phase in phases:
        cards = cards_by_phase[phase.id]
        scored_ids = {c.entry_id for c in cards}
        entries = [
            e
            for e in entry_rows
            if e.id in scored_ids or (e.phase_id == phase.judges_phase_id and e.status is EntryStatus.SUBMITTED)
        ]
        phase_scope: Scope = scope or ("campaign" if phase.ranking_scope is RankingScope.CAMPAIGN else "challenge")
        out.append(_rank_phase(phase, phase_scope, criteria_by_phase[phase.id], cards, values, entries, entries_by_id))
    return out


def _rank_phase(
    phase: Phase,
    scope: Scope,
    criteria: list[Criterion],
    cards: list[Scorecard],
    scores: dict[int, dict[int, int]],
    entries: list[Entry],
    entries_by_id: dict[int, Entry],
) -> PhaseRanking:
    specs = [_spec(c) for c in criteria]
    totals = _totals(specs, cards, scores)
    counted = {(t.entry_id, t.judge_id) for t in totals}
    mode = phase.normalisation
    entries = sorted(entries, key=lambda e: (e.team.challenge.position, e.team.challenge.id, e.id))
    entry_specs = [scoring.EntrySpec(e.id, e.team.challenge_id if scope == "challenge" else None) for e in entries]
    tie_break = scoring.tie_break_order(specs)
    results = scoring.rank_totals(
        totals, entry_specs, mode=scoring.Mode(mode.value), required=phase.required_judges, tie_break=tie_break
    )
    leniency = effects.fit(totals).leniency if mode is NormalisationMode.JUDGE_EFFECTS else {}
    rows = [
        RankingRow(
            rank=r.rank,
            team=entries_by_id[r.entry_id].team,
            challenge=entries_by_id[r.entry_id].team.challenge,
            entry=entries_by_id[r.entry_id],
            raw_mean=r.raw_mean,
            score=r.score,
            cards=r.cards,
            incomplete=r.incomplete,
            tied=r.tied,
            score_tied=r.score_tied,
            criterion_means=dict(r.criterion_means),
        )
        for r in results
    ]
    by_entry: dict[int, list[Scorecard]] = defaultdict(list)
    for card in cards:
        if (card.entry_id, card.judge_id) in counted:
            by_entry[card.entry_id].append(card)
    return PhaseRanking(
        phase=phase,
        scope=scope,
        mode=mode,
        fallback=False,
        criteria=criteria,
        rows=rows,
        scorecards=dict(by_entry),
        field_means=scoring.field_means(totals),
        totals=totals,
        entry_specs=entry_specs,
        tie_break=tie_break,
        judges={card.judge_id: card.judge for cards_ in by_entry.values() for card in cards_},
        leniency=leniency,
    )


async def phase_ranking(session: AsyncSession, phase: Phase, scope: Scope | None = None) -> PhaseRanking:
    """The ranking of one judging phase (see ``phase_rankings``)."""
    (ranking,) = await phase_rankings(session, [phase], scope)
    return ranking

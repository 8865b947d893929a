"""The ranking of a judging phase: reads its final scorecards as columns and feeds ``judging.columns``.

A constant number of statements whatever the data size, also for several phases at once: the
campaigns' ranking versions (1); then, unless cached, criteria (1), the scores of the final
scorecards as plain rows (1), the entries with their teams' challenges (1); and the names shown
(team names, entry titles: 1, for every row or only for the rows a page shows). No ORM object is
built per scorecard or per entry.

What the arithmetic computes is cached per process (``judging.ranking_cache``) under the phase,
its campaign's ranking version, the scope and the phase's settings; names and titles are read
fresh every time, since they change without touching the ranking.

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
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Challenge, Phase, RankingScope
from core.versions import ranking_version
from judging import columns, effects, ranking_cache, scoring
from judging.models import Criterion, Score, Scorecard, ScorecardStatus
from judging.ranking_rows import (
    ChallengeRef,
    Computed,
    CriterionRef,
    EntryRef,
    PhaseRanking,
    RankingRow,
    Scope,
    TeamRef,
)
from judging.withdrawn import judged
from teams.models import Entry, EntryStatus, Team


def spec_of(criterion: CriterionRef) -> scoring.CriterionSpec:
    return scoring.CriterionSpec(
        id=criterion.id,
        weight=criterion.weight,
        scale_min=criterion.scale_min,
        scale_max=criterion.scale_max,
        position=criterion.position,
    )


def _final() -> ColumnElement[bool]:
    return (Scorecard.status == ScorecardStatus.FINAL) & judged(Scorecard.entry_id)


def _entries_of(phases: Sequence[Phase]) -> ColumnElement[bool]:
    """The entries of the phases' rankings (see the module's docstring)."""
    judged_phases = [p.judges_phase_id for p in phases if p.judges_phase_id is not None]
    scored = select(Scorecard.entry_id).where(Scorecard.phase_id.in_([p.id for p in phases]), _final())
    return or_(
        Entry.phase_id.in_(judged_phases) & (Entry.status == EntryStatus.SUBMITTED), Entry.id.in_(scored)
    ) & judged(Entry.id)


def _scope_of(phase: Phase, scope: Scope | None) -> Scope:
    return scope or ("campaign" if phase.ranking_scope is RankingScope.CAMPAIGN else "challenge")


def _key(phase: Phase, version: int, scope: Scope) -> tuple[object, ...]:
    # the phase's settings are in the version too; in the key as well, so an unsaved change never
    # reads another setting's value
    return (
        "ranking",
        phase.id,
        version,
        scope,
        phase.normalisation.value,
        phase.required_judges,
        phase.judges_phase_id,
    )


async def versions_of(session: AsyncSession, campaign_ids: Collection[int]) -> dict[int, int]:
    rows = await session.execute(
        select(ranking_version.c.campaign_id, ranking_version.c.version).where(
            ranking_version.c.campaign_id.in_(sorted(set(campaign_ids)))
        )
    )
    return {campaign_id: int(version) for campaign_id, version in rows}


Names = dict[int, tuple[str, str]]  # entry id: (entry title, team name)


async def _compute(
    session: AsyncSession, phases: Sequence[Phase], scopes: dict[int, Scope]
) -> tuple[dict[int, Computed], Names]:
    """The arithmetic of the phases, and the names of their entries, in three statements."""
    phase_ids = [p.id for p in phases]
    conn = await session.connection()  # plain Core results: no ORM bookkeeping per row
    criteria_by_phase: dict[int, list[CriterionRef]] = defaultdict(list)
    for phase_id, *values in await conn.execute(
        select(
            Criterion.phase_id,
            Criterion.id,
            Criterion.name,
            Criterion.weight,
            Criterion.scale_min,
            Criterion.scale_max,
            Criterion.position,
        )
        .where(Criterion.phase_id.in_(phase_ids))
        .order_by(Criterion.phase_id, Criterion.position, Criterion.id)
    ):
        criteria_by_phase[phase_id].append(CriterionRef(*values))
    # the scores in one statement, one row per scorecard with a column per criterion (a pivot in SQL: a
    # sixth of the rows to carry, and no ORM object per scorecard or per score)
    union = sorted({c.id for refs in criteria_by_phase.values() for c in refs})
    card_rows: list[Row[Any]] = []
    if union:
        pivot = [func.max(case((Score.criterion_id == cid, Score.value))) for cid in union]
        card_rows = list(
            await conn.execute(
                select(Scorecard.id, Scorecard.phase_id, Scorecard.entry_id, Scorecard.judge_id, *pivot)
                .join(Score, Score.scorecard_id == Scorecard.id)
                .where(Scorecard.phase_id.in_(phase_ids), _final())
                .group_by(Scorecard.id, Scorecard.phase_id, Scorecard.entry_id, Scorecard.judge_id)
            )
        )
    column_of = {cid: 4 + i for i, cid in enumerate(union)}
    entry_rows = (
        await conn.execute(
            select(
                Entry.id,
                Entry.phase_id,
                Entry.status,
                Team.id,
                Team.challenge_id,
                Challenge.title,
                Challenge.position,
                Entry.submitted_title,  # what was submitted in time, never a later draft
                Team.name,
            )
            .join(Team, Team.id == Entry.team_id)
            .join(Challenge, Challenge.id == Team.challenge_id)
            .where(_entries_of(phases))
            .order_by(Entry.id)
        )
    ).all()

    cards_by_phase: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in card_rows:
        cards_by_phase[row[1]].append(row)
    out = {}
    for phase in phases:
        criteria = criteria_by_phase[phase.id]
        specs = [spec_of(c) for c in criteria]
        where = [(c.id, column_of[c.id]) for c in criteria]
        cards = (
            (row[0], row[2], row[3], {cid: row[i] for cid, i in where if row[i] is not None})
            for row in cards_by_phase[phase.id]
        )
        cols = columns.columns(specs, cards)
        scored = set(cols.entry_ids)
        entries = [
            row
            for row in entry_rows
            if row[0] in scored or (row[1] == phase.judges_phase_id and row[2] is EntryStatus.SUBMITTED)
        ]
        entries.sort(key=lambda r: (r[6], r[4], r[0]))  # challenge position, challenge id, entry id
        out[phase.id] = _rank_phase(phase, scopes[phase.id], criteria, specs, cols, entries)
    return out, {row[0]: (row[7] or "", row[8]) for row in entry_rows}


def _rank_phase(
    phase: Phase,
    scope: Scope,
    criteria: list[CriterionRef],
    specs: list[scoring.CriterionSpec],
    cols: columns.Columns,
    entries: Sequence[Row[tuple[int, int, EntryStatus, int, int, str, int, str | None, str]]],
) -> Computed:
    entry_specs = [scoring.EntrySpec(e[0], e[4] if scope == "challenge" else None) for e in entries]
    tie_break = scoring.tie_break_order(specs)
    fit = effects.fit(cols.light())
    results = columns.rank(
        cols,
        entry_specs,
        mode=scoring.Mode(phase.normalisation.value),
        required=phase.required_judges,
        tie_break=tie_break,
        fit=fit,
    )
    info = {e[0]: (TeamRef(e[3], e[4]), ChallengeRef(e[4], e[5], e[6])) for e in entries}
    rows = [
        RankingRow(
            rank=r.rank,
            team=info[r.entry_id][0],
            challenge=info[r.entry_id][1],
            entry=EntryRef(r.entry_id),
            raw_mean=r.raw_mean,
            score=r.score,
            cards=r.cards,
            incomplete=r.incomplete,
            tied=r.tied,
            score_tied=r.score_tied,
            criterion_means=r.criterion_means,  # type: ignore[arg-type]  # a fresh dict from columns.rank
        )
        for r in results
    ]
    card_ids: dict[int, list[int]] = defaultdict(list)
    for entry_id, card_id in zip(cols.entry_ids, cols.card_ids, strict=True):
        card_ids[entry_id].append(card_id)
    return Computed(
        scope=scope,
        mode=phase.normalisation,
        criteria=criteria,
        rows=rows,
        cols=cols,
        entry_specs=entry_specs,
        tie_break=tie_break,
        field_means=columns.field_means(cols),
        fit=fit,
        card_ids={e: sorted(ids) for e, ids in card_ids.items()},
    )


async def name_rows(session: AsyncSession, rankings: Sequence[PhaseRanking], entry_ids: Collection[int] | None) -> None:
    """Fills in team names and the titles submitted in time ("" for none), for every row (``None``)
    or the rows of ``entry_ids``, in one statement."""
    if not rankings:
        return
    if entry_ids is None:
        where = _entries_of([r.phase for r in rankings])
    else:
        if not entry_ids:
            return
        where = Entry.id.in_(sorted(set(entry_ids)))
    names = {
        entry_id: (title or "", name)
        for entry_id, title, name in await (await session.connection()).execute(
            select(Entry.id, Entry.submitted_title, Team.name).join(Team, Team.id == Entry.team_id).where(where)
        )
    }
    _apply_names(rankings, names)


def _named(row: RankingRow, title: str, name: str) -> RankingRow:
    # the constructor, not dataclasses.replace: thousands of rows
    return RankingRow(
        row.rank,
        TeamRef(row.team.id, row.team.challenge_id, name),
        row.challenge,
        EntryRef(row.entry.id, title),
        row.raw_mean,
        row.score,
        row.cards,
        row.incomplete,
        row.tied,
        row.score_tied,
        row.criterion_means,
    )


def _apply_names(rankings: Sequence[PhaseRanking], names: Names) -> None:
    for ranking in rankings:
        ranking.rows = [
            _named(row, *named) if (named := names.get(row.entry.id)) is not None else row for row in ranking.rows
        ]
        ranking.__dict__.pop("_by_team", None)
        ranking.__dict__.pop("_by_entry", None)


async def phase_rankings(
    session: AsyncSession,
    phases: Sequence[Phase],
    scope: Scope | None = None,
    *,
    named: bool = True,
) -> list[PhaseRanking]:
    """The rankings of several judging phases, in the order given, in a constant number of statements.

    ``scope`` ``None`` ranks each phase within its own ``ranking_scope``. ``named=False`` leaves the
    team names and entry titles empty; ``name_rows`` fills them in for the rows a page shows.
    """
    if not phases:
        return []
    versions = await versions_of(session, {p.campaign_id for p in phases})
    scopes = {p.id: _scope_of(p, scope) for p in phases}
    keys = {p.id: _key(p, versions.get(p.campaign_id, 0), scopes[p.id]) for p in phases}
    computed: dict[int, Computed] = {}
    for p in phases:
        hit = ranking_cache.get(session, keys[p.id])
        if hit is not None:
            computed[p.id] = hit
    missing = [p for p in phases if p.id not in computed]
    names: Names = {}
    if missing:
        fresh, names = await _compute(session, missing, scopes)
        for p in missing:
            ranking_cache.put(session, keys[p.id], fresh[p.id])
        computed.update(fresh)
    out = []
    for p in phases:
        c = computed[p.id]
        out.append(
            PhaseRanking(
                phase=p,
                scope=c.scope,
                mode=c.mode,
                fallback=False,
                criteria=c.criteria,
                rows=list(c.rows),
                cols=c.cols,
                entry_specs=c.entry_specs,
                tie_break=c.tie_break,
                field_means=c.field_means,
                fit=c.fit,
                card_ids=c.card_ids,
                version=versions.get(p.campaign_id, 0),
                key=keys[p.id],
            )
        )
    if named:
        if missing:
            _apply_names([r for r in out if r.phase in missing], names)
        await name_rows(session, [r for r in out if r.phase not in missing], None)
    return out


async def phase_ranking(session: AsyncSession, phase: Phase, scope: Scope | None = None) -> PhaseRanking:
    """The ranking of one judging phase (see ``phase_rankings``)."""
    (ranking,) = await phase_rankings(session, [phase], scope)
    return ranking

"""What teams see of the published results, frozen when the results are (re)published.

Rule chosen here (DOMAIN.md is silent): publishing takes a snapshot of every team's result page —
per judging phase its rank in its challenge, its scores, its criterion means against the field
and the judges' feedback, with the campaign's *show judge names* and *show ranks* choices — and
the team's page shows that snapshot. Whatever changes afterwards (a normalisation mode, the
required number of judges, an assignment, an advancement override, a judge's name, the campaign's
switches) alters nothing a team sees until an organizer republishes (``judging.awards``), which
takes a new snapshot. Awards, scorecards and rubrics are refused outright after publication.

A campaign published before snapshots existed has none: its teams see the results computed
afresh, as before, until the results are republished.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, Phase, PhaseKind
from judging.models import PublishedTeamResult, Scorecard, ScorecardStatus
from judging.ranking import phase_rankings
from judging.ranking_rows import CriterionRef, PhaseRanking, RankingRow
from teams.models import Team

Card = tuple[str, str]  # the judge's name, the feedback


def _on_scale(criterion: CriterionRef, normalised: float | None) -> float | None:
    if normalised is None:
        return None
    return criterion.scale_min + normalised * (criterion.scale_max - criterion.scale_min)


def _phase_result(
    ranking: PhaseRanking, row: RankingRow, show_judge_names: bool, cards: dict[int, Card]
) -> dict[str, Any]:
    feedback = [
        {"judge": cards[card_id][0] if show_judge_names else None, "text": cards[card_id][1]}
        for card_id in ranking.card_ids.get(row.entry.id, [])
        if card_id in cards and cards[card_id][1].strip()
    ]
    return {
        "phase_id": ranking.phase.id,
        "phase_name": ranking.phase.name,
        "mode": ranking.mode.value,
        "incomplete": row.incomplete,
        "rank": row.rank,
        "ranked_in_scope": sum(1 for r in ranking.rows if r.rank is not None and r.challenge.id == row.challenge.id),
        "raw_mean": row.raw_mean,
        "score": row.score,
        "criteria": [
            {
                "name": c.name,
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
                "mean": _on_scale(c, row.criterion_means.get(c.id)),
                "field_mean": _on_scale(c, ranking.field_means.get(c.id)),
            }
            for c in ranking.criteria
        ],
        "feedback": feedback,
    }


async def _judging_phases(session: AsyncSession, campaign_id: int) -> list[Phase]:
    rows = await session.scalars(
        select(Phase)
        .where(Phase.campaign_id == campaign_id, Phase.kind == PhaseKind.JUDGING)
        .order_by(Phase.position, Phase.id)
    )
    return list(rows.all())


async def _cards(session: AsyncSession, phase_ids: list[int], card_ids: Iterable[int] | None = None) -> dict[int, Card]:
    """The judges' names and feedback of the final scorecards of these phases (or of these cards)."""
    stmt = (
        select(Scorecard.id, User.name, Scorecard.feedback)
        .join(User, User.id == Scorecard.judge_id)
        .where(Scorecard.phase_id.in_(phase_ids), Scorecard.status == ScorecardStatus.FINAL)
    )
    if card_ids is not None:
        stmt = stmt.where(Scorecard.id.in_(list(card_ids)))
    return {card_id: (name, text) for card_id, name, text in (await session.execute(stmt)).all()}


def _team_data(
    campaign: Campaign, rankings: list[PhaseRanking], team_id: int, cards: dict[int, Card]
) -> dict[str, Any]:
    results = [
        _phase_result(ranking, row, campaign.show_judge_names, cards)
        for ranking in rankings
        if (row := ranking.row_of_team(team_id)) is not None
    ]
    return {"results": results, "show_ranks": campaign.show_ranks}


async def live_team_result(session: AsyncSession, campaign: Campaign, team_id: int) -> dict[str, Any]:
    """One team's results computed afresh (a campaign published before snapshots existed)."""
    phases = await _judging_phases(session, campaign.id)
    rankings = await phase_rankings(session, phases, "challenge", named=False)
    card_ids = [
        card_id
        for ranking in rankings
        if (row := ranking.row_of_team(team_id)) is not None
        for card_id in ranking.card_ids.get(row.entry.id, [])
    ]
    cards = await _cards(session, [p.id for p in phases], card_ids) if card_ids else {}
    return _team_data(campaign, rankings, team_id, cards)


async def take_snapshot(session: AsyncSession, campaign: Campaign, now: datetime) -> int:
    """Freezes what every team of the campaign sees of the results now, replacing an earlier
    snapshot; returns how many teams it holds."""
    phases = await _judging_phases(session, campaign.id)
    rankings = await phase_rankings(session, phases, "challenge", named=False)
    cards = await _cards(session, [p.id for p in phases]) if phases else {}
    team_ids = (await session.scalars(select(Team.id).where(Team.campaign_id == campaign.id).order_by(Team.id))).all()
    await session.execute(delete(PublishedTeamResult).where(PublishedTeamResult.campaign_id == campaign.id))
    rows = [
        {
            "campaign_id": campaign.id,
            "team_id": team_id,
            "published_at": now,
            "data": _team_data(campaign, rankings, team_id, cards),
        }
        for team_id in team_ids
    ]
    if rows:
        await session.execute(insert(PublishedTeamResult), rows)
    return len(rows)


async def published_team_result(session: AsyncSession, team_id: int) -> PublishedTeamResult | None:
    """The team's frozen results, or None when its campaign's publication took no snapshot."""
    found: PublishedTeamResult | None = await session.scalar(
        select(PublishedTeamResult).where(PublishedTeamResult.team_id == team_id)
    )
    return found

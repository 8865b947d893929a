"""What a team sees of its results: nothing before publication; afterwards its awards, rank,
score, criterion means against the field and the judges' feedback (never private notes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from campaigns.models import Campaign
from core.errors import N_, NotFound
from judging.awards import judging_phases
from judging.models import Award, Scorecard
from judging.ranking import phase_rankings
from judging.ranking_rows import CriterionRef, PhaseRanking, RankingRow
from teams.models import Membership, Team
from web.deps import USER, DbSession, signed_in
from web.i18n import gettext as _

TEAM_NOT_FOUND = N_("We could not find that team.")


@dataclass(frozen=True)
class CriterionLine:
    criterion: CriterionRef
    mean: float | None  # on the criterion's own scale
    field_mean: float | None


@dataclass(frozen=True)
class Feedback:
    judge: str
    text: str


@dataclass(frozen=True)
class PhaseResult:
    ranking: PhaseRanking
    row: RankingRow
    ranked_in_scope: int
    criteria: list[CriterionLine]
    feedback: list[Feedback]


def _on_scale(criterion: CriterionRef, normalised: float | None) -> float | None:
    if normalised is None:
        return None
    return criterion.scale_min + normalised * (criterion.scale_max - criterion.scale_min)


def _phase_result(
    ranking: PhaseRanking, row: RankingRow, show_judge_names: bool, cards: dict[int, Scorecard]
) -> PhaseResult:
    lines = [
        CriterionLine(
            criterion=c,
            mean=_on_scale(c, row.criterion_means.get(c.id)),
            field_mean=_on_scale(c, ranking.field_means.get(c.id)),
        )
        for c in ranking.criteria
    ]
    feedback: list[Feedback] = []
    for card in (cards[card_id] for card_id in ranking.card_ids.get(row.entry.id, []) if card_id in cards):
        if not card.feedback.strip():
            continue
        name = card.judge.name if show_judge_names else _("Judge %(n)s", n=len(feedback) + 1)
        feedback.append(Feedback(judge=name, text=card.feedback))
    in_scope = sum(1 for r in ranking.rows if r.rank is not None and r.challenge.id == row.challenge.id)
    return PhaseResult(ranking=ranking, row=row, ranked_in_scope=in_scope, criteria=lines, feedback=feedback)


async def _member_team(db: AsyncSession, team_id: int, user_id: int) -> Team:
    team = await db.scalar(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Team.id == team_id, Membership.user_id == user_id)
        .options(joinedload(Team.challenge))
    )
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    return team


@get("/teams/{team_id:int}/result", opt=USER, name="team_result")
async def team_result(request: Request[Any, Any, Any], db_session: DbSession, team_id: FromPath[int]) -> Template:
    team = await _member_team(db_session, team_id, signed_in(request).id)
    campaign = await db_session.get(Campaign, team.campaign_id)
    if campaign is None:
        raise NotFound(TEAM_NOT_FOUND)
    context: dict[str, Any] = {"team": team, "campaign": campaign, "published": False}
    if campaign.results_published_at is None:
        return Template(template_name="results/team.html", context=context)
    awards = (await db_session.scalars(select(Award).where(Award.team_id == team.id).order_by(Award.id))).all()
    rankings = await phase_rankings(db_session, await judging_phases(db_session, campaign.id), "challenge")
    rows = [(ranking, row) for ranking in rankings if (row := ranking.row_of_team(team.id)) is not None]
    # the counted final scorecards of the team's entries, with their judges, in one statement
    card_ids = [card_id for ranking, row in rows for card_id in ranking.card_ids.get(row.entry.id, [])]
    cards = {
        card.id: card
        for card in (
            await db_session.scalars(
                select(Scorecard).where(Scorecard.id.in_(card_ids)).options(joinedload(Scorecard.judge))
            )
        ).all()
    }
    results = [_phase_result(ranking, row, campaign.show_judge_names, cards) for ranking, row in rows]
    context.update(published=True, awards=awards, results=results, show_ranks=campaign.show_ranks)
    return Template(template_name="results/team.html", context=context)


routes = [team_result]

"""What a team sees of its results: nothing before publication; afterwards its awards, rank,
score, criterion means against the field and the judges' feedback (never private notes)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from campaigns.models import Campaign
from core.errors import N_, NotFound
from judging.models import Award
from judging.published import live_team_result, published_team_result
from teams.models import Membership, Team
from web.deps import USER, DbSession, signed_in

TEAM_NOT_FOUND = N_("We could not find that team.")


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
    # what was published, frozen (judging.published); computed afresh only for a campaign
    # published before snapshots were taken
    frozen = await published_team_result(db_session, team.id)
    data = frozen.data if frozen is not None else await live_team_result(db_session, campaign, team.id)
    context.update(
        published=True,
        awards=awards,
        results=data.get("results", []),
        show_ranks=data.get("show_ranks", campaign.show_ranks),
        published_at=frozen.published_at if frozen is not None else campaign.results_published_at,
    )
    return Template(template_name="results/team.html", context=context)


routes = [team_result]

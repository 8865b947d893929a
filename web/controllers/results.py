"""Results for organizers (rankings, judging progress, awards, publication) and the winners page."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, Challenge
from core.errors import N_, ValidationFailed
from core.numbers import parse_int
from core.pagination import Page
from judging.analysis import DEFAULT_TOP_N, JudgeSpread, cached_analysis
from judging.awards import (
    AWARD_NAME_MAX,
    CITATION_MAX,
    REASON_MAX,
    AwardInput,
    add_award,
    campaign_awards,
    delete_award,
    judging_phases,
    publication_blockers_of,
    publish_results,
    republish_results,
)
from judging.models import PublishedTeamResult
from judging.ranking import name_rows, phase_rankings
from judging.ranking_rows import SCOPES, ChallengeRef, PhaseRanking, RankingRow, Scope
from judging.recommendation import recommended
from judging.result_views import winners
from web.controllers.campaign_views import OrganizedCampaign
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused

AWARD_FIELDS = ("name", "challenge_id", "team_id", "citation")
MAX_TOP_N = 1000
PAGE_SIZE = 50  # ranking rows per page
AWARD_CHOICES = 10  # the award form offers the teams ranked this high in some ranking
SPREAD_SHOWN = 10  # judges in the spread table unless the organizer asks for all


def _scope(raw: str | None) -> Scope | None:
    """``None``: each phase within its own ranking scope."""
    if raw == "campaign":
        return "campaign"
    if raw == "challenge":
        return "challenge"
    return None


def _top_n(raw: str | None) -> int:
    """The top-N cut of the normalisation analysis where the advancement rule is manual."""
    value = parse_int(raw or "")
    return value if value is not None and 1 <= value <= MAX_TOP_N else DEFAULT_TOP_N


async def _challenges(db: AsyncSession, campaign_id: int) -> list[Challenge]:
    rows = await db.scalars(
        select(Challenge).where(Challenge.campaign_id == campaign_id).order_by(Challenge.position, Challenge.id)
    )
    return list(rows.all())


@dataclass(frozen=True)
class AwardChoice:
    """A team the award form offers: ranked in the top ``AWARD_CHOICES`` of some ranking."""

    id: int
    name: str
    challenge: ChallengeRef


def _page(ranking: PhaseRanking, number: int) -> Page[RankingRow]:
    pages = max(1, math.ceil(len(ranking.rows) / PAGE_SIZE))
    number = min(max(number, 1), pages)
    start = (number - 1) * PAGE_SIZE
    return Page(items=ranking.rows[start : start + PAGE_SIZE], number=number, size=PAGE_SIZE, total=len(ranking.rows))


def _spread(spread: list[JudgeSpread], everyone: bool) -> list[JudgeSpread]:
    """Every judge (by id), or the ``SPREAD_SHOWN`` whose leniency is largest either way, most lenient first."""
    if everyone or len(spread) <= SPREAD_SHOWN:
        return spread
    extreme = sorted(spread, key=lambda j: (-abs(j.leniency or 0.0), j.judge_id))[:SPREAD_SHOWN]
    return sorted(extreme, key=lambda j: (-(j.leniency or 0.0), j.judge_id))


async def _results_context(
    db: AsyncSession,
    campaign: Campaign,
    scope: Scope | None,
    now: datetime,
    *,
    top_n: int = DEFAULT_TOP_N,
    page: tuple[int, int] | None = None,
    all_judges: bool = False,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the results page shows, in a constant number of statements.

    Only the page of each ranking that is shown is named and rendered: ``page`` is (phase id, page
    number) for the ranking being paged through, every other ranking shows its first page.
    """
    rankings = await phase_rankings(db, await judging_phases(db, campaign.id), scope, named=False)
    numbers = {r.phase.id: page[1] if page and page[0] == r.phase.id else 1 for r in rankings}
    shown = {r.phase.id: _page(r, numbers[r.phase.id]) for r in rankings}
    # the teams an award can go to: the top of each ranking (judging.awards accepts any ranked team)
    choices = [row for r in rankings for row in r.rows if row.rank is not None and row.rank <= AWARD_CHOICES]
    judge_ids = sorted({j for r in rankings for j in r.cols.judge_ids})
    judge_names: dict[int, str] = {}
    if judge_ids:
        judge_names = {j: n for j, n in await db.execute(select(User.id, User.name).where(User.id.in_(judge_ids)))}
    analyses = {r.phase.id: cached_analysis(db, r, top_n, judge_names) for r in rankings}
    named = {row.entry.id for p in shown.values() for row in p.items}
    named |= {row.entry.id for row in choices}
    named |= {move.entry_id for a in analyses.values() for move in a.moves}
    await name_rows(db, rankings, named)
    shown = {r.phase.id: _page(r, numbers[r.phase.id]) for r in rankings}  # the named rows
    offered: dict[int, AwardChoice] = {}
    for r in rankings:
        for row in r.rows:
            if row.rank is not None and row.rank <= AWARD_CHOICES and row.team.id not in offered:
                offered[row.team.id] = AwardChoice(row.team.id, row.team.name, row.challenge)
    teams = sorted(offered.values(), key=lambda t: (t.challenge.position, t.challenge.id, t.name.lower(), t.id))
    return {
        "campaign": campaign,
        "scope": scope,
        "scopes": SCOPES,
        "rankings": rankings,
        "pages": shown,  # the page of each ranking shown (core.pagination.Page of its rows)
        # pure arithmetic over what the rankings loaded, cached beside them: no further query
        "analyses": analyses,
        # the judges' spread: those whose leniency is largest either way, or all of them
        "spreads": {phase_id: _spread(a.spread, all_judges) for phase_id, a in analyses.items()},
        "all_judges": all_judges,
        "default_top_n": DEFAULT_TOP_N,
        "recommendation": recommended(),
        "top_n": top_n,
        "awards": await campaign_awards(db, campaign.id),
        "challenges": await _challenges(db, campaign.id),
        "teams": teams,
        "award_choices": AWARD_CHOICES,
        "published": campaign.results_published_at is not None,
        # when what teams see was frozen: the (last) publication
        "frozen_at": await _frozen_at(db, campaign) if campaign.results_published_at is not None else None,
        "reason_max": REASON_MAX,
        "values": dict(values or {}),
        "errors": dict(errors or {}),
        # why "Publish results" cannot succeed now, shown beside the disabled button
        "blockers": [_(b.message, **b.params) for b in await publication_blockers_of(db, campaign, now)],
        "name_max": AWARD_NAME_MAX,
        "citation_max": CITATION_MAX,
    }


async def _frozen_at(db: AsyncSession, campaign: Campaign) -> datetime | None:
    frozen: datetime | None = await db.scalar(
        select(PublishedTeamResult.published_at).where(PublishedTeamResult.campaign_id == campaign.id).limit(1)
    )
    return frozen or campaign.results_published_at


@get("/campaigns/{campaign_id:int}/results", opt=USER, name="results_page")
async def results_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
) -> Template:
    # ?scope=challenge|campaign ("scope" is a reserved handler parameter name in Litestar);
    # ?top=N sets the cut of the normalisation analysis for phases advanced by hand
    query = request.query_params
    scope = _scope(query.get("scope"))
    # ?phase=ID&page=N pages through one phase's ranking
    phase_id, page = parse_int(query.get("phase") or ""), parse_int(query.get("page") or "")
    context = await _results_context(
        db_session,
        campaign,
        scope,
        clock.now(),
        top_n=_top_n(query.get("top")),
        page=(phase_id, page) if phase_id is not None and page is not None else None,
        all_judges=query.get("judges") == "all",
    )
    return Template(template_name="results/organizer.html", context=context)


async def _page_again(
    db: AsyncSession, campaign: Campaign, now: datetime, errors: dict[str, str], status: int, values: Any = None
) -> Template:
    """The results page with a refusal: a field's message beside the field (what was typed kept),
    one about the state of things (published, say) at the top."""
    context = await _results_context(db, campaign, None, now, values=values, errors=errors)
    return Template(template_name="results/organizer.html", context=context, status_code=status)


@post("/campaigns/{campaign_id:int}/awards", opt=USER, name="results_award_add")
async def award_add(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    values = (await read_form(request)).values(*AWARD_FIELDS)
    data = AwardInput(
        name=values["name"],
        team_id=parse_int(values["team_id"]) if values["team_id"] else None,
        challenge_id=parse_int(values["challenge_id"]) if values["challenge_id"] else None,
        citation=values["citation"],
    )
    if values["challenge_id"] and data.challenge_id is None:
        data.challenge_id = -1  # not understood: refused as "not a challenge of this campaign"
    if values["team_id"] and data.team_id is None:
        data.team_id = -1
    now = clock.now()
    award = await or_form_again(
        request,
        add_award(db_session, signed_in(request), now, campaign, data),
        lambda errors, status: _page_again(db_session, campaign, now, errors, status, values),
    )
    return see_other(
        request,
        _awards_path(campaign),
        ok=_("Award “%(name)s” given; it waits for an executive's approval.", name=award.name),
    )


def _awards_path(campaign: Campaign) -> str:
    return f"/campaigns/{campaign.id}/results#awards"


@post("/campaigns/{campaign_id:int}/awards/{award_id:int}/delete", opt=USER, name="results_award_delete")
async def award_delete(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    award_id: FromPath[int],
) -> Response[Any]:
    now = clock.now()
    await or_form_again(
        request,
        delete_award(db_session, signed_in(request), now, campaign, award_id),
        lambda errors, status: _page_again(db_session, campaign, now, errors, status),
    )
    return see_other(request, _awards_path(campaign), ok=_("The award was removed."))


@post(
    "/campaigns/{campaign_id:int}/results/publish",
    opt={**USER, **refused("/campaigns/{campaign_id}/results")},
    name="results_publish",
)
async def results_publish(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    """Publishes the results; the page lists what blocks it, and the service refuses it too."""
    user = signed_in(request)
    path = f"/campaigns/{campaign.id}/results"
    published = await publish_results(db_session, user, clock.now(), campaign)
    if not published:
        return see_other(request, path, info=_("The results were already published."))
    return see_other(request, path, ok=_("The results are published: teams now see their awards, scores and feedback."))


@post("/campaigns/{campaign_id:int}/results/republish", opt=USER, name="results_republish")
async def results_republish(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    """Publishes the current results again, with a reason and a confirmation; refused (409, on the
    page, the reason kept) under the conditions that refuse a publication."""
    values = (await read_form(request)).values("reason", "confirm")
    now = clock.now()
    await or_form_again(
        request,
        _republish(db_session, signed_in(request), now, campaign, values),
        lambda errors, status: _page_again(db_session, campaign, now, errors, status, values),
    )
    return see_other(
        request,
        f"/campaigns/{campaign.id}/results",
        ok=_("The results are published again: teams now see the current results and have been told why."),
    )


async def _republish(db: AsyncSession, user: User, now: datetime, campaign: Campaign, values: dict[str, Any]) -> None:
    if values["confirm"] != "yes":
        raise ValidationFailed({"confirm": N_("Confirm that every team's results change and that the teams are told.")})
    await republish_results(db, user, now, campaign, values["reason"])


@get("/campaigns/{campaign_id:int}/winners", opt=USER, name="results_winners")
async def winners_page(request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int]) -> Template:
    """Who sees the winners, and when, is ``judging.result_views.winners``'s."""
    shown = await winners(db_session, signed_in(request), campaign_id)
    return Template(template_name="results/winners.html", context=vars(shown))


routes = [results_page, award_add, award_delete, results_publish, results_republish, winners_page]

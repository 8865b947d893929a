"""Advancement of a judging phase (organizers) and the approval of awards (executives)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import AdvancementRule, Campaign, Phase
from core.errors import N_, ValidationFailed
from core.pagination import PER_PAGE_CHOICES, Page, page_of, query_string
from core.pagination import per_page as pick_per_page
from judging.advancement_rules import apply_blocker
from judging.advancing import (
    REASON_MAX,
    SHOWS,
    advancements_of,
    apply_advancement,
    decided_outcomes,
    filter_outcomes,
    override_advancement,
    preview_outcomes,
    teams_named,
)
from judging.awards import approve_award, awaiting_approval, campaign_awards
from judging.models import AdvancementOutcome
from judging.ranking import name_rows, phase_rankings
from judging.result_views import approval_campaign
from web.controllers.judging_views import PAGE, Organized
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import Form, or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused

DEFAULT_PER_PAGE = 50


UNDECIDED_SHOWN = 20  # incomplete entries named at the top; the filter "undecided" lists them all


@dataclass(frozen=True)
class ListParams:
    """What the organizer chose to see: kept in the pager's links and through an override."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    challenge: int | None = None
    show: str = "all"
    q: str = ""

    @classmethod
    def of(cls, page: int, per_page: int | None, challenge: int | None, show: str, q: str) -> ListParams:
        return cls(
            page=max(1, page),
            per_page=pick_per_page(per_page, DEFAULT_PER_PAGE),
            challenge=challenge,
            show=show if show in SHOWS else "all",
            q=q.strip()[:100],
        )

    def query(self, *, page: int | None = None) -> str:
        """The query string of this choice (without the page unless given), ending ready for ``page=``."""
        per_page = self.per_page if self.per_page != DEFAULT_PER_PAGE else None
        show = self.show if self.show != "all" else None
        base = query_string(per_page=per_page, challenge=self.challenge, show=show, q=self.q, page=page)
        return base if page is not None else (base + "&" if base != "?" else base)


def _params_of_form(form: Form) -> ListParams:
    """The list the form was sent from, to show it again as it was."""
    return ListParams.of(
        form.number("page") or 1,
        form.number("per_page"),
        form.number("challenge"),
        form.text("show") or "all",
        form.text("q"),
    )


async def _page_context(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    params: ListParams,
    *,
    errors: Mapping[int, str] | None = None,
    values: Mapping[int, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """The page shown of the phase's outcomes: the ranking comes from ``judging.ranking`` (cached there),
    the recorded outcomes are two columns per team, and only the rows shown load their full outcome."""
    # unnamed: the team names and entry titles are read for the rows shown only (``name_rows``)
    (ranking,) = await phase_rankings(db, [phase], phase.ranking_scope.value, named=False)
    blocker = apply_blocker(phase.advancement_rule, phase.advancement_value)
    decided = await decided_outcomes(db, phase.id)
    preview = preview_outcomes(phase, ranking.rows)
    team_ids = await teams_named(db, phase.campaign_id, params.q) if params.q else None
    rows, counts = filter_outcomes(
        ranking.rows, decided, preview, challenge_id=params.challenge, show=params.show, team_ids=team_ids
    )
    page = page_of(rows, number=params.page, size=params.per_page)
    undecided = [r for r in ranking.rows if r.incomplete and r.team.id not in decided]
    shown = [r.entry.id for r in page.items] + [r.entry.id for r in undecided[:UNDECIDED_SHOWN]]
    await name_rows(db, [ranking], shown)  # one query (none when nothing is shown)
    named = {r.entry.id: r for r in ranking.rows}
    page = Page(items=[named[r.entry.id] for r in page.items], number=page.number, size=page.size, total=page.total)
    undecided = [named[r.entry.id] for r in undecided]
    challenges = {r.challenge.id: r.challenge for r in ranking.rows}
    return {
        "campaign": campaign,
        "phase": phase,
        "ranking": ranking,
        "page": page,
        "decided": await advancements_of(db, phase.id, [r.team.id for r in page.items]),
        "preview": preview,
        "counts": counts,
        "params": params,
        "base_url": _path(campaign.id, phase.id) + params.query(),
        "challenges": sorted(challenges.values(), key=lambda c: (c.title, c.id)),
        "per_page_choices": PER_PAGE_CHOICES,
        "undecided": undecided[:UNDECIDED_SHOWN],
        "undecided_total": len(undecided),
        "errors": dict(errors or {}),
        "values": dict(values or {}),
        "published": campaign.results_published_at is not None,  # outcomes final: no override, no rule
        "refusal": None,  # why a change just asked for cannot be made
        # why "Apply the rule now" cannot succeed (a manual rule shows no button at all)
        "apply_blocked": _(blocker) if blocker and phase.advancement_rule is not AdvancementRule.MANUAL else None,
        "reason_max": REASON_MAX,
    }


def _page(context: dict[str, Any], status_code: int = 200) -> Template:
    return Template(template_name="judging/advancement.html", context=context, status_code=status_code)


def _path(campaign_id: int, phase_id: int) -> str:
    return f"/campaigns/{campaign_id}/phases/{phase_id}/advancement"


@get("/campaigns/{campaign_id:int}/phases/{phase_id:int}/advancement", opt=USER, name="advancement_page")
async def advancement_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int | None] = None,
    challenge: FromQuery[int | None] = None,
    show: FromQuery[str] = "all",
    q: FromQuery[str] = "",
) -> Template:
    campaign, phase = organized.campaign, organized.phase
    return _page(await _page_context(db_session, campaign, phase, ListParams.of(page, per_page, challenge, show, q)))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/advancement/apply",
    opt={**USER, **refused(f"{PAGE}/advancement")},
    name="advancement_apply",
)
async def advancement_apply(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    path = _path(campaign.id, phase.id)
    report = await apply_advancement(db_session, user, clock.now(), phase)
    if report is None:
        return see_other(request, path, info=_("The rule had been applied already; nothing changed."))
    message = _(
        "The rule is applied: %(advanced)s advance, %(eliminated)s eliminated, %(undecided)s left to decide by hand.",
        advanced=len(report.advanced),
        eliminated=len(report.eliminated),
        undecided=len(report.undecided),
    )
    return see_other(request, path, ok=message)


async def _override(
    db: AsyncSession, user: User, now: datetime, phase: Phase, team_id: int, typed: dict[str, str]
) -> None:
    try:
        outcome = AdvancementOutcome(typed["outcome"])
    except ValueError:
        raise ValidationFailed({"outcome": N_("Choose whether the team advances or is eliminated.")}) from None
    await override_advancement(db, user, now, phase, team_id, outcome, typed["reason"])


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/advancement/teams/{team_id:int}",
    opt=USER,
    name="advancement_override",
)
async def advancement_override(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    team_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    form = await read_form(request)
    params = _params_of_form(form)
    typed = form.values("outcome", "reason")

    async def again(errors: dict[str, str], status: int) -> Template:
        if "__all__" in errors:  # the phase's state: no change can be made
            return _page(
                {**await _page_context(db_session, campaign, phase, params), "refusal": errors["__all__"]}, status
            )
        # a field to correct: the page again, with what was typed beside the team
        error = next(iter(errors.values()))
        context = await _page_context(
            db_session, campaign, phase, params, errors={team_id: error}, values={team_id: typed}
        )
        return _page(context, status)

    await or_form_again(request, _override(db_session, user, clock.now(), phase, team_id, typed), again)
    back = _path(campaign.id, phase.id) + params.query(page=params.page).rstrip("?")
    return see_other(request, f"{back}#team-{team_id}", ok=_("The team's outcome is recorded."))


# --- executives approve awards ----------------------------------------------------------------


async def _approval_page(db: AsyncSession, campaign: Campaign) -> Template:
    context = {
        "campaign": campaign,
        "awards": await campaign_awards(db, campaign.id),
        "waiting": await awaiting_approval(db, campaign.id),
    }
    return Template(template_name="results/approval.html", context=context)


@get("/campaigns/{campaign_id:int}/awards/approval", opt=USER, name="awards_approval")
async def awards_approval(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int]
) -> Template:
    return await _approval_page(db_session, await approval_campaign(db_session, signed_in(request), campaign_id))


# approved already, the results published: refused back to the approval page
@post(
    "/campaigns/{campaign_id:int}/awards/{award_id:int}/approve",
    opt={**USER, **refused("/campaigns/{campaign_id}/awards/approval")},
    name="awards_approve",
)
async def award_approve(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    award_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign = await approval_campaign(db_session, user, campaign_id)
    award = await approve_award(db_session, user, clock.now(), campaign, award_id)
    return see_other(
        request, f"/campaigns/{campaign.id}/awards/approval", ok=_("Award “%(name)s” approved.", name=award.name)
    )


routes = [advancement_page, advancement_apply, advancement_override, awards_approval, award_approve]

"""The organizer's "Judging set-up" page of a judging phase: its settings and the judges' challenge limits."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import (
    AdvancementRule,
    Campaign,
    CampaignRole,
    CampaignRoleKind,
    Challenge,
    NormalisationMode,
    Phase,
    RankingScope,
)
from core.pagination import paginate
from judging.setup import PhaseSettings, judge_limits, pool_size, set_judge_limits, update_settings
from web.controllers.judging_views import PAGE, Organized
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import is_field_error, or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused

JUDGES_PAGE_SIZE = 30
FIELDS = ("required_judges", "normalisation", "ranking_scope", "advancement_rule", "advancement_value")


def _number(raw: str) -> float | None:
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


def _values(phase: Phase) -> dict[str, Any]:
    value = phase.advancement_value
    return {
        "required_judges": str(phase.required_judges),
        "normalisation": phase.normalisation.value,
        "ranking_scope": phase.ranking_scope.value,
        "advancement_rule": phase.advancement_rule.value,
        "advancement_value": "" if value is None else f"{value:g}",
        "department_conflict": phase.department_conflict,
    }


async def _page(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    judge_error: tuple[int, str] | None = None,
    status: int = 200,
) -> Template:
    judges = await paginate(
        db,
        select(User)
        .join(CampaignRole, CampaignRole.user_id == User.id)
        .where(CampaignRole.campaign_id == campaign.id, CampaignRole.role == CampaignRoleKind.JUDGE)
        .order_by(User.name, User.id),
        number=page,
        size=JUDGES_PAGE_SIZE,
    )
    challenges = list(
        (await db.scalars(select(Challenge).where(Challenge.campaign_id == campaign.id).order_by(Challenge.id))).all()
    )
    base = f"/campaigns/{campaign.id}/phases/{phase.id}/setup"
    return Template(
        template_name="judging/setup.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "values": values or _values(phase),
            "errors": errors or {},
            "judges": judges,
            "page": judges,
            "base_url": base + "?",
            "action": base,
            "challenges": challenges,
            "limits": await judge_limits(db, campaign.id),
            "judge_error": judge_error,
            "pool_size": await pool_size(db, campaign.id),
            "modes": [
                (NormalisationMode.NONE.value, _("None: raw weighted totals")),
                (NormalisationMode.ZSCORE.value, _("z-score per judge")),
                (NormalisationMode.JUDGE_EFFECTS.value, _("Judge effects (leniency corrected)")),
            ],
            "scopes": [
                (RankingScope.CHALLENGE.value, _("Per challenge")),
                (RankingScope.CAMPAIGN.value, _("Across the campaign")),
            ],
            "rules": [
                (AdvancementRule.MANUAL.value, _("Decided by hand")),
                (AdvancementRule.TOP_N.value, _("The top N teams")),
                (AdvancementRule.TOP_PERCENT.value, _("The top P percent of teams")),
                (AdvancementRule.MIN_SCORE.value, _("Every team scoring at least X")),
            ],
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/phases/{phase_id:int}/setup", opt=USER, name="judging_setup")
async def setup_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    page: FromQuery[int] = 1,
) -> Template:
    campaign, phase = organized.campaign, organized.phase
    return await _page(db_session, campaign, phase, max(1, page))


# the phase's state (judging begun, say): refused back to the set-up page; a field: the form again
@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/setup",
    opt={**USER, **refused(f"{PAGE}/setup")},
    name="judging_setup_save",
)
async def setup_save(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    form = await read_form(request)
    values: dict[str, Any] = {**form.values(*FIELDS), "department_conflict": form.text("department_conflict") == "on"}
    data = PhaseSettings(
        required_judges=form.number("required_judges"),
        normalisation=values["normalisation"],
        ranking_scope=values["ranking_scope"],
        advancement_rule=values["advancement_rule"],
        advancement_value=_number(values["advancement_value"]) if values["advancement_value"] else None,
        department_conflict=values["department_conflict"],
    )
    await or_form_again(  # validation comes before any change, so the phase is as it was
        request,
        update_settings(db_session, user, clock.now(), phase, data),
        lambda errors, status: _page(db_session, campaign, phase, 1, values=values, errors=errors, status=status),
        when=is_field_error,
    )
    return see_other(request, f"/campaigns/{campaign.id}/phases/{phase.id}/setup", ok=_("The judging set-up is saved."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/setup/judges/{judge_id:int}",
    opt=USER,
    name="judging_setup_judge",
)
async def setup_judge(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    judge_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    form = await read_form(request)
    page = form.page()
    # a value that is not a number is no challenge of the campaign: refused like one
    limits = {c if c is not None else -1 for c in form.numbers("challenges")}
    await or_form_again(  # refused beside the judge's row
        request,
        set_judge_limits(db_session, user, clock.now(), phase, judge_id, limits),
        lambda errors, status: _page(
            db_session, campaign, phase, page, judge_error=(judge_id, " ".join(errors.values())), status=status
        ),
    )
    path = f"/campaigns/{campaign.id}/phases/{phase.id}/setup?page={page}#judge-{judge_id}"
    return see_other(request, path, ok=_("The judge's challenges are saved."))


routes = [setup_page, setup_save, setup_judge]

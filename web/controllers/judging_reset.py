"""Reopening a locked rubric: the organizer's confirmation page and the audited reset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Campaign, Phase
from judging.rubric_reset import REASON_MAX, reopen_rubric, reset_preview
from web.controllers.judging_views import Organized
from web.deps import USER, AppClock, DbSession, signed_in
from web.forms import is_invalid, or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused

BASE = "/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric/reset"
BASE_PAGE = "/campaigns/{campaign_id}/phases/{phase_id}/rubric/reset"


async def _confirm_page(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    now: datetime,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    preview = await reset_preview(db, campaign, phase, now)
    return Template(
        template_name="judging/rubric_reset.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "preview": preview,
            "refusal": _(preview.refusal) if preview.refusal else "",
            "reason": reason,
            "errors": errors or {},
            "reason_max": REASON_MAX,
            "action": f"/campaigns/{campaign.id}/phases/{phase.id}/rubric/reset",
        },
        status_code=status,
    )


@get(BASE, opt=USER, name="judging_rubric_reset_form")
async def reset_form(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Template:
    campaign, phase = organized.campaign, organized.phase
    return await _confirm_page(db_session, campaign, phase, clock.now())


# advancement applied, results published: refused back to this page (a re-sent form must not reopen later)
@post(BASE, opt={**USER, **refused(BASE_PAGE)}, name="judging_rubric_reset")
async def reset(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    now = clock.now()
    reason = (await read_form(request)).verbatim("reason")
    reopened = await or_form_again(  # nothing was written: the refusals come before any change
        request,
        reopen_rubric(db_session, user, now, phase, reason),
        lambda errors, status: _confirm_page(
            db_session, campaign, phase, now, reason=reason, errors=errors, status=status
        ),
        when=is_invalid,
    )
    return Redirect(path=f"/campaigns/{campaign.id}/phases/{phase.id}/rubric?reopened={reopened}", status_code=303)


routes = [reset_form, reset]

"""Extensions: an organizer's page to grant one team a later deadline, change it or revoke it."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.deadlines import effective_close, utc_to_local
from campaigns.models import Campaign, Phase, PhaseKind
from core.pagination import paginate
from teams.extensions import campaign_extensions_query, grant_extension, revoke_extension
from teams.models import EXTENSION_REASON_MAX, Extension, Team
from web.controllers.campaign_views import OrganizedCampaign
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import is_field_error, or_form_again, read_form
from web.i18n import gettext as _
from web.local_time import read_local_time
from web.refusals import refused

PAGE_SIZE = 50
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
FIELDS = ("team_id", "phase_id", "until", "reason")


def _values_of(extension: Extension, timezone: str) -> dict[str, str]:
    return {
        "team_id": str(extension.team_id),
        "phase_id": str(extension.phase_id),
        "until": utc_to_local(extension.until, timezone).strftime(LOCAL_FORMAT),
        "reason": extension.reason,
    }


async def _page(
    db: AsyncSession,
    campaign: Campaign,
    now: datetime,
    page: int = 1,
    *,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """The list (paginated, with team and phase), the people who granted, the form's choices: 5 queries."""
    result = await paginate(db, campaign_extensions_query(campaign.id), number=page, size=PAGE_SIZE)
    granter_ids = {e.granted_by_id for e in result.items if e.granted_by_id is not None}
    granters: dict[int, str] = {}
    if granter_ids:
        rows = await db.execute(select(User.id, User.name).where(User.id.in_(granter_ids)))
        granters = {user_id: name for user_id, name in rows.all()}
    teams = (
        await db.scalars(select(Team).where(Team.campaign_id == campaign.id).order_by(Team.name_key, Team.id))
    ).all()
    phases = (
        await db.scalars(
            select(Phase)
            .where(Phase.campaign_id == campaign.id, Phase.kind == PhaseKind.SUBMISSION)
            .order_by(Phase.position, Phase.id)
        )
    ).all()
    default_phase = next((p for p in phases if effective_close(p) > now), phases[-1] if phases else None)
    return Template(
        template_name="campaigns/extensions.html",
        context={
            "campaign": campaign,
            "page": result,
            "base_url": f"/campaigns/{campaign.id}/extensions?",
            "granters": granters,
            "teams": teams,
            "phases": phases,
            "closes": {p.id: effective_close(p) for p in phases},
            "values": values
            or {"team_id": "", "phase_id": str(default_phase.id) if default_phase else "", "until": "", "reason": ""},
            "errors": errors or {},
            "reason_max": EXTENSION_REASON_MAX,
            "now": now,
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/extensions", opt=USER, name="campaign_extensions")
async def extensions(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    page: FromQuery[int] = 1,
    edit: FromQuery[int | None] = None,
) -> Template:
    values: dict[str, str] | None = None
    if edit is not None:
        extension = await db_session.scalar(
            campaign_extensions_query(campaign.id).where(Extension.id == edit).order_by(None)
        )
        if extension is not None:
            values = _values_of(extension, campaign.timezone)
    return await _page(db_session, campaign, clock.now(), page, values=values)


# the campaign's state, nothing to correct: refused back to the list; a field: the form again
@post(
    "/campaigns/{campaign_id:int}/extensions",
    opt={**USER, **refused("/campaigns/{campaign_id}/extensions")},
    name="campaign_extension_grant",
)
async def extension_grant(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    user = signed_in(request)
    form = await read_form(request)
    values = form.values(*FIELDS)
    now = clock.now()
    until = read_local_time(values["until"], campaign.timezone)

    def again(errors: dict[str, str], status: int) -> Awaitable[Template]:
        if until.error is not None and "until" in errors:
            errors["until"] = until.error  # a time the zone skips says so itself
        return _page(db_session, campaign, now, values=values, errors=errors, status=status)

    team_id, phase_id = form.number("team_id"), form.number("phase_id")
    await or_form_again(
        request,
        grant_extension(db_session, user, now, campaign, team_id, phase_id, until.value, values["reason"]),
        again,
        when=is_field_error,
    )
    return see_other(request, f"/campaigns/{campaign.id}/extensions", ok=_("The extension is granted."))


@post("/campaigns/{campaign_id:int}/extensions/{extension_id:int}/revoke", opt=USER, name="campaign_extension_revoke")
async def extension_revoke(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    extension_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    await revoke_extension(db_session, user, clock.now(), campaign, extension_id)
    return see_other(request, f"/campaigns/{campaign.id}/extensions", ok=_("The extension is revoked."))


routes = [extensions, extension_grant, extension_revoke]

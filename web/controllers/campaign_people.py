"""A campaign's people, for its organizers: who holds which campaign role; give one, take one away."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.models import Campaign, CampaignRole, CampaignRoleKind
from campaigns.people import add_person, remove_person
from core.pagination import paginate
from web.controllers.campaign_views import OrganizedCampaign
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused

PEOPLE_PAGE_SIZE = 50


async def _people_page(
    db: AsyncSession,
    campaign: Campaign,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    stmt = (
        select(CampaignRole)
        .join(CampaignRole.user)
        .where(CampaignRole.campaign_id == campaign.id)
        .options(joinedload(CampaignRole.user))
        .order_by(CampaignRole.role.desc(), User.name, CampaignRole.id)
    )
    result = await paginate(db, stmt, number=page, size=PEOPLE_PAGE_SIZE)
    return Template(
        template_name="campaigns/people.html",
        context={
            "campaign": campaign,
            "page": result,
            "base_url": f"/campaigns/{campaign.id}/people?",
            "values": values or {"email": "", "role": CampaignRoleKind.JUDGE.value},
            "errors": errors or {},
            "roles": list(CampaignRoleKind),
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/people", opt=USER, name="campaign_people")
async def people(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, page: FromQuery[int] = 1
) -> Template:
    return await _people_page(db_session, campaign, page)


@post("/campaigns/{campaign_id:int}/people", opt=USER, name="campaign_people_add")
async def people_add(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    values = (await read_form(request)).values("email", "role")
    await or_form_again(
        request,
        add_person(db_session, signed_in(request), clock.now(), campaign, values["email"], values["role"]),
        lambda errors, status: _people_page(db_session, campaign, 1, values=values, errors=errors, status=status),
    )
    return see_other(request, f"/campaigns/{campaign.id}/people", ok=_("%(email)s added.", email=values["email"]))


# the last organizer, say: refused back to the people page (a re-sent form must not remove them later)
@post(
    "/campaigns/{campaign_id:int}/people/{role_id:int}/remove",
    opt={**USER, **refused("/campaigns/{campaign_id}/people")},
    name="campaign_people_remove",
)
async def people_remove(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    role_id: FromPath[int],
) -> Response[Any]:
    await remove_person(db_session, signed_in(request), clock.now(), campaign, role_id)
    return see_other(request, f"/campaigns/{campaign.id}/people", ok=_("Removed from the campaign."))


routes = [
    people,
    people_add,
    people_remove,
]

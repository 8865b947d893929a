"""Campaigns: the list, the campaign page, and the organizer's pages for the campaign itself
(details, publication, closing); its challenges, people and timeline have their own modules:
web/controllers/challenges.py, campaign_people.py and timeline.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from accounts.access import is_platform_lead
from accounts.models import User
from campaigns.access import can_organize, visible_campaign
from campaigns.deadlines import current_phase
from campaigns.lifecycle import (
    CampaignInput,
    close_campaign,
    create_campaign,
    publish_campaign,
    update_campaign,
    visible_campaigns_query,
)
from campaigns.models import Campaign, PhaseKind
from campaigns.publication import publication_blocker
from core.numbers import parse_int
from core.pagination import paginate
from judging.rubric_preview import judging_ahead, rubric_previews
from teams.membership import team_offers
from web.controllers.campaign_views import (
    OrganizedCampaign,
    full_campaign,
    timeline_context,
)
from web.deps import EXECUTIVE, USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import Form, or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused

PAGE_SIZE = 20
CAMPAIGN_PAGE = "/campaigns/{campaign_id}"  # where a refused publish or close goes back to
COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Europe/Istanbul",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
CAMPAIGN_FIELDS = ("title", "description", "timezone", "min_team_size", "max_team_size", "reminder_hours")


# --- form helpers -----------------------------------------------------------------------------


def _campaign_values(form: Form) -> dict[str, Any]:
    return {
        **form.values(*CAMPAIGN_FIELDS),
        "show_judge_names": form.flag("show_judge_names"),
        "show_ranks": form.flag("show_ranks"),
    }


def _campaign_input(values: Mapping[str, Any]) -> CampaignInput:
    return CampaignInput(
        title=values["title"],
        description=values["description"],
        timezone=values["timezone"],
        min_team_size=parse_int(values["min_team_size"]),
        max_team_size=parse_int(values["max_team_size"]),
        show_judge_names=values["show_judge_names"],
        show_ranks=values["show_ranks"],
        reminder_hours=values["reminder_hours"],
    )


def _campaign_values_of(campaign: Campaign) -> dict[str, Any]:
    return {
        "title": campaign.title,
        "description": campaign.description,
        "timezone": campaign.timezone,
        "min_team_size": str(campaign.min_team_size),
        "max_team_size": str(campaign.max_team_size),
        "show_judge_names": campaign.show_judge_names,
        "show_ranks": campaign.show_ranks,
        "reminder_hours": campaign.reminder_hours,
    }


# --- list and campaign page ---------------------------------------------------------------------


@get("/campaigns", opt=USER, name="campaigns")
async def campaign_list(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, page: FromQuery[int] = 1
) -> Template:
    user = signed_in(request)
    stmt = visible_campaigns_query(user).options(selectinload(Campaign.phases))
    result = await paginate(db_session, stmt, number=page, size=PAGE_SIZE)
    now = clock.now()
    current = {c.id: current_phase(list(c.phases), now) for c in result.items}
    offers = await team_offers(db_session, user, result.items, {c.id: c.phases for c in result.items}, now)
    return Template(
        template_name="campaigns/list.html",
        context={
            "page": result,
            "current": current,
            "offers": offers,
            "can_create": is_platform_lead(user),
            "base_url": "/campaigns?",
        },
    )


async def _campaign_page(db: AsyncSession, user: User, campaign_id: int, now: datetime) -> Template:
    await visible_campaign(db, campaign_id, user)
    campaign = await full_campaign(db, campaign_id)
    organizer = await can_organize(db, campaign, user)
    offers = await team_offers(db, user, [campaign], {campaign.id: campaign.phases}, now)
    submissions = sum(1 for p in campaign.phases if p.kind is PhaseKind.SUBMISSION)
    blocker = publication_blocker(len(campaign.challenges), submissions)
    return Template(
        template_name="campaigns/detail.html",
        context={
            **timeline_context(campaign, now, controls=False),
            "organizer": organizer,
            "offer": offers[campaign.id],
            "previews": await rubric_previews(db, judging_ahead(campaign.phases, now)),
            # why "Publish" cannot succeed yet, shown beside the disabled button
            "publish_blocked": _(blocker) if blocker else None,
        },
    )


@get("/campaigns/{campaign_id:int}", opt=USER, name="campaign")
async def campaign_page(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Template:
    return await _campaign_page(db_session, signed_in(request), campaign_id, clock.now())


# --- create and edit ----------------------------------------------------------------------------


def _campaign_form(
    campaign: Campaign | None, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    return Template(
        template_name="campaigns/form.html",
        context={"campaign": campaign, "values": values, "errors": errors, "timezones": COMMON_TIMEZONES},
        status_code=status,
    )


@get("/campaigns/new", opt=EXECUTIVE, name="campaign_new")
async def campaign_new() -> Template:
    defaults = {
        "title": "",
        "description": "",
        "timezone": "UTC",
        "min_team_size": "1",
        "max_team_size": "5",
        "show_judge_names": False,
        "show_ranks": True,
        "reminder_hours": "24,1",
    }
    return _campaign_form(None, defaults, {})


@post("/campaigns", opt=EXECUTIVE, name="campaign_create")
async def campaign_create(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[Any]:
    values = _campaign_values(await read_form(request))
    campaign = await or_form_again(
        request,
        create_campaign(db_session, signed_in(request), clock.now(), _campaign_input(values)),
        lambda errors, status: _campaign_form(None, values, errors, status),
    )
    return see_other(request, f"/campaigns/{campaign.id}", ok=_("Campaign created as a draft."))


@get("/campaigns/{campaign_id:int}/edit", opt=USER, name="campaign_edit")
async def campaign_edit(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign
) -> Template:
    return _campaign_form(campaign, _campaign_values_of(campaign), {})


@post("/campaigns/{campaign_id:int}/edit", opt=USER, name="campaign_update")
async def campaign_update(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    values = _campaign_values(await read_form(request))
    await or_form_again(
        request,
        update_campaign(db_session, signed_in(request), clock.now(), campaign, _campaign_input(values)),
        lambda errors, status: _campaign_form(campaign, values, errors, status),
    )
    return see_other(request, f"/campaigns/{campaign.id}", ok=_("The campaign details are saved."))


@post("/campaigns/{campaign_id:int}/publish", opt={**USER, **refused(CAMPAIGN_PAGE)}, name="campaign_publish")
async def campaign_publish(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    await publish_campaign(db_session, signed_in(request), clock.now(), campaign)
    return see_other(
        request, f"/campaigns/{campaign.id}", ok=_("The campaign is published: everyone eligible can see it now.")
    )


@post("/campaigns/{campaign_id:int}/close", opt={**USER, **refused(CAMPAIGN_PAGE)}, name="campaign_close")
async def campaign_close(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    await close_campaign(db_session, signed_in(request), clock.now(), campaign)
    return see_other(request, f"/campaigns/{campaign.id}", ok=_("The campaign is closed."))


routes = [
    campaign_list,
    campaign_new,
    campaign_create,
    campaign_page,
    campaign_edit,
    campaign_update,
    campaign_publish,
    campaign_close,
]

"""A campaign's challenges, for its organizers: add one, edit one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.challenges import ChallengeInput, add_challenge, update_challenge
from campaigns.models import Campaign, Challenge
from core.errors import N_, NotFound
from web.controllers.campaign_views import OrganizedCampaign
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _

CHALLENGE_FIELDS = ("title", "description", "expected_impact", "resources")


def _challenge_input(values: Mapping[str, Any]) -> ChallengeInput:
    return ChallengeInput(**{name: values[name] for name in CHALLENGE_FIELDS})


# --- loading --------------------------------------------------------------------------------


async def _challenge_of(db: AsyncSession, campaign: Campaign, challenge_id: int) -> Challenge:
    challenge = await db.scalar(
        select(Challenge).where(Challenge.id == challenge_id, Challenge.campaign_id == campaign.id)
    )
    if challenge is None:
        raise NotFound(N_("We could not find that challenge."))
    return challenge


# --- challenges ---------------------------------------------------------------------------------


def _challenge_form(
    campaign: Campaign, challenge: Challenge | None, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    return Template(
        template_name="campaigns/challenge_form.html",
        context={"campaign": campaign, "challenge": challenge, "values": values, "errors": errors},
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/challenges/new", opt=USER, name="challenge_new")
async def challenge_new(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign
) -> Template:
    return _challenge_form(campaign, None, dict.fromkeys(CHALLENGE_FIELDS, ""), {})


@post("/campaigns/{campaign_id:int}/challenges", opt=USER, name="challenge_create")
async def challenge_create(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, clock: AppClock
) -> Response[Any]:
    values = (await read_form(request)).values(*CHALLENGE_FIELDS)
    await or_form_again(
        request,
        add_challenge(db_session, signed_in(request), clock.now(), campaign, _challenge_input(values)),
        lambda errors, status: _challenge_form(campaign, None, values, errors, status),
    )
    return see_other(request, f"/campaigns/{campaign.id}#challenges", ok=_("Challenge added."))


@get("/campaigns/{campaign_id:int}/challenges/{challenge_id:int}/edit", opt=USER, name="challenge_edit")
async def challenge_edit(
    request: Request[Any, Any, Any], db_session: DbSession, campaign: OrganizedCampaign, challenge_id: FromPath[int]
) -> Template:
    challenge = await _challenge_of(db_session, campaign, challenge_id)
    values = {name: getattr(challenge, name) for name in CHALLENGE_FIELDS}
    return _challenge_form(campaign, challenge, values, {})


@post("/campaigns/{campaign_id:int}/challenges/{challenge_id:int}/edit", opt=USER, name="challenge_update")
async def challenge_update(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    challenge_id: FromPath[int],
) -> Response[Any]:
    challenge = await _challenge_of(db_session, campaign, challenge_id)
    values = (await read_form(request)).values(*CHALLENGE_FIELDS)
    await or_form_again(
        request,
        update_challenge(db_session, signed_in(request), clock.now(), campaign, challenge, _challenge_input(values)),
        lambda errors, status: _challenge_form(campaign, challenge, values, errors, status),
    )
    return see_other(request, f"/campaigns/{campaign.id}#challenges", ok=_("Challenge saved."))


routes = [
    challenge_new,
    challenge_create,
    challenge_edit,
    challenge_update,
]

"""Teams: forming a team, its page, invitations (the team's and the invitee's side)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import visible_campaign
from campaigns.models import Campaign, Challenge
from core.errors import DomainError, ValidationFailed
from core.numbers import parse_int
from teams.invitations import decline_invitation, invite, pending_invitations_for, revoke_invitation
from teams.join_requests import requests_of_person
from teams.membership import DissolveNotConfirmed, accept_invitation, create_team, creation_blocker, leave_team
from teams.models import Team
from teams.scope import team_of_user
from web.controllers.team_page import team_context
from web.controllers.team_views import LIMITS
from web.deps import USER, AppClock, DbSession, form_value, signed_in
from web.flash import is_htmx, see_other
from web.i18n import gettext as _
from web.messages import error_message, error_messages


def _field_error(exc: DomainError) -> bool:
    """A refusal about what was typed (shown beside the field, the form again), not about the state of things."""
    return isinstance(exc, ValidationFailed) or exc.field is not None


# --- creating a team ------------------------------------------------------------------------------


async def _challenges(db: AsyncSession, campaign: Campaign) -> list[Challenge]:
    rows = await db.scalars(
        select(Challenge).where(Challenge.campaign_id == campaign.id).order_by(Challenge.position, Challenge.id)
    )
    return list(rows.all())


async def _team_form(
    db: AsyncSession,
    campaign: Campaign,
    values: dict[str, str],
    errors: dict[str, str],
    blocker: str | None = None,
    status: int = 200,
    my_team: Team | None = None,
) -> Template:
    return Template(
        template_name="teams/new.html",
        context={
            "campaign": campaign,
            "challenges": await _challenges(db, campaign),
            "values": values,
            "errors": errors,
            "blocker": blocker,
            "my_team": my_team,
            "limits": LIMITS,
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/teams/new", opt=USER, name="team_new")
async def team_new(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    challenge: FromQuery[int | None] = None,
) -> Template:
    user = signed_in(request)
    campaign = await visible_campaign(db_session, campaign_id, user)
    blocker = await creation_blocker(db_session, user, campaign, clock.now())
    values = {"name": "", "challenge_id": str(challenge or "")}
    if blocker is None:
        return await _team_form(db_session, campaign, values, {})
    # refused as the form's POST would be, with the reason and, for a member, their team
    my_team = await team_of_user(db_session, campaign.id, user)
    return await _team_form(
        db_session, campaign, values, {}, error_message(blocker), status=blocker.status_code, my_team=my_team
    )


@post("/campaigns/{campaign_id:int}/teams", opt=USER, name="team_create")
async def team_create(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await visible_campaign(db_session, campaign_id, user)
    form = await request.form()
    values = {"name": form_value(form, "name"), "challenge_id": form_value(form, "challenge_id")}
    try:
        team = await create_team(
            db_session, user, campaign.id, values["name"], parse_int(values["challenge_id"]), clock.now()
        )
    except DomainError as exc:
        if not _field_error(exc):  # already in a team, registration closed: a re-sent form must not create it later
            await db_session.rollback()  # nothing of a refused team stays, whatever was written before the refusal
            return see_other(request, f"/campaigns/{campaign_id}/teams/new", error=error_message(exc))
        return await _team_form(db_session, campaign, values, error_messages(exc), status=exc.status_code)
    return see_other(request, f"/teams/{team.id}", ok=_("Team “%(name)s” created.", name=team.name))


# --- the team's invitations --------------------------------------------------------------------


async def _invitations_answer(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    user: User,
    team_id: int,
    now: datetime,
    *,
    email: str = "",
    errors: dict[str, str] | None = None,
    outcome: str | None = None,
    status: int = 200,
) -> Response[Any]:
    """htmx gets the invitations fragment; a plain form gets the team page (or a redirect when all went well)."""
    if not is_htmx(request) and not errors:
        return see_other(request, f"/teams/{team_id}#invitations", ok=outcome)
    context = await team_context(db, user, team_id, now, invite_email=email, invite_errors=errors)
    template = "teams/_invitations.html" if is_htmx(request) else "teams/detail.html"
    return Template(template_name=template, context=context, status_code=status)


@post("/teams/{team_id:int}/invitations", opt=USER, name="team_invite")
async def team_invite(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    email = form_value(await request.form(), "email")
    try:
        await invite(db_session, user, team_id, email, clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        if not is_htmx(request) and not _field_error(exc):  # the team is full, say: nothing to correct here
            return see_other(request, f"/teams/{team_id}#invitations", error=error_message(exc))
        errors = error_messages(exc)
        if "__all__" in errors:
            errors = {"email": errors["__all__"]}
        return await _invitations_answer(
            request, db_session, user, team_id, clock.now(), email=email, errors=errors, status=exc.status_code
        )
    outcome = _("Invitation sent to %(email)s.", email=email)
    return await _invitations_answer(request, db_session, user, team_id, clock.now(), outcome=outcome)


@post("/teams/{team_id:int}/invitations/{invitation_id:int}/revoke", opt=USER, name="team_invitation_revoke")
async def team_invitation_revoke(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    team_id: FromPath[int],
    invitation_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    try:
        await revoke_invitation(db_session, user, team_id, invitation_id, clock.now())
    except DomainError as exc:
        if exc.status_code == 404 or is_htmx(request):
            raise
        return see_other(request, f"/teams/{team_id}#invitations", error=error_message(exc))
    outcome = _("The invitation is withdrawn.")
    return await _invitations_answer(request, db_session, user, team_id, clock.now(), outcome=outcome)


@post("/teams/{team_id:int}/leave", opt=USER, name="team_leave")
async def team_leave(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    dissolve = form_value(await request.form(), "dissolve") == "1"
    try:
        team = await leave_team(db_session, user, team_id, clock.now(), dissolve=dissolve)
    except DissolveNotConfirmed:
        return see_other(request, f"/teams/{team_id}/leave")
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return see_other(request, f"/teams/{team_id}", error=error_message(exc))
    left = _("You have left the team.")
    return see_other(request, "/" if team is None else f"/campaigns/{team.campaign_id}", ok=left)


# --- the invitee's side ---------------------------------------------------------------------------


async def _invitations_page(db: AsyncSession, user: User) -> Template:
    return Template(
        template_name="teams/invitations.html",
        context={"pending": await pending_invitations_for(db, user), "requests": await requests_of_person(db, user)},
    )


@get("/invitations", opt=USER, name="invitations")
async def invitations(request: Request[Any, Any, Any], db_session: DbSession) -> Template:
    return await _invitations_page(db_session, signed_in(request))


@post("/invitations/{invitation_id:int}/accept", opt=USER, name="invitation_accept")
async def invitation_accept(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, invitation_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    try:
        team = await accept_invitation(db_session, user, invitation_id, clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        await db_session.rollback()
        return see_other(request, "/invitations", error=error_message(exc))
    return see_other(request, f"/teams/{team.id}", ok=_("You have joined “%(name)s”.", name=team.name))


@post("/invitations/{invitation_id:int}/decline", opt=USER, name="invitation_decline")
async def invitation_decline(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, invitation_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    try:
        await decline_invitation(db_session, user, invitation_id, clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return see_other(request, "/invitations", error=error_message(exc))
    return see_other(request, "/invitations", ok=_("Invitation declined."))


routes = [
    team_new,
    team_create,
    team_invite,
    team_invitation_revoke,
    team_leave,
    invitations,
    invitation_accept,
    invitation_decline,
]

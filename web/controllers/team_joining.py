"""Requests to join a team: the page to ask from, the captain's answer, the person's withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.errors import N_
from teams.board import member_counts_of, team_needs
from teams.join_requests import (
    ask_to_join,
    decide_request,
    joinable_team,
    open_request,
    request_blocker,
    withdraw_request,
)
from teams.scope import team_of_user
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused


async def _join_page(
    db: AsyncSession,
    user: User,
    team_id: int,
    now: datetime,
    *,
    message: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    found = await joinable_team(db, user, team_id)
    blocker = await request_blocker(db, user, found, now)
    return Template(
        template_name="teams/join.html",
        context={
            "team": found.team,
            "campaign": found.campaign,
            "needs": (await team_needs(db, [team_id]))[team_id],
            "size": (await member_counts_of(db, [team_id])).get(team_id, 0),
            "pending": await open_request(db, user.id, team_id),
            "my_team": await team_of_user(db, found.campaign.id, user),
            "blocker": _(blocker) if blocker else None,
            "message": message,
            "errors": errors or {},
        },
        status_code=status,
    )


@get("/teams/{team_id:int}/join", opt=USER, name="team_join")
async def team_join(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Template:
    return await _join_page(db_session, signed_in(request), team_id, clock.now())


@post("/teams/{team_id:int}/join-requests", opt=USER, name="join_request_create")
async def join_request_create(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    message = (await read_form(request)).text("message")
    await or_form_again(
        request,
        ask_to_join(db_session, user, team_id, message, clock.now()),
        lambda errors, status: _join_page(
            db_session, user, team_id, clock.now(), message=message, errors=errors, status=status
        ),
    )
    return see_other(request, "/invitations", ok=_("Your request is sent: the captain will answer it."))


_ANSWERED = {
    True: N_("Request accepted: the person is in the team now."),
    False: N_("Request declined: the person is told."),
}


async def _decide(
    request: Request[Any, Any, Any], db: AsyncSession, now: datetime, team_id: int, request_id: int, accept: bool
) -> Response[Any]:
    await decide_request(db, signed_in(request), team_id, request_id, accept, now)
    return see_other(request, f"/teams/{team_id}#requests", ok=_(_ANSWERED[accept]))


@post(
    "/teams/{team_id:int}/join-requests/{request_id:int}/accept",
    opt={**USER, **refused("/teams/{team_id}#requests")},
    name="join_request_accept",
)
async def join_request_accept(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    team_id: FromPath[int],
    request_id: FromPath[int],
) -> Response[Any]:
    return await _decide(request, db_session, clock.now(), team_id, request_id, True)


@post(
    "/teams/{team_id:int}/join-requests/{request_id:int}/decline",
    opt={**USER, **refused("/teams/{team_id}#requests")},
    name="join_request_decline",
)
async def join_request_decline(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    team_id: FromPath[int],
    request_id: FromPath[int],
) -> Response[Any]:
    return await _decide(request, db_session, clock.now(), team_id, request_id, False)


@post("/join-requests/{request_id:int}/withdraw", opt={**USER, **refused("/invitations")}, name="join_request_withdraw")
async def join_request_withdraw(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, request_id: FromPath[int]
) -> Response[Any]:
    await withdraw_request(db_session, signed_in(request), request_id, clock.now())
    return see_other(request, "/invitations", ok=_("Your request is withdrawn."))


routes = [team_join, join_request_create, join_request_accept, join_request_decline, join_request_withdraw]

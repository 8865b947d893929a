"""The team board of a campaign: browse people and teams, list oneself, see suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Department, User
from campaigns.access import visible_campaign
from campaigns.models import Campaign
from core.numbers import parse_int
from teams.board import (
    BoardFilter,
    list_myself,
    member_counts_of,
    own_listing,
    seekers_page,
    skill_suggestions,
    team_needs,
    teams_for,
    teams_page,
    unlist_myself,
)
from teams.rules import NOT_ELIGIBLE, team_window_error
from teams.scope import campaign_phases, is_eligible, team_of_user
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _

BOARD_PAGE_SIZE = 24
SHOWS = ("people", "teams")


def _board_filter(skill: str | None, department: str | None, q: str | None) -> BoardFilter:
    return BoardFilter(skill=(skill or "")[:100], department_id=parse_int(department or ""), q=(q or "")[:100])


async def _board(
    db: AsyncSession,
    user: User,
    campaign: Campaign,
    now: datetime,
    *,
    show: str = "people",
    wanted: BoardFilter | None = None,
    page: int = 1,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    wanted = wanted or BoardFilter()
    show = show if show in SHOWS else "people"
    closed = team_window_error(campaign, await campaign_phases(db, campaign.id), now)
    my_team = await team_of_user(db, campaign.id, user)
    eligible = await is_eligible(db, campaign, user)
    listing = await own_listing(db, campaign.id, user)
    context: dict[str, Any] = {
        "campaign": campaign,
        "closed": _(closed) if closed else None,
        "my_team": my_team,
        "listing": listing,
        "can_list": closed is None and eligible and my_team is None,
        "not_eligible": _(NOT_ELIGIBLE) if not eligible else None,
        "show": show,
        "wanted": wanted,
        "departments": list((await db.scalars(select(Department).order_by(Department.name, Department.id))).all()),
        "skills": await skill_suggestions(db, campaign.id),
        "values": values
        or {
            "pitch": listing.pitch if listing else "",
            "skills": ", ".join(s.name for s in listing.skills) if listing else "",
        },
        "errors": errors or {},
        "suggestions": await teams_for(db, campaign, listing) if listing and closed is None else [],
        "base_url": f"/campaigns/{campaign.id}/board?"
        + urlencode({"show": show, "skill": wanted.skill, "department": wanted.department_id or "", "q": wanted.q})
        + "&",
    }
    if closed is None:
        if show == "teams":
            result = await teams_page(db, campaign, wanted, page, BOARD_PAGE_SIZE)
            ids = [team.id for team in result.items]
            context |= {"needs": await team_needs(db, ids), "sizes": await member_counts_of(db, ids)}
        else:
            result = await seekers_page(db, campaign.id, wanted, page, BOARD_PAGE_SIZE)  # type: ignore[assignment]
        context["page"] = result
    return Template(template_name="teams/board.html", context=context, status_code=status)


@get("/campaigns/{campaign_id:int}/board", opt=USER, name="team_board")
async def board(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    show: FromQuery[str] = "people",
    skill: FromQuery[str | None] = None,
    department: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
) -> Template:
    user = signed_in(request)
    campaign = await visible_campaign(db_session, campaign_id, user)
    wanted = _board_filter(skill, department, q)
    return await _board(db_session, user, campaign, clock.now(), show=show, wanted=wanted, page=page)


@post("/campaigns/{campaign_id:int}/board/listing", opt=USER, name="board_listing")
async def board_listing(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await visible_campaign(db_session, campaign_id, user)
    values = (await read_form(request)).values("pitch", "skills")
    await or_form_again(
        request,
        list_myself(db_session, user, campaign, values["pitch"], values["skills"], clock.now()),
        lambda errors, status: _board(
            db_session, user, campaign, clock.now(), values=values, errors=errors, status=status
        ),
    )
    path = f"/campaigns/{campaign.id}/board"
    return see_other(request, path, ok=_("You are on the board: teams looking for your skills can find you."))


@post("/campaigns/{campaign_id:int}/board/listing/delete", opt=USER, name="board_unlist")
async def board_unlist(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await visible_campaign(db_session, campaign_id, user)
    removed = await unlist_myself(db_session, user, campaign.id)
    path = f"/campaigns/{campaign.id}/board"
    if not removed:
        return see_other(request, path, info=_("You were not on the board."))
    return see_other(request, path, ok=_("You are off the board."))


routes = [board, board_listing, board_unlist]

"""A team's page and what its members change there: the skills it looks for, the captain role,
leaving (with the confirmation of the last member)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.models import PhaseKind
from teams.attachments import entry_attachments, submitted_attachments
from teams.board import people_for, set_team_needs, skill_suggestions, team_needs
from teams.captaincy import hand_over_captaincy
from teams.join_requests import pending_requests_of_team
from teams.models import Entry, Invitation, InvitationStatus, Membership, Team
from teams.rules import team_window_error
from teams.scope import campaign_phases, member_team, viewable_team
from teams.write_window import entry_phase_of
from web.controllers.team_views import LIMITS
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused


async def team_context(
    db: AsyncSession,
    user: User,
    team_id: int,
    now: datetime,
    *,
    invite_email: str = "",
    invite_errors: dict[str, str] | None = None,
    needs_value: str | None = None,
    team_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The team page: facts, members, invitations and requests to join, the skills it looks for
    with suggested people (for members), and its entry."""
    found, campaign, member = await viewable_team(db, user, team_id)
    team = await db.scalar(
        select(Team)
        .where(Team.id == found.id)
        .options(joinedload(Team.challenge), joinedload(Team.captain))
        .execution_options(populate_existing=True)
    )
    assert team is not None
    memberships = (
        await db.scalars(
            select(Membership)
            .where(Membership.team_id == team.id)
            .options(joinedload(Membership.user))
            .order_by(Membership.id)
        )
    ).all()
    invitations = (
        await db.scalars(
            select(Invitation)
            .where(Invitation.team_id == team.id, Invitation.status == InvitationStatus.PENDING)
            .options(joinedload(Invitation.invitee), joinedload(Invitation.invited_by))
            .order_by(Invitation.id)
        )
    ).all()
    phases = await campaign_phases(db, campaign.id)
    window_error = team_window_error(campaign, phases, now)
    entry: Entry | None = None
    phase = None
    if any(p.kind is PhaseKind.SUBMISSION for p in phases):
        phase = await entry_phase_of(db, team, None, now)
        entry = await db.scalar(select(Entry).where(Entry.team_id == team.id, Entry.phase_id == phase.id))
    needs = (await team_needs(db, [team.id]))[team.id]
    board_open = member and window_error is None
    return {
        "needs": needs,
        "needs_value": needs_value if needs_value is not None else ", ".join(need.name for need in needs),
        "team_errors": team_errors or {},
        "requests": await pending_requests_of_team(db, team.id) if member else [],
        "suggested_people": await people_for(db, team) if board_open else [],
        "skills": await skill_suggestions(db, campaign.id) if board_open else [],
        # the team works on its own files; others see those of the version submitted in time
        "attachments": await (entry_attachments if member else submitted_attachments)(db, entry.id if entry else None),
        "team": team,
        "campaign": campaign,
        "member": member,
        "is_captain": team.captain_id == user.id,
        "memberships": memberships,
        "invitations": invitations,
        "can_change": member and window_error is None,
        "window_error": _(window_error) if window_error and member else None,
        "phase": phase,
        "entry": entry,
        "invite_email": invite_email,
        "invite_errors": invite_errors or {},
        "limits": LIMITS,
    }


@get("/teams/{team_id:int}", opt=USER, name="team_page")
async def team_page(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Template:
    context = await team_context(db_session, signed_in(request), team_id, clock.now())
    return Template(template_name="teams/detail.html", context=context)


@post("/teams/{team_id:int}/needs", opt=USER, name="team_needs")
async def team_needs_save(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    value = (await read_form(request)).text("needs")

    async def again(errors: dict[str, str], status: int) -> Template:
        context = await team_context(db_session, user, team_id, clock.now(), team_errors=errors, needs_value=value)
        return Template(template_name="teams/detail.html", context=context, status_code=status)

    await or_form_again(request, set_team_needs(db_session, user, team_id, value, clock.now()), again)
    return see_other(request, f"/teams/{team_id}#needs", ok=_("The skills your team looks for are saved."))


@post("/teams/{team_id:int}/captain", opt={**USER, **refused("/teams/{team_id}")}, name="team_captain")
async def team_captain(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Response[Any]:
    chosen = (await read_form(request)).number("captain_id")
    team = await hand_over_captaincy(db_session, signed_in(request), team_id, chosen, clock.now())
    name = await db_session.scalar(select(User.name).where(User.id == team.captain_id))
    return see_other(request, f"/teams/{team_id}", ok=_("%(name)s is the captain now.", name=name or ""))


@get("/teams/{team_id:int}/leave", opt=USER, name="team_leave_confirm")
async def team_leave_confirm(
    request: Request[Any, Any, Any], db_session: DbSession, team_id: FromPath[int]
) -> Template:
    """What leaving means for the last member, with the button that confirms it."""
    team = await member_team(db_session, signed_in(request), team_id)
    has_entry = await db_session.scalar(select(Entry.id).where(Entry.team_id == team.id).limit(1))
    return Template(template_name="teams/leave.html", context={"team": team, "has_entry": has_entry is not None})


routes = [team_page, team_needs_save, team_captain, team_leave_confirm]

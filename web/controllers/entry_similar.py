"""The "similar ideas" panel of a team's entry page, loaded by htmx after the page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select

from teams.models import Entry
from teams.scope import member_team
from teams.similar_entries import similar_to_entry
from web.deps import USER, DbSession, signed_in


@get("/teams/{team_id:int}/entry/similar", opt=USER, name="entry_similar")
async def entry_similar(
    request: Request[Any, Any, Any], db_session: DbSession, team_id: FromPath[int], phase: FromQuery[int | None] = None
) -> Template:
    """The "similar ideas" panel of the entry page (loaded by htmx): other teams' submitted
    entries that read like the team's working copy of this phase's entry."""
    user = signed_in(request)
    team = await member_team(db_session, user, team_id)
    stmt = select(Entry).where(Entry.team_id == team.id)
    stmt = stmt.where(Entry.phase_id == phase) if phase is not None else stmt.order_by(Entry.id.desc()).limit(1)
    entry = await db_session.scalar(stmt)
    return Template(
        template_name="teams/_similar.html",
        context={"similar": await similar_to_entry(db_session, user, team, entry), "entry": entry},
    )


routes = [entry_similar]

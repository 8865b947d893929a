"""What a team sees of its results: nothing before publication; afterwards its awards, rank,
score, criterion means against the field and the judges' feedback (never private notes).
Who sees what is ``judging.result_views``'s."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from judging import result_views
from web.deps import USER, DbSession, signed_in


@get("/teams/{team_id:int}/result", opt=USER, name="team_result")
async def team_result(request: Request[Any, Any, Any], db_session: DbSession, team_id: FromPath[int]) -> Template:
    result = await result_views.team_result(db_session, signed_in(request), team_id)
    return Template(template_name="results/team.html", context=vars(result))


routes = [team_result]

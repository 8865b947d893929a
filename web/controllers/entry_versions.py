"""The entry's versions: opening one, comparing two, restoring an old one as a new draft.

Members of the team only (``teams.versions``): anyone else, and any version that does not exist,
gets 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.numbers import parse_int
from teams.rules import ENTRY_FIELD_NAMES
from teams.versions import compare_versions, latest_number, member_entry, restore_version, saved_version
from web.deps import USER, AppClock, DbSession, form_value, signed_in
from web.flash import see_other
from web.i18n import gettext as _
from web.refusals import back_to, refused


def _entry_url(team_id: int, phase_id: int) -> str:
    return f"/teams/{team_id}/entry?phase={phase_id}#versions"


@get("/teams/{team_id:int}/entry/versions/{number:int}", opt=USER, name="entry_version")
async def entry_version(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    team_id: FromPath[int],
    number: FromPath[int],
    phase: FromQuery[int | None] = None,
) -> Template:
    """One saved version, read only: its fields, who saved it and when."""
    scope = await member_entry(db_session, signed_in(request), team_id, phase, clock.now())
    saved = await saved_version(db_session, scope.entry.id, number)
    return Template(
        template_name="teams/version.html",
        context={
            "team": scope.team,
            "campaign": scope.campaign,
            "phase": scope.phase,
            "entry": scope.entry,
            "version": saved.version,
            "author": saved.author,
            "latest": await latest_number(db_session, scope.entry.id),
            "field_names": ENTRY_FIELD_NAMES,
        },
    )


@get("/teams/{team_id:int}/entry/compare", opt=USER, name="entry_compare")
async def entry_compare(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    team_id: FromPath[int],
    phase: FromQuery[int | None] = None,
    old: FromQuery[int | None] = None,
    new: FromQuery[int | None] = None,
) -> Template:
    """Two versions side by side, field by field (by default the newest against the one before)."""
    scope = await member_entry(db_session, signed_in(request), team_id, phase, clock.now())
    latest = await latest_number(db_session, scope.entry.id)
    new_number = new if new is not None else latest
    old_number = old if old is not None else max(new_number - 1, 1)
    comparison = await compare_versions(db_session, scope.entry.id, old_number, new_number)
    return Template(
        template_name="teams/compare.html",
        context={
            "team": scope.team,
            "campaign": scope.campaign,
            "phase": scope.phase,
            "comparison": comparison,
            "latest": latest,
            "compare_old": old_number,
            "compare_new": new_number,
        },
    )


@post(
    "/teams/{team_id:int}/entry/versions/{number:int}/restore",
    opt={**USER, **refused("/teams/{team_id}/entry")},
    name="entry_restore",
)
async def entry_restore(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    team_id: FromPath[int],
    number: FromPath[int],
) -> Response[Any]:
    """Saves an old version's text as a new draft (refused as saving a draft would be)."""
    form = await request.form()
    phase_id = parse_int(form_value(form, "phase_id"))
    back_to(request, f"/teams/{team_id}/entry" + (f"?phase={phase_id}" if phase_id is not None else ""))
    restored = await restore_version(db_session, signed_in(request), team_id, phase_id, number, clock.now())
    page = _entry_url(team_id, restored.phase_id)
    if not restored.added:
        message = _("Version %(n)s has the same text as the newest version: nothing to restore.", n=number)
        return see_other(request, page, info=message)
    message = _("Version %(old)s is restored as a new draft, version %(n)s.", old=number, n=restored.version.number)
    return see_other(request, page, ok=message)


routes = [entry_version, entry_compare, entry_restore]

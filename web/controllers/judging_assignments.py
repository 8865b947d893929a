"""The organizer's assignment page: judges assigned by hand (added, removed) and automatically.

Every route resolves the campaign in the organizer's scope first: anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Campaign, Phase
from core.errors import NotFound
from core.numbers import parse_int
from core.pagination import paginate
from judging.assign_by_hand import assign_judge, assignable_entries_query, assignment_board, judge_loads, unassign_judge
from judging.assigning import AutoAssignResult, auto_assign
from judging.phases import ENTRY_NOT_FOUND
from judging.progress import short_entries
from teams.models import Entry
from web.controllers.judging_views import Organized
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import read_form
from web.i18n import gettext as _
from web.refusals import back_to, refused

ENTRIES_PAGE_SIZE = 20


def _assignments_path(campaign: Campaign, phase: Phase) -> str:
    return f"/campaigns/{campaign.id}/phases/{phase.id}/assignments"


# --- assignment by hand -----------------------------------------------------------------------


async def _assignments_page(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    page: int,
    *,
    entry_errors: dict[int, str] | None = None,
    seed_error: str | None = None,
    seed: str = "1",
    status: int = 200,
    choose: int | None = None,
) -> Template:
    result = await paginate(db, assignable_entries_query(phase), number=page, size=ENTRIES_PAGE_SIZE)
    board = await assignment_board(db, phase, result.items)
    loads = await judge_loads(db, phase.id)
    base = f"/campaigns/{campaign.id}/phases/{phase.id}/assignments"
    return Template(
        template_name="judging/assignments.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "page": result,
            "board": board,
            "base_url": base + "?",
            "action": base,
            "entry_errors": entry_errors or {},
            "seed_error": seed_error,
            "seed": seed,
            "choose": choose,
            "loads": loads,
            "short": await short_entries(db, phase),
            "load_spread": (max(loads.get(j.id, 0) for j in board.pool) - min(loads.get(j.id, 0) for j in board.pool))
            if board.pool
            else 0,
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments", opt=USER, name="judging_assignments")
async def assignments_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    page: FromQuery[int] = 1,
    seed: FromQuery[int] = 1,
    choose: FromQuery[int | None] = None,
) -> Template:
    campaign, phase = organized.campaign, organized.phase
    return await _assignments_page(db_session, campaign, phase, page, seed=str(seed), choose=choose)


@get(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments/entries/{entry_id:int}/choose",
    opt=USER,
    name="judging_assignment_choose",
)
async def assignment_choose(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    entry_id: FromPath[int],
    page: FromQuery[int] = 1,
) -> Template:
    """htmx: the judges one entry can be given (the page lists them for no entry until asked: the pool is long)."""
    campaign, phase = organized.campaign, organized.phase
    entry = await db_session.scalar(assignable_entries_query(phase).where(Entry.id == entry_id))
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    return Template(
        template_name="judging/_add_judge_choice.html",
        context={
            "entry": entry,
            "board": await assignment_board(db_session, phase, [entry]),
            "action": _assignments_path(campaign, phase),
            "page_number": max(1, page),
        },
    )


# a refused change goes back to the assignments (at the page and entry it was made on: ``back_to``)
REFUSED_TO_ASSIGNMENTS = {**USER, **refused("/campaigns/{campaign_id}/phases/{phase_id}/assignments")}


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments",
    opt=REFUSED_TO_ASSIGNMENTS,
    name="judging_assignment_add",
)
async def assignment_add(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    form = await read_form(request)
    entry_id, judge_id, page = form.number("entry_id"), form.number("judge_id"), form.page()
    if entry_id is None:
        raise NotFound(ENTRY_NOT_FOUND)
    path = f"{_assignments_path(campaign, phase)}?page={page}#entry-{entry_id}"
    back_to(request, path)  # a conflict of interest, say: a re-sent form must not assign later
    await assign_judge(db_session, user, clock.now(), phase, entry_id, judge_id)
    return see_other(request, path, ok=_("Judge assigned."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments/{assignment_id:int}/delete",
    opt=REFUSED_TO_ASSIGNMENTS,
    name="judging_assignment_remove",
)
async def assignment_remove(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    assignment_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    page = (await read_form(request)).page()
    path = f"{_assignments_path(campaign, phase)}?page={page}"
    back_to(request, path)
    await unassign_judge(db_session, user, clock.now(), phase, assignment_id)
    return see_other(request, path, ok=_("Assignment removed."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments/auto",
    opt=USER,
    name="judging_assignment_auto",
)
async def assignment_auto(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    raw_seed = (await read_form(request)).text("seed")
    seed = parse_int(raw_seed)
    if seed is None or not 0 <= seed <= 2**31:
        return await _assignments_page(
            db_session,
            campaign,
            phase,
            1,
            seed_error=_("Enter the seed as a whole number from 0 to 2147483648."),
            seed=raw_seed,
            status=422,
        )
    result = await auto_assign(db_session, user, clock.now(), phase, seed)
    return see_other(request, f"{_assignments_path(campaign, phase)}?seed={seed}", **_auto_outcome(result, phase))


def _auto_outcome(result: AutoAssignResult, phase: Phase) -> dict[str, str]:
    """The flash messages of an automatic assignment: what changed, and whether entries lack judges."""
    done = _(
        "Automatic assignment done: %(added)s assignments added, %(removed)s replaced, %(kept)s kept "
        "(made by hand or with a started scorecard).",
        added=result.added,
        removed=result.removed,
        kept=result.kept,
    )
    if not result.plan.short:
        return {"ok": f"{done} {_('Every entry has %(k)s judges.', k=phase.required_judges)}"}
    short = _(
        "%(entries)s entries could not get %(k)s judges: %(missing)s judges are missing in all. Invite more "
        "judges, lift challenge limits or lower the number of judges per entry.",
        entries=len(result.plan.short),
        k=phase.required_judges,
        missing=result.plan.missing,
    )
    return {"ok": done, "error": short}


routes = [
    assignment_auto,
    assignments_page,
    assignment_choose,
    assignment_add,
    assignment_remove,
]

"""Judging progress for organizers: the progress page and reminders to the judges with unfinished
scorecards.

Every route resolves the campaign in the organizer's scope first: anyone else gets 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.access import is_judge_of
from campaigns.deadlines import accepts_writes
from campaigns.models import Campaign, Phase
from core.errors import N_, NotFound
from judging.progress import entry_progress, judge_progress, short_entries
from notifications.audiences import judges_with_unfinished
from notifications.reminders import remind_judges
from web.controllers.judging_assignments import ENTRIES_PAGE_SIZE
from web.controllers.judging_views import BASE, Organized, phase_path
from web.deps import USER, AppClock, DbSession
from web.flash import is_htmx, see_other
from web.i18n import gettext as _
from web.i18n import ngettext

NOT_OPEN = N_("Judging is not open, so there is nothing to remind judges of.")


# --- progress and reminders -------------------------------------------------------------------


async def _progress_page(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    now: datetime,
    *,
    judges_page: int = 1,
    entries_page: int = 1,
) -> Template:
    return Template(
        template_name="judging/progress.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "judges": await judge_progress(db, phase, page=judges_page),
            "entries": await entry_progress(db, phase, page=entries_page),
            "short": await short_entries(db, phase),
            "assignments_page_size": ENTRIES_PAGE_SIZE,
            "open": accepts_writes(phase, now),
            # why "Remind every judge" cannot succeed now, shown beside the disabled button
            "remind_blocked": None if accepts_writes(phase, now) else _(NOT_OPEN),
            "base": phase_path(campaign, phase),
        },
    )


@get(f"{BASE}/progress", opt=USER, name="judging_progress")
async def progress_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    judges_page: FromQuery[int] = 1,
    entries_page: FromQuery[int] = 1,
) -> Template:
    campaign, phase = organized.campaign, organized.phase
    return await _progress_page(
        db_session, campaign, phase, clock.now(), judges_page=max(1, judges_page), entries_page=max(1, entries_page)
    )


@post(f"{BASE}/progress/remind", opt=USER, name="judging_remind_all")
async def remind_all(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    campaign, phase = organized.campaign, organized.phase
    now = clock.now()
    path = f"{phase_path(campaign, phase)}/progress"
    if not accepts_writes(phase, now):
        return see_other(request, path, error=_(NOT_OPEN))
    judges = await judges_with_unfinished(db_session, phase.id)
    await remind_judges(db_session, now, campaign, phase, judges)
    sent = ngettext("Reminder sent to %(num)s judge.", "Reminders sent to %(num)s judges.", len(judges))
    return see_other(request, path, ok=sent)


@post(f"{BASE}/progress/remind/{{judge_id:int}}", opt=USER, name="judging_remind_judge")
async def remind_judge(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    judge_id: FromPath[int],
) -> Response[Any]:
    campaign, phase = organized.campaign, organized.phase
    now = clock.now()
    if not await is_judge_of(db_session, campaign.id, judge_id):
        raise NotFound(N_("We could not find that judge."))
    path = f"{phase_path(campaign, phase)}/progress#judge-{judge_id}"
    if not accepts_writes(phase, now):
        if is_htmx(request):
            context = {"status": 409, "message": _(NOT_OPEN)}
            return Template(template_name="_partials/error.html", context=context, status_code=409)
        return see_other(request, path, error=_(NOT_OPEN))
    unfinished = (await judges_with_unfinished(db_session, phase.id)).get(judge_id, 0)
    if unfinished:
        await remind_judges(db_session, now, campaign, phase, {judge_id: unfinished})
    if not is_htmx(request):
        if not unfinished:
            return see_other(request, path, info=_("Nothing to remind: every scorecard is final."))
        return see_other(
            request, path, ok=ngettext("Reminder sent to %(num)s judge.", "Reminders sent to %(num)s judges.", 1)
        )
    return Template(
        template_name="judging/_reminder.html",
        context={"sent": bool(unfinished), "unfinished": unfinished},
    )


routes = [
    progress_page,
    remind_all,
    remind_judge,
]

"""Judging data for organizers: scorecard import, exports, progress with reminders, rubric copy.

Every route resolves the campaign in the organizer's scope first: anyone else gets 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import organized_campaign
from campaigns.deadlines import accepts_writes
from campaigns.models import Campaign, CampaignRole, CampaignRoleKind, Phase
from core.errors import N_, DomainError, NotFound
from core.numbers import parse_int
from judging import exports, sheets
from judging.importing import import_scorecards
from judging.phases import judging_phase
from judging.progress import entry_progress, judge_progress, phase_card_rows, short_entries
from judging.ranking import phase_ranking
from judging.rubric import rubric, rubric_locked
from judging.rubric_copy import copy_rubric, copy_sources
from notifications.audiences import judges_with_unfinished
from notifications.models import NotificationKind
from notifications.services import notify
from web.controllers.judging import ENTRIES_PAGE_SIZE
from web.deps import USER, AppClock, DbSession, form_value, signed_in
from web.errors import is_htmx
from web.flash import see_other
from web.i18n import gettext as _
from web.i18n import ngettext

# Litestar adds "; charset=utf-8" to every text/* type: naming it here would send it twice
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BASE = "/campaigns/{campaign_id:int}/phases/{phase_id:int}"
NOT_OPEN = N_("Judging is not open, so there is nothing to remind judges of.")


async def _organized_phase(db: AsyncSession, user: User, campaign_id: int, phase_id: int) -> tuple[Campaign, Phase]:
    campaign = await organized_campaign(db, campaign_id, user)
    return campaign, await judging_phase(db, campaign, phase_id)


def _base(campaign: Campaign, phase: Phase) -> str:
    return f"/campaigns/{campaign.id}/phases/{phase.id}"


def _attachment(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _filename(campaign: Campaign, phase: Phase, what: str, ext: str) -> str:
    return f"kaizen-campaign{campaign.id}-phase{phase.id}-{what}.{ext}"


# --- import -----------------------------------------------------------------------------------


def _sheet_errors(errors: list[sheets.SheetError]) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, _(e.message, **e.params)) for e in sorted(errors, key=lambda e: e.row)]


async def _import_page(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    *,
    message: str = "",
    errors: list[tuple[int, str, str]] | None = None,
    replace: bool = False,
    status: int = 200,
) -> Template:
    criteria = await rubric(db, phase.id)
    columns = [sheets.RubricColumn(c.id, c.name, c.scale_min, c.scale_max) for c in criteria]
    return Template(
        template_name="judging/import.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "criteria": criteria,
            "header": sheets.template_header(columns),
            "message": message,
            "row_errors": errors or [],
            "replace": replace,
            "max_mb": sheets.MAX_BYTES // (1024 * 1024),
            "max_rows": sheets.MAX_ROWS,
        },
        status_code=status,
    )


@get(f"{BASE}/import", opt=USER, name="judging_import_form")
async def import_form(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Template:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    return await _import_page(db_session, campaign, phase)


async def _template_table(db: AsyncSession, phase: Phase) -> exports.Table:
    columns = [sheets.RubricColumn(c.id, c.name, c.scale_min, c.scale_max) for c in await rubric(db, phase.id)]
    return exports.Table(header=sheets.template_header(columns), rows=[])


@get(f"{BASE}/import/template.csv", opt=USER, name="judging_import_template_csv")
async def template_csv(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> Response[bytes]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    table = await _template_table(db_session, phase)
    return _attachment(exports.to_csv(table), CSV, _filename(campaign, phase, "scorecards-template", "csv"))


@get(f"{BASE}/import/template.xlsx", opt=USER, name="judging_import_template_xlsx")
async def template_xlsx(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> Response[bytes]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    table = await _template_table(db_session, phase)
    return _attachment(
        exports.to_xlsx(table, "Scorecards"), XLSX, _filename(campaign, phase, "scorecards-template", "xlsx")
    )


@post(f"{BASE}/import", opt=USER, name="judging_import")
async def import_upload(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    """A CSV or Excel sheet of scorecards; every row or none."""
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    form = await request.form()
    replace = bool(form_value(form, "replace"))
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        message = _("Choose a CSV or Excel file to import.")
        return await _import_page(db_session, campaign, phase, message=message, replace=replace, status=422)
    data = await upload.read(sheets.MAX_BYTES + 1)
    try:
        report = await import_scorecards(db_session, user, clock.now(), phase, data, replace=replace)
    except sheets.SheetInvalid as exc:
        status = 413 if len(data) > sheets.MAX_BYTES else 422
        return await _import_page(
            db_session,
            campaign,
            phase,
            message=_(exc.message),
            errors=_sheet_errors(exc.errors),
            replace=replace,
            status=status,
        )
    except NotFound:
        raise
    except DomainError as exc:  # the phase, not the sheet (judging closed, say): a re-sent form must not import later
        return see_other(request, f"{_base(campaign, phase)}/import", error=_(exc.message, **exc.params))
    count = report.created + report.replaced
    done = _("%(count)s scorecards imported (%(replaced)s replaced).", count=count, replaced=report.replaced)
    return see_other(request, f"{_base(campaign, phase)}/import", ok=done)


# --- exports ----------------------------------------------------------------------------------


async def _results(db: AsyncSession, phase: Phase) -> exports.Table:
    return exports.results_table(await phase_ranking(db, phase))  # within the phase's own ranking scope


async def _scorecards(db: AsyncSession, phase: Phase) -> exports.Table:
    criteria = [exports.CriterionColumn(c.id, c.name) for c in await rubric(db, phase.id)]
    return exports.scorecards_table(criteria, await phase_card_rows(db, phase))


@get(f"{BASE}/export/results.csv", opt=USER, name="judging_export_results_csv")
async def export_results_csv(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> Response[bytes]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    table = await _results(db_session, phase)
    return _attachment(exports.to_csv(table), CSV, _filename(campaign, phase, "results", "csv"))


@get(f"{BASE}/export/results.xlsx", opt=USER, name="judging_export_results_xlsx")
async def export_results_xlsx(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> Response[bytes]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    table = await _results(db_session, phase)
    return _attachment(exports.to_xlsx(table, "Results"), XLSX, _filename(campaign, phase, "results", "xlsx"))


@get(f"{BASE}/export/scorecards.csv", opt=USER, name="judging_export_scorecards_csv")
async def export_scorecards_csv(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> Response[bytes]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    table = await _scorecards(db_session, phase)
    return _attachment(exports.to_csv(table), CSV, _filename(campaign, phase, "scorecards", "csv"))


@get(f"{BASE}/export/scorecards.xlsx", opt=USER, name="judging_export_scorecards_xlsx")
async def export_scorecards_xlsx(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> Response[bytes]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    table = await _scorecards(db_session, phase)
    return _attachment(exports.to_xlsx(table, "Scorecards"), XLSX, _filename(campaign, phase, "scorecards", "xlsx"))


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
            "base": _base(campaign, phase),
        },
    )


@get(f"{BASE}/progress", opt=USER, name="judging_progress")
async def progress_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    judges_page: FromQuery[int] = 1,
    entries_page: FromQuery[int] = 1,
) -> Template:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    return await _progress_page(
        db_session, campaign, phase, clock.now(), judges_page=max(1, judges_page), entries_page=max(1, entries_page)
    )


async def _remind(db: AsyncSession, campaign: Campaign, phase: Phase, now: datetime, judges: dict[int, int]) -> None:
    hours = max(1, round((phase.closes_at - now).total_seconds() / 3600))
    for judge_id, unfinished in sorted(judges.items()):
        params = {
            "campaign": campaign.title,
            "phase": phase.name,
            "closes_at": phase.closes_at.isoformat(),
            "timezone": campaign.timezone,
            "unfinished": unfinished,
            "hours": hours,
        }
        await notify(
            db, now, [judge_id], NotificationKind.JUDGING_REMINDER, params, link="/judging", campaign_id=campaign.id
        )


@post(f"{BASE}/progress/remind", opt=USER, name="judging_remind_all")
async def remind_all(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    now = clock.now()
    path = f"{_base(campaign, phase)}/progress"
    if not accepts_writes(phase, now):
        return see_other(request, path, error=_(NOT_OPEN))
    judges = await judges_with_unfinished(db_session, phase.id)
    await _remind(db_session, campaign, phase, now, judges)
    sent = ngettext("Reminder sent to %(num)s judge.", "Reminders sent to %(num)s judges.", len(judges))
    return see_other(request, path, ok=sent)


@post(f"{BASE}/progress/remind/{{judge_id:int}}", opt=USER, name="judging_remind_judge")
async def remind_judge(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    judge_id: FromPath[int],
) -> Response[Any]:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    now = clock.now()
    if not await _is_judge(db_session, campaign.id, judge_id):
        raise NotFound(N_("We could not find that judge."))
    path = f"{_base(campaign, phase)}/progress#judge-{judge_id}"
    if not accepts_writes(phase, now):
        if is_htmx(request):
            context = {"status": 409, "message": _(NOT_OPEN)}
            return Template(template_name="_partials/error.html", context=context, status_code=409)
        return see_other(request, path, error=_(NOT_OPEN))
    unfinished = (await judges_with_unfinished(db_session, phase.id)).get(judge_id, 0)
    if unfinished:
        await _remind(db_session, campaign, phase, now, {judge_id: unfinished})
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


async def _is_judge(db: AsyncSession, campaign_id: int, user_id: int) -> bool:
    found = await db.scalar(
        select(
            exists().where(
                CampaignRole.campaign_id == campaign_id,
                CampaignRole.user_id == user_id,
                CampaignRole.role == CampaignRoleKind.JUDGE,
            )
        )
    )
    return bool(found)


# --- rubric copy ------------------------------------------------------------------------------


async def _copy_page(
    db: AsyncSession,
    user: User,
    campaign: Campaign,
    phase: Phase,
    *,
    fragment: bool,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return Template(
        template_name="judging/_copy_rubric.html" if fragment else "judging/copy_rubric.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "sources": await copy_sources(db, user, phase),
            "has_criteria": bool(await rubric(db, phase.id)),
            "locked": await rubric_locked(db, phase.id),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


@get(f"{BASE}/rubric/copy", opt=USER, name="judging_rubric_copy_form")
async def copy_form(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], phase_id: FromPath[int]
) -> Template:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    return await _copy_page(db_session, user, campaign, phase, fragment=is_htmx(request))


@post(f"{BASE}/rubric/copy", opt=USER, name="judging_rubric_copy")
async def copy_post(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    form = await request.form()
    values = {"source": form_value(form, "source"), "replace": form_value(form, "replace")}
    source = parse_int(values["source"])
    try:
        if source is None:
            raise NotFound(N_("Choose a rubric to copy."), field="source")
        await copy_rubric(db_session, user, clock.now(), phase, source, replace=bool(values["replace"]))
    except DomainError as exc:
        errors = {exc.field or "__all__": _(exc.message, **exc.params)}
        status = 422 if exc.status_code == 404 else exc.status_code
        if status != 422 and not is_htmx(
            request
        ):  # the rubric's state, not the form: a re-sent form must not copy later
            return see_other(request, f"{_base(campaign, phase)}/rubric/copy", error=errors.popitem()[1])
        return await _copy_page(
            db_session, user, campaign, phase, fragment=is_htmx(request), errors=errors, values=values, status=status
        )
    return see_other(request, f"{_base(campaign, phase)}/rubric", ok=_("The rubric was copied."))


routes = [
    import_form,
    template_csv,
    template_xlsx,
    import_upload,
    export_results_csv,
    export_results_xlsx,
    export_scorecards_csv,
    export_scorecards_xlsx,
    progress_page,
    remind_all,
    remind_judge,
    copy_form,
    copy_post,
]

"""Judging data for organizers: scorecard import (with its blank templates) and exports.

Every route resolves the campaign in the organizer's scope first: anyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Campaign, Phase
from core import spreadsheet
from core.errors import N_, NotFound
from judging import exports, sheets
from judging.importing import import_scorecards
from judging.progress import phase_card_rows
from judging.ranking import phase_ranking
from judging.rubric import rubric
from web import downloads
from web.controllers.judging_views import BASE, PAGE, Organized, phase_path
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import read_form
from web.i18n import gettext as _
from web.refusals import refused


def _filename(campaign: Campaign, phase: Phase, what: str) -> str:
    return f"kaizen-campaign{campaign.id}-phase{phase.id}-{what}"


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
    organized: Organized,
) -> Template:
    campaign, phase = organized.campaign, organized.phase
    return await _import_page(db_session, campaign, phase)


async def _template_table(db: AsyncSession, phase: Phase) -> spreadsheet.Table:
    columns = [sheets.RubricColumn(c.id, c.name, c.scale_min, c.scale_max) for c in await rubric(db, phase.id)]
    return spreadsheet.Table(header=sheets.template_header(columns), rows=[])


@get(f"{BASE}/import/template.csv", opt=USER, name="judging_import_template_csv")
async def template_csv(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
) -> Response[bytes]:
    campaign, phase = organized.campaign, organized.phase
    table = await _template_table(db_session, phase)
    return await downloads.sheet(table, "csv", "Scorecards", _filename(campaign, phase, "scorecards-template"))


@get(f"{BASE}/import/template.xlsx", opt=USER, name="judging_import_template_xlsx")
async def template_xlsx(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
) -> Response[bytes]:
    campaign, phase = organized.campaign, organized.phase
    table = await _template_table(db_session, phase)
    return await downloads.sheet(table, "xlsx", "Scorecards", _filename(campaign, phase, "scorecards-template"))


# the phase, not the sheet (judging closed, say): refused back to the import page (a re-sent form must
# not import later)
@post(f"{BASE}/import", opt={**USER, **refused(f"{PAGE}/import")}, name="judging_import")
async def import_upload(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    """A CSV or Excel sheet of scorecards; every row or none."""
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    form = await read_form(request)
    replace = form.flag("replace")
    upload = form.data.get("file")
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
    count = report.created + report.replaced
    done = _("%(count)s scorecards imported (%(replaced)s replaced).", count=count, replaced=report.replaced)
    return see_other(request, f"{phase_path(campaign, phase)}/import", ok=done)


# --- exports ----------------------------------------------------------------------------------


async def _results(db: AsyncSession, phase: Phase) -> spreadsheet.Table:
    return exports.results_table(await phase_ranking(db, phase))  # within the phase's own ranking scope


async def _scorecards(db: AsyncSession, phase: Phase) -> spreadsheet.Table:
    criteria = [exports.CriterionColumn(c.id, c.name) for c in await rubric(db, phase.id)]
    return exports.scorecards_table(criteria, await phase_card_rows(db, phase))


# what may be exported: the table (and its sheet's name), in each format
EXPORTS: dict[str, tuple[Callable[[AsyncSession, Phase], Awaitable[spreadsheet.Table]], str]] = {
    "results": (_results, "Results"),
    "scorecards": (_scorecards, "Scorecards"),
}


@get(f"{BASE}/export/{{file:str}}", opt=USER, name="judging_export")
async def export_table(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    file: FromPath[str],
) -> Response[bytes]:
    """``results.csv``, ``results.xlsx``, ``scorecards.csv`` or ``scorecards.xlsx``; anything else is a 404."""
    campaign, phase = organized.campaign, organized.phase
    what, _dot, ext = file.partition(".")
    if what not in EXPORTS or ext not in downloads.FORMATS:
        raise NotFound(N_("There is no such export."))
    build, sheet = EXPORTS[what]
    table = await build(db_session, phase)
    return await downloads.sheet(table, ext, sheet, _filename(campaign, phase, what))


routes = [
    import_form,
    template_csv,
    template_xlsx,
    import_upload,
    export_table,
]

"""The audit log: the whole platform's for admins (``/audit``), one campaign's for its organizers
(``/campaigns/{id}/audit``, in the organizer's router: 404 outside their scope), filtered by
campaign, person, action and period, paginated, and exported as CSV or Excel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.audit_log import (
    EXPORT_MAX,
    AuditFilter,
    action_codes,
    audit_page,
    audit_rows,
    audit_table,
    campaign_choices,
)
from campaigns.models import Campaign
from core.audit_view import action_msgid, changes, read_period
from core.errors import N_, NotFound
from core.numbers import parse_int
from core.pagination import query_string
from web import downloads
from web.controllers.campaign_views import OrganizedCampaign
from web.deps import ADMIN, USER, DbSession
from web.i18n import get_viewer_zone
from web.i18n import gettext as _

PAGE_SIZE = 50
TEXT_MAX = 100


@dataclass(frozen=True)
class Query:
    """What the filter form sent, as typed (a bad date is shown again as it was)."""

    campaign: str = ""
    person: str = ""
    action: str = ""
    since: str = ""
    until: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, campaign: str, person: str, action: str, since: str, until: str) -> Query:
        values = {
            "campaign": campaign.strip()[:TEXT_MAX],
            "person": person.strip()[:TEXT_MAX],
            "action": action.strip()[:TEXT_MAX],
            "since": since.strip()[:TEXT_MAX],
            "until": until.strip()[:TEXT_MAX],
        }
        return cls(**values, params={k: v for k, v in values.items() if v})


def _filter(query: Query, campaign_id: int | None, timezone: str) -> tuple[AuditFilter, dict[str, str]]:
    period = read_period(query.since, query.until, timezone)
    flt = AuditFilter(
        campaign_id=campaign_id, person=query.person, action=query.action, start=period.start, end=period.end
    )
    return flt, {name: _(message) for name, message in period.errors.items()}


async def _page(
    db: AsyncSession,
    query: Query,
    *,
    page: int,
    campaign: Campaign | None,
    campaign_id: int | None,
    base: str,
) -> Template:
    timezone = campaign.timezone if campaign else (get_viewer_zone() or "UTC")
    flt, errors = _filter(query, campaign_id, timezone)
    result = await audit_page(db, flt, number=page, size=PAGE_SIZE)
    codes = set(await action_codes(db, campaign.id if campaign else None)) | ({query.action} if query.action else set())
    return Template(
        template_name="audit/log.html",
        context={
            "campaign": campaign,
            "campaigns": [] if campaign else await campaign_choices(db),
            "campaign_id": campaign_id,
            "page": result,
            "query": query,
            "errors": errors,
            "timezone": timezone,
            "actions": sorted(((code, _(action_msgid(code))) for code in codes), key=lambda item: item[1].casefold()),
            "action_label": lambda code: _(action_msgid(code)),
            "changes": changes,
            "base": base,
            "base_url": base + query_string(**query.params) + ("&" if query.params else ""),
            "export_max": EXPORT_MAX,
            "export_query": query_string(**query.params) if query.params else "",
        },
        status_code=422 if errors else 200,
    )


async def _export(
    db: AsyncSession, query: Query, *, campaign: Campaign | None, campaign_id: int | None, file: str, base: str
) -> Response[Any] | Template:
    name, _dot, ext = file.partition(".")
    if name != "audit" or ext not in downloads.FORMATS:
        raise NotFound(N_("There is no such export."))
    timezone = campaign.timezone if campaign else (get_viewer_zone() or "UTC")
    flt, errors = _filter(query, campaign_id, timezone)
    if errors:  # the page says what is wrong with the dates, next to them
        return await _page(db, query, page=1, campaign=campaign, campaign_id=campaign_id, base=base)
    rows = await audit_rows(db, flt)
    table = audit_table(rows, timezone, _)
    scope = f"campaign{campaign.id}-" if campaign else ""
    return await downloads.sheet(table, ext, "Audit", f"kaizen-{scope}audit")


# --- the whole platform (admins) ------------------------------------------------------------------


@get("/audit", opt=ADMIN, name="audit_log")
async def audit_log(
    db_session: DbSession,
    page: FromQuery[int] = 1,
    campaign: FromQuery[str] = "",
    person: FromQuery[str] = "",
    action: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
) -> Template:
    query = Query.of(campaign, person, action, since, until)
    return await _page(
        db_session, query, page=page, campaign=None, campaign_id=parse_int(query.campaign), base="/audit"
    )


@get("/audit/export/{file:str}", opt=ADMIN, name="audit_export")
async def audit_export(
    db_session: DbSession,
    file: FromPath[str],
    campaign: FromQuery[str] = "",
    person: FromQuery[str] = "",
    action: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
) -> Response[Any] | Template:
    """``audit.csv`` or ``audit.xlsx``: the log as the page's filter selects it."""
    query = Query.of(campaign, person, action, since, until)
    return await _export(
        db_session, query, campaign=None, campaign_id=parse_int(query.campaign), file=file, base="/audit"
    )


# --- one campaign (its organizers; the router resolves ``campaign`` in their scope) ----------------


@get("/campaigns/{campaign_id:int}/audit", opt=USER, name="campaign_audit")
async def campaign_audit(
    db_session: DbSession,
    campaign: OrganizedCampaign,
    page: FromQuery[int] = 1,
    person: FromQuery[str] = "",
    action: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
) -> Template:
    query = Query.of("", person, action, since, until)
    base = f"/campaigns/{campaign.id}/audit"
    return await _page(db_session, query, page=page, campaign=campaign, campaign_id=campaign.id, base=base)


@get("/campaigns/{campaign_id:int}/audit/export/{file:str}", opt=USER, name="campaign_audit_export")
async def campaign_audit_export(
    db_session: DbSession,
    campaign: OrganizedCampaign,
    file: FromPath[str],
    person: FromQuery[str] = "",
    action: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
) -> Response[Any] | Template:
    query = Query.of("", person, action, since, until)
    base = f"/campaigns/{campaign.id}/audit"
    return await _export(db_session, query, campaign=campaign, campaign_id=campaign.id, file=file, base=base)


routes = [audit_log, audit_export]
organizer_routes = [campaign_audit, campaign_audit_export]

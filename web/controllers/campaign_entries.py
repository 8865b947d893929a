"""A campaign's teams and entries for its organizers: filters, search, pages, similar ideas, exports."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core import spreadsheet
from core.errors import N_, NotFound
from core.numbers import INT32_MAX, parse_int
from core.pagination import query_string
from teams.campaign_entries import (
    SEARCH_MAX,
    Filters,
    Mix,
    Submitted,
    all_rows,
    challenges_of,
    entry_rows,
    member_rows,
)
from teams.models import TeamStatus
from teams.similar_entries import similar_of_entries
from web import downloads
from web.controllers.campaign_views import OrganizedCampaign
from web.deps import USER, DbSession, signed_in
from web.i18n import gettext as _

PAGE_SIZE = 25
STATUS_LABELS = {
    TeamStatus.ACTIVE: N_("Active"),
    TeamStatus.ELIMINATED: N_("Eliminated"),
    TeamStatus.WINNER: N_("Winner"),
    TeamStatus.WITHDRAWN: N_("Withdrawn"),
}


def _choice(enum_type: Any, raw: str | None) -> Any:
    try:
        return enum_type(raw) if raw else None
    except ValueError:
        return None


def _filters(
    challenge: str | None, status: str | None, submitted: str | None, mix: str | None, size: str | None, q: str | None
) -> Filters:
    """What the filter form sent; anything unknown is no filter (a link never breaks the page)."""
    size_value = parse_int(size, low=0, high=INT32_MAX) if size else None  # compared with a COUNT (int4 on PostgreSQL)
    return Filters(
        challenge_id=parse_int(challenge) if challenge else None,
        status=_choice(TeamStatus, status),
        submitted=_choice(Submitted, submitted),
        mix=_choice(Mix, mix),
        size=size_value,
        q=(q or "").strip()[:SEARCH_MAX],
    )


def _params(filters: Filters) -> dict[str, Any]:
    return {
        "challenge": filters.challenge_id,
        "status": filters.status.value if filters.status else None,
        "submitted": filters.submitted.value if filters.submitted else None,
        "mix": filters.mix.value if filters.mix else None,
        "size": filters.size,
        "q": filters.q,
    }


@get("/campaigns/{campaign_id:int}/entries", opt=USER, name="campaign_entries")
async def campaign_entries(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    challenge: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    submitted: FromQuery[str | None] = None,
    mix: FromQuery[str | None] = None,
    size: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
) -> Template:
    filters = _filters(challenge, status, submitted, mix, size, q)
    rows = await entry_rows(db_session, campaign, filters, number=page, size=PAGE_SIZE)
    entry_ids = [row.entry_id for row in rows.items if row.entry_id is not None and row.title is not None]
    similar = await similar_of_entries(db_session, signed_in(request), entry_ids)
    params = _params(filters)
    return Template(
        template_name="campaigns/entries.html",
        context={
            "campaign": campaign,
            "page": rows,
            "filters": filters,
            "similar": similar,
            "challenges": await challenges_of(db_session, campaign),
            "statuses": list(TeamStatus),
            "base_url": f"/campaigns/{campaign.id}/entries{query_string(**params)}&",
            "export_query": query_string(**params),
        },
    )


def _teams_table(rows: list[Any]) -> spreadsheet.Table:
    seen: dict[int, list[Any]] = {}
    for row in rows:
        seen.setdefault(
            row.team_id, [row.team_name, row.challenge, _(STATUS_LABELS[row.status]), row.members, row.departments]
        )
    header = [_("Team"), _("Challenge"), _("Status"), _("Members"), _("Departments")]
    return spreadsheet.Table(header, list(seen.values()))


def _entries_table(rows: list[Any]) -> spreadsheet.Table:
    header = [_("Team"), _("Challenge"), _("Phase"), _("Title"), _("Summary"), _("Submitted at")]
    return spreadsheet.Table(
        header,
        [
            [
                r.team_name,
                r.challenge,
                r.phase,
                r.title,
                r.summary,
                r.submitted_at.isoformat() if r.submitted_at else None,
            ]
            for r in rows
            if r.entry_id is not None
        ],
    )


@get("/campaigns/{campaign_id:int}/entries/export/{file:str}", opt=USER, name="campaign_entries_export")
async def campaign_entries_export(
    db_session: DbSession,
    campaign: OrganizedCampaign,
    file: FromPath[str],
    challenge: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    submitted: FromQuery[str | None] = None,
    mix: FromQuery[str | None] = None,
    size: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
) -> Response[bytes]:
    """``teams``, ``members`` or ``entries``, as ``.csv`` or ``.xlsx``, with the list's filters."""
    what, _dot, fmt = file.partition(".")
    if what not in {"teams", "members", "entries"} or fmt not in downloads.FORMATS:
        raise NotFound(N_("There is no such export."))
    filters = _filters(challenge, status, submitted, mix, size, q)
    if what == "members":
        members = await member_rows(db_session, campaign, filters)
        table = spreadsheet.Table(
            [_("Team"), _("Name"), _("E-mail"), _("Department"), _("Captain")],
            [[m.team_name, m.name, m.email, m.department, _("Yes") if m.captain else ""] for m in members],
        )
    else:
        rows = await all_rows(db_session, campaign, filters)
        table = _teams_table(rows) if what == "teams" else _entries_table(rows)
    return await downloads.sheet(table, fmt, what.capitalize(), f"kaizen-campaign{campaign.id}-{what}")


routes = [campaign_entries, campaign_entries_export]

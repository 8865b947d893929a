"""Reading the audit log: the entries a filter selects, newest first, with their actors and
campaigns loaded in one statement each (a page costs the same statements whatever its rows).

Who may read which entries is decided by the caller: the whole log for admins, one campaign's
entries (``AuditFilter.campaign_id``) for that campaign's organizers (``campaigns.access``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.audit import AuditEntry
from core.audit_view import SYSTEM, action_msgid, as_text, changes_text
from core.errors import N_
from core.pagination import Page, paginate
from core.spreadsheet import Table

PERSON_MAX = 100
HEADER = (
    N_("Time"),
    N_("Person"),
    N_("E-mail"),
    N_("Action"),
    N_("Action code"),
    N_("Campaign"),
    N_("Subject"),
    N_("Subject id"),
    N_("Changes"),
    N_("Before"),
    N_("After"),
    N_("Reason"),
)
EXPORT_MAX = 20_000  # rows in one export (about 7 s for Excel): a longer log is exported a period at a time


@dataclass(frozen=True)
class AuditFilter:
    """``campaign_id``: one campaign's entries, or None for the whole log (entries naming no
    campaign included); ``person``: part of the actor's name or e-mail; ``action``: one code;
    ``start``/``end``: UTC bounds, inclusive and exclusive."""

    campaign_id: int | None = None
    person: str = ""
    action: str = ""
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: User | None  # None: the system (the scheduler) made the change
    campaign: Campaign | None


def audit_query(flt: AuditFilter) -> Select[Any]:
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if flt.campaign_id is not None:
        stmt = stmt.where(AuditEntry.campaign_id == flt.campaign_id)
    if person := flt.person.strip()[:PERSON_MAX]:
        people = select(User.id).where(
            or_(User.name.icontains(person, autoescape=True), User.email.icontains(person, autoescape=True))
        )
        stmt = stmt.where(AuditEntry.actor_id.in_(people))
    if flt.action:
        stmt = stmt.where(AuditEntry.action == flt.action)
    if flt.start is not None:
        stmt = stmt.where(AuditEntry.at >= flt.start)
    if flt.end is not None:
        stmt = stmt.where(AuditEntry.at < flt.end)
    return stmt


async def _with_people(session: AsyncSession, entries: Sequence[AuditEntry]) -> list[AuditRow]:
    """The entries with their actors and campaigns: at most one statement for each."""
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    campaign_ids = {e.campaign_id for e in entries if e.campaign_id is not None}
    actors = (
        {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(actor_ids)))).all()}
        if actor_ids
        else {}
    )
    campaigns = (
        {c.id: c for c in (await session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))).all()}
        if campaign_ids
        else {}
    )
    return [
        AuditRow(
            entry=e,
            actor=actors.get(e.actor_id) if e.actor_id is not None else None,
            campaign=campaigns.get(e.campaign_id) if e.campaign_id is not None else None,
        )
        for e in entries
    ]


async def audit_page(session: AsyncSession, flt: AuditFilter, *, number: int, size: int) -> Page[AuditRow]:
    page = await paginate(session, audit_query(flt), number=number, size=size)
    return Page(items=await _with_people(session, page.items), number=page.number, size=page.size, total=page.total)


async def audit_rows(session: AsyncSession, flt: AuditFilter, limit: int | None = None) -> list[AuditRow]:
    """Every entry the filter selects (the newest ``limit``, by default ``EXPORT_MAX``), newest first."""
    entries = (await session.scalars(audit_query(flt).limit(limit or EXPORT_MAX))).all()
    return await _with_people(session, entries)


async def action_codes(session: AsyncSession, campaign_id: int | None) -> list[str]:
    """The codes the log holds (in one campaign, or in all), for the filter to offer."""
    stmt = select(AuditEntry.action).distinct()
    if campaign_id is not None:
        stmt = stmt.where(AuditEntry.campaign_id == campaign_id)
    return sorted((await session.scalars(stmt)).all())


async def campaign_choices(session: AsyncSession) -> list[tuple[int, str]]:
    rows = await session.execute(select(Campaign.id, Campaign.title).order_by(Campaign.title, Campaign.id))
    return [(id_, title) for id_, title in rows.all()]


def audit_table(rows: Sequence[AuditRow], timezone: str, translate: Callable[[str], str]) -> Table:
    """The rows as a spreadsheet: the time in ``timezone`` (ISO 8601 with its offset), labels
    translated by ``translate`` (a msgid to the reader's language)."""
    zone = ZoneInfo(timezone)
    header = [translate(label) for label in HEADER]
    body: list[list[str | int | float | None]] = []
    for row in rows:
        e = row.entry
        body.append(
            [
                e.at.astimezone(zone).isoformat(timespec="seconds"),
                row.actor.name if row.actor else translate(SYSTEM),
                row.actor.email if row.actor else "",
                translate(action_msgid(e.action)),
                e.action,
                row.campaign.title if row.campaign else "",
                e.subject_type,
                e.subject_id,
                changes_text(e.before, e.after),
                as_text(e.before) if e.before is not None else "",
                as_text(e.after) if e.after is not None else "",
                e.reason or "",
            ]
        )
    return Table(header=header, rows=body)

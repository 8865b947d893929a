"""The ranking version of a campaign: one counter per campaign in ``ranking_version``.

``core.audit.record`` bumps it for every audited change that names a campaign, in the same
transaction as the change. Every change to what a campaign's rankings are computed from is
audited with its campaign (DOMAIN.md, "Audit", and the services of ``judging``, ``teams`` and
``campaigns``): a final scorecard (finalised, imported, reopened by a rubric reset), the rubric,
a judging phase's settings (mode, k, scope, advancement rule), the timeline, an entry's submission,
a team's withdrawal, assignments, conflicts, advancement and awards. A reader takes the version
first and keys its cache on it (``judging.ranking_cache``): a change commits its data and its new
version together, so a cached answer is never stale, also across worker processes.

What is shown by name (team names, entry titles, judges' names, challenge titles and order) is not
cached, so changes to it need no bump.

The counter is a row of its own (not a column of ``phase`` or ``campaign``), so bumping it never
waits for the shared lock an entry save holds on its phase row. No foreign key: ``core`` knows no
campaign table, and a stale row of a deleted campaign only ever grows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import metadata

ranking_version = Table(
    "ranking_version",
    metadata,
    Column("campaign_id", BigInteger, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False, server_default="0"),
)


async def bump(session: AsyncSession, campaign_id: int) -> None:
    """Increments the campaign's ranking version within the caller's transaction."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ranking_version).values(campaign_id=campaign_id, version=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ranking_version.c.campaign_id],
            set_={"version": ranking_version.c.version + 1},
        )
    )


async def current(session: AsyncSession, campaign_id: int) -> int:
    """The campaign's ranking version (0 before its first change)."""
    value = await session.scalar(select(ranking_version.c.version).where(ranking_version.c.campaign_id == campaign_id))
    return int(value or 0)

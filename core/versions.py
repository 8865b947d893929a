"""The ranking version of a campaign: one counter per campaign in ``ranking_version``.

``core.audit.record`` bumps it for every audited change that names a campaign, in the same
transaction as the change: as its last statement, just before COMMIT (``bump_at_commit``), so the
row lock on the counter is held for the shortest time and always taken last (no lock-order
deadlock with the locks the change itself takes, on PostgreSQL).

Every change to what a campaign's rankings are computed from is
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

from typing import Any

from sqlalchemy import BigInteger, Column, Table, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.db import metadata

ranking_version = Table(
    "ranking_version",
    metadata,
    Column("campaign_id", BigInteger, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False, server_default="0"),
)


_PENDING = "kaizen.ranking_version.pending"


def _upsert(dialect: str, campaign_id: int) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ranking_version).values(campaign_id=campaign_id, version=1)
    return statement.on_conflict_do_update(
        index_elements=[ranking_version.c.campaign_id], set_={"version": ranking_version.c.version + 1}
    )


def bump_at_commit(session: AsyncSession | Session, campaign_id: int) -> None:
    """The campaign's ranking version goes up by one when the caller's transaction commits (in it)."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(_PENDING, set()).add(campaign_id)


async def bump(session: AsyncSession, campaign_id: int) -> None:
    """Increments the campaign's ranking version now, within the caller's transaction."""
    await session.execute(_upsert(session.get_bind().dialect.name, campaign_id))


@event.listens_for(Session, "before_commit")
def _bump_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        dialect = session.get_bind().dialect.name
        for campaign_id in sorted(pending):  # one order for every transaction
            session.execute(_upsert(dialect, campaign_id))


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


async def current(session: AsyncSession, campaign_id: int) -> int:
    """The campaign's ranking version (0 before its first change)."""
    value = await session.scalar(select(ranking_version.c.version).where(ranking_version.c.campaign_id == campaign_id))
    return int(value or 0)

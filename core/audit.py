"""Append-only audit log: who changed what, when, with the before and after.

The database refuses to UPDATE or DELETE its rows (triggers on PostgreSQL and SQLite, migration
``b7c1a2d3e4f5``). The actor's foreign key has no ``ON DELETE`` action, so deleting a person who
acted is refused rather than rewriting their rows; a change without a person (the scheduler) has
no actor.

Recording a change that names a campaign also bumps the campaign's ranking version
(``core.versions``), in the same transaction, just before it commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core import versions
from core.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("user_account.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    campaign_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject: Base,
    campaign_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        campaign_id=campaign_id,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(entry)
    await session.flush()
    if campaign_id is not None:
        # every audited change of a campaign may change its rankings: their cache is keyed on this
        versions.bump_at_commit(session, campaign_id)
    return entry


def apply_changes(target: object, source: object, fields: Iterable[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Copies the differing ``fields`` from ``source`` onto ``target``; returns (before, after) for the audit."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field in fields:
        old, new = getattr(target, field), getattr(source, field)
        if old != new:
            before[field], after[field] = old, new
            setattr(target, field, new)
    return before, after

"""Scheduled actions: the database holds what is due; a sweep claims and applies it exactly once.

A row is one automatic action (open a phase, close it, publish results, send a reminder),
unique per (kind, subject, offset). The sweep claims one due row at a time inside a
transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers with
``BEGIN IMMEDIATE``), applies it through the handler registered for its kind and marks it
done in that same transaction, so the effect and the ``done`` commit together or not at all.
Handlers are the same service operations an organizer uses by hand, whose own conditional
updates make a second application a no-op. This module knows no domain: kinds register here.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Index, Integer, Select, String, Text, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, str_enum
from core.errors import DomainError

log = logging.getLogger("kaizen.scheduling")

MAX_ATTEMPTS = 5
ERROR_MAX = 1000


class ActionState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"  # not applicable any more when due (say, a reminder whose moment passed)
    FAILED = "failed"  # refused by its operation, or failed MAX_ATTEMPTS times


class ScheduledAction(Base):
    __tablename__ = "scheduled_action"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "offset_minutes"),
        Index("ix_scheduled_action_state_due", "state", "due_at"),
    )

    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    # minutes before the subject's own time (reminders: 24 h = 1440); 0 for transitions
    offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    campaign_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    due_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    state: Mapped[ActionState] = mapped_column(str_enum(ActionState, "action_state"), default=ActionState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # how long after its due time the action was applied (milliseconds)
    late_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(80), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Outcome(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Applied:
    outcome: Outcome
    note: str | None = None


Handler = Callable[[AsyncSession, ScheduledAction, datetime], Awaitable[Applied]]
_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def registered_kinds() -> set[str]:
    return set(_handlers)


@dataclass(frozen=True)
class Planned:
    """An action a subject needs, as computed from its current state."""

    kind: str
    subject_id: int
    due_at: datetime
    offset_minutes: int = 0


async def sync_actions(
    session: AsyncSession, campaign_id: int, planned: list[Planned], now: datetime | None = None
) -> None:
    """Makes the campaign's actions match ``planned``, in the caller's transaction.

    Pending actions move to their new due time; actions no longer planned are dropped while
    still pending; an action already applied is armed again when its time moved into the
    future (a deadline pushed back after a reminder was sent, a phase reopened by hand).
    """
    rows = await session.scalars(select(ScheduledAction).where(ScheduledAction.campaign_id == campaign_id))
    existing = {(a.kind, a.subject_id, a.offset_minutes): a for a in rows.all()}
    wanted = {(p.kind, p.subject_id, p.offset_minutes): p for p in planned}
    for key, stale in existing.items():
        if key not in wanted and stale.state is ActionState.PENDING:
            await session.delete(stale)
    for key, plan in wanted.items():
        action = existing.get(key)
        if action is None:
            session.add(
                ScheduledAction(
                    kind=plan.kind,
                    subject_id=plan.subject_id,
                    offset_minutes=plan.offset_minutes,
                    campaign_id=campaign_id,
                    due_at=plan.due_at,
                    state=ActionState.PENDING,
                    attempts=0,
                )
            )
        elif action.due_at != plan.due_at:
            action.due_at = plan.due_at
            if action.state is not ActionState.PENDING and (now is None or plan.due_at > now):
                action.state = ActionState.PENDING
                action.attempts = 0
                action.done_at = None
                action.late_ms = None
                action.note = None
    await session.flush()


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff for an action that failed unexpectedly: 1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _claim_statement(now: datetime, dialect: str) -> Select[tuple[ScheduledAction]]:
    stmt = (
        select(ScheduledAction)
        .where(ScheduledAction.state == ActionState.PENDING, ScheduledAction.due_at <= now)
        .order_by(ScheduledAction.due_at, ScheduledAction.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return stmt


async def run_one(
    session_maker: async_sessionmaker[AsyncSession], now_fn: Callable[[], datetime], worker: str
) -> ScheduledAction | None:
    """Claims and applies the next due action in one transaction; None when nothing is due.

    The handler runs in a savepoint: when it raises, its effects are undone and the action
    records the failure (refused by its operation: failed for good; anything else: retried
    with backoff), in the same transaction as the claim.
    """
    async with session_maker() as session, session.begin():
        now = now_fn()
        action: ScheduledAction | None = await session.scalar(_claim_statement(now, session.bind.dialect.name))
        if action is None:
            return None
        action.attempts += 1
        action.worker = worker
        handler = _handlers.get(action.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for {action.kind!r}")
            async with session.begin_nested():
                applied = await handler(session, action, now)
        except DomainError as exc:  # refused by its operation: retrying will not help
            _finish(action, ActionState.FAILED, now, exc.message % exc.params if exc.params else exc.message)
        except Exception as exc:  # anything else is retried with backoff
            log.exception("scheduled action %s #%s failed", action.kind, action.id)
            message = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
            if action.attempts >= MAX_ATTEMPTS:
                _finish(action, ActionState.FAILED, now, message)
            else:
                action.note = message
                action.due_at = now + retry_delay(action.attempts)
        else:
            state = ActionState.DONE if applied.outcome is Outcome.DONE else ActionState.SKIPPED
            _finish(action, state, now, applied.note)
        await session.flush()
        return action


def _finish(action: ScheduledAction, state: ActionState, now: datetime, note: str | None) -> None:
    action.state = state
    action.done_at = now
    action.late_ms = max(0, int((now - action.due_at).total_seconds() * 1000))
    action.note = note


async def run_due(
    session_maker: async_sessionmaker[AsyncSession],
    now_fn: Callable[[], datetime],
    worker: str,
    limit: int = 500,
) -> list[ScheduledAction]:
    """Applies every action due now, one transaction each, up to ``limit``."""
    applied: list[ScheduledAction] = []
    for _ in range(limit):
        action = await run_one(session_maker, now_fn, worker)
        if action is None:
            break
        applied.append(action)
    return applied


async def next_due(session: AsyncSession) -> datetime | None:
    due: datetime | None = await session.scalar(
        select(func.min(ScheduledAction.due_at)).where(ScheduledAction.state == ActionState.PENDING)
    )
    return due

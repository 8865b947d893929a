"""Scheduled actions: the database holds what is due; a sweep claims and applies it exactly once.

A row is one automatic action (open a phase, close it, publish results, send a reminder),
unique per (kind, subject, offset). The sweep claims due rows a small batch at a time inside a
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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Index, Integer, Select, String, Text, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, str_enum
from core.errors import DomainError

log = logging.getLogger("kaizen.scheduling")

MAX_ATTEMPTS = 5
# actions claimed and applied per transaction: fewer commits, still exactly once
BATCH_SIZE = 20
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
    # the values the note's message names (a message id with placeholders): plain JSON, times as ISO text
    note_params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Outcome(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"  # refused for a reason an organizer must fix; the handler's own writes still commit


@dataclass(frozen=True)
class Applied:
    outcome: Outcome
    note: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def storable(params: dict[str, Any]) -> dict[str, Any]:
    """A message's values as JSON keeps them: times as ISO text, anything else unusual as text."""
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else value
        if isinstance(value, int | float)
        else str(value)
        for key, value in params.items()
    }


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


async def sync_actions(session: AsyncSession, campaign_id: int, planned: list[Planned]) -> None:
    """Makes the campaign's actions match ``planned``, in the caller's transaction.

    Pending actions move to their new due time; actions no longer planned are dropped while
    still pending; an action already applied is armed again when its new time lies after the
    moment it was applied (a deadline pushed back after its reminder went out, a phase
    reopened by hand and closing again later).
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
        elif action.state is ActionState.PENDING:
            action.due_at = plan.due_at
        elif action.done_at is not None and plan.due_at > action.done_at:
            action.due_at = plan.due_at
            action.state = ActionState.PENDING
            action.attempts = 0
            action.done_at = None
            action.late_ms = None
            action.note = None
            action.note_params = None
    await session.flush()


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff for an action that failed unexpectedly: 1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _claim_statement(now: datetime, dialect: str, size: int) -> Select[tuple[ScheduledAction]]:
    stmt = (
        select(ScheduledAction)
        .where(ScheduledAction.state == ActionState.PENDING, ScheduledAction.due_at <= now)
        .order_by(ScheduledAction.due_at, ScheduledAction.id)
        .limit(size)
        .execution_options(populate_existing=True)
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return stmt


async def run_batch(
    session_maker: Callable[[], AsyncSession], now_fn: Callable[[], datetime], worker: str, size: int = BATCH_SIZE
) -> list[ScheduledAction]:
    """Claims up to ``size`` due actions and applies them, in one transaction; [] when nothing is due.

    Each handler runs in a savepoint: when it raises, its effects are undone and its action
    records the failure (refused by its operation: failed for good; anything else: retried
    with backoff), while the rest of the batch goes on.
    """
    async with session_maker() as session, session.begin():
        claimed = list((await session.scalars(_claim_statement(now_fn(), session.bind.dialect.name, size))).all())
        for action in claimed:
            action.attempts += 1
            action.worker = worker
            # provisionally applied, so that a re-plan triggered by a handler's own events leaves it be
            _finish(action, ActionState.DONE, now_fn(), None)
        await session.flush()
        for action in claimed:
            await _apply(session, action, now_fn())
        await session.flush()
        return claimed


async def _apply(session: AsyncSession, action: ScheduledAction, now: datetime) -> None:
    handler = _handlers.get(action.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for {action.kind!r}")
        async with session.begin_nested():
            applied = await handler(session, action, now)
    except DomainError as exc:  # refused by its operation: retrying will not help
        _finish(action, ActionState.FAILED, now, exc.message, exc.params)
    except Exception as exc:  # anything else is retried with backoff
        log.exception("scheduled action %s #%s failed", action.kind, action.id)
        message = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        if action.attempts >= MAX_ATTEMPTS:
            _finish(action, ActionState.FAILED, now, message)
        else:
            action.state, action.done_at, action.late_ms, action.note = ActionState.PENDING, None, None, message
            action.note_params = None
            action.due_at = now + retry_delay(action.attempts)
    else:
        _finish(action, ActionState(applied.outcome.value), now, applied.note, applied.params)


def _finish(
    action: ScheduledAction, state: ActionState, now: datetime, note: str | None, params: dict[str, Any] | None = None
) -> None:
    action.state = state
    action.done_at = now
    action.late_ms = max(0, int((now - action.due_at).total_seconds() * 1000))
    action.note = note
    action.note_params = storable(params) if params else None


async def run_due(
    session_maker: Callable[[], AsyncSession],
    now_fn: Callable[[], datetime],
    worker: str,
    limit: int = 1000,
    batch: int = BATCH_SIZE,
) -> list[ScheduledAction]:
    """Applies the actions due now, a batch per transaction, up to ``limit`` in all."""
    applied: list[ScheduledAction] = []
    while len(applied) < limit:
        claimed = await run_batch(session_maker, now_fn, worker, min(batch, limit - len(applied)))
        if not claimed:
            break
        applied.extend(claimed)
    return applied


async def next_due(session: AsyncSession) -> datetime | None:
    due: datetime | None = await session.scalar(
        select(func.min(ScheduledAction.due_at)).where(ScheduledAction.state == ActionState.PENDING)
    )
    return due

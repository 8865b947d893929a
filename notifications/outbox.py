"""The e-mail outbox: claim due mails, record each outcome, never send one twice.

A mail moves ``queued → sending → sent``; a transient failure puts it back to ``queued`` with
a backoff, a permanent refusal (or too many attempts) makes it ``failed``. Each step is its own
short transaction, so a claim commits before any SMTP traffic starts.

Exactly-once cannot be had across two systems: between the SMTP server's "250 OK" and the
commit of ``sent``, a worker can die (or lose the database). Such a row stays ``sending``; once
it is older than ``STALE_AFTER`` it becomes ``uncertain`` and is *never* resent by itself, since
the recipient may already have it. A person decides (the row keeps the address, the attempts
and the time it was claimed); a duplicate reminder is worse than asking.

Every state change is a conditional UPDATE on ``state = 'sending'`` and the claim's
``claimed_at``, so a worker that wakes up late cannot overwrite another worker's claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from notifications.models import MailState, Notification, NotificationKind, OutboxMail

MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)
STALE_AFTER = timedelta(minutes=10)
ERROR_MAX = 1000
STALE_NOTE = "Claimed but not confirmed in time: the mail may have been sent. Not resent automatically."


@dataclass(frozen=True)
class ClaimedMail:
    """What a sender needs, detached from any session. ``attempts`` counts this attempt."""

    id: int
    to_address: str
    recipient_name: str
    locale: str
    attempts: int
    claimed_at: datetime
    notification_id: int
    kind: NotificationKind
    params: dict[str, Any]
    link: str
    at: datetime


@dataclass(frozen=True)
class Retry:
    """What to do after a transient failure: back to the queue at ``next_attempt_at``, or give up."""

    state: MailState
    next_attempt_at: datetime | None


# --- pure decisions -------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Waiting time after the ``attempts``-th failed try: 1, 2, 4, 8 … minutes, at most an hour."""
    if attempts < 1:
        return timedelta(0)
    return min(BACKOFF_CAP, timedelta(minutes=2 ** min(attempts - 1, 16)))


def after_transient_failure(attempts: int, now: datetime, max_attempts: int = MAX_ATTEMPTS) -> Retry:
    """``attempts`` tries have failed so far: retry later, or fail for good after ``max_attempts``."""
    if attempts >= max_attempts:
        return Retry(MailState.FAILED, None)
    return Retry(MailState.QUEUED, now + backoff(attempts))


def stale_cutoff(now: datetime, stale_after: timedelta = STALE_AFTER) -> datetime:
    """Rows claimed at or before this moment and still ``sending`` are stale."""
    return now - stale_after


def is_stale(claimed_at: datetime, now: datetime, stale_after: timedelta = STALE_AFTER) -> bool:
    return claimed_at <= stale_cutoff(now, stale_after)


def _error(text: str) -> str:
    return text[:ERROR_MAX]


# --- transactions (the caller commits; claim_due's transaction must commit before sending) -------


async def claim_due(session: AsyncSession, now: datetime, *, limit: int = 50) -> list[ClaimedMail]:
    """Claims up to ``limit`` due mails (oldest due first) and marks them ``sending``.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets concurrent workers take disjoint batches.
    SQLite: the app's engine begins every transaction IMMEDIATE, so claimers run one at a time.
    """
    stmt = (
        select(OutboxMail.id)
        .where(OutboxMail.state == MailState.QUEUED, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list((await session.scalars(stmt)).all())
    if not ids:
        return []
    await session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids), OutboxMail.state == MailState.QUEUED)
        .values(state=MailState.SENDING, claimed_at=now, attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(OutboxMail, Notification, User.name)
        .join(Notification, Notification.id == OutboxMail.notification_id)
        .join(User, User.id == Notification.user_id)
        .where(OutboxMail.id.in_(ids))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .execution_options(populate_existing=True)
    )
    return [
        ClaimedMail(
            id=mail.id,
            to_address=mail.to_address,
            recipient_name=name,
            locale=mail.locale,
            attempts=mail.attempts,
            claimed_at=now,
            notification_id=notification.id,
            kind=notification.kind,
            params=dict(notification.params or {}),
            link=notification.link,
            at=notification.at,
        )
        for mail, notification, name in rows.all()
    ]


async def _finish_claim(session: AsyncSession, mail: ClaimedMail, **values: Any) -> bool:
    result = await session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail.id,
            OutboxMail.state == MailState.SENDING,
            OutboxMail.claimed_at == mail.claimed_at,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_sent(session: AsyncSession, mail: ClaimedMail, now: datetime) -> bool:
    """The SMTP server accepted the mail. False when the claim was lost (flagged, or taken over)."""
    return await _finish_claim(session, mail, state=MailState.SENT, sent_at=now, last_error=None)


async def mark_retry(session: AsyncSession, mail: ClaimedMail, now: datetime, error: str) -> MailState | None:
    """A transient failure: back to the queue with backoff, or ``failed`` after MAX_ATTEMPTS.

    Returns the new state, or None when the claim was lost."""
    decision = after_transient_failure(mail.attempts, now)
    values: dict[str, Any] = {"state": decision.state, "last_error": _error(error)}
    if decision.next_attempt_at is not None:
        values["next_attempt_at"] = decision.next_attempt_at
    return decision.state if await _finish_claim(session, mail, **values) else None


async def mark_failed(session: AsyncSession, mail: ClaimedMail, error: str) -> bool:
    """A permanent refusal (SMTP 5xx): never retried."""
    return await _finish_claim(session, mail, state=MailState.FAILED, last_error=_error(error))


async def flag_stale(session: AsyncSession, now: datetime, *, stale_after: timedelta = STALE_AFTER) -> int:
    """Rows left ``sending`` too long become ``uncertain`` (see the module's doc); returns how many."""
    result = await session.execute(
        update(OutboxMail)
        .where(OutboxMail.state == MailState.SENDING, OutboxMail.claimed_at <= stale_cutoff(now, stale_after))
        .values(state=MailState.UNCERTAIN, last_error=STALE_NOTE)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

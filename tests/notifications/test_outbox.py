"""The outbox: claim, record outcomes, back off, flag stale claims; never the same mail twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.engine import make_engine
from notifications.models import MailState, NotificationKind, OutboxMail
from notifications.outbox import (
    BACKOFF_CAP,
    MAX_ATTEMPTS,
    STALE_AFTER,
    STALE_NOTE,
    after_transient_failure,
    backoff,
    claim_due,
    flag_stale,
    is_stale,
    mark_failed,
    mark_retry,
    mark_sent,
)
from notifications.services import notify
from tests.conftest import NOW
from tests.factories import make_user

MINUTE = timedelta(minutes=1)

# --- pure decisions -------------------------------------------------------------------------------


def test_backoff_doubles_from_one_minute_up_to_an_hour() -> None:
    assert [backoff(n) for n in range(1, 9)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)]
    assert backoff(0) == timedelta(0)


@given(st.integers(min_value=1, max_value=10_000))
def test_backoff_grows_and_stays_capped(attempts: int) -> None:
    assert MINUTE <= backoff(attempts) <= BACKOFF_CAP
    assert backoff(attempts + 1) >= backoff(attempts)


@given(st.integers(min_value=1, max_value=50))
def test_after_a_transient_failure_retry_later_or_give_up(attempts: int) -> None:
    decision = after_transient_failure(attempts, NOW)
    if attempts >= MAX_ATTEMPTS:
        assert decision.state is MailState.FAILED and decision.next_attempt_at is None
    else:
        assert decision.state is MailState.QUEUED
        assert decision.next_attempt_at == NOW + backoff(attempts)


@given(st.integers(min_value=-3600, max_value=3600))
def test_a_claim_is_stale_from_stale_after_on(seconds_ago: int) -> None:
    claimed_at = NOW - timedelta(seconds=seconds_ago)
    assert is_stale(claimed_at, NOW) == (timedelta(seconds=seconds_ago) >= STALE_AFTER)


# --- transactions ---------------------------------------------------------------------------------


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions like the worker's: BEGIN IMMEDIATE on SQLite, a real pool on PostgreSQL."""
    engine = make_engine(database_url, pool_size=6, max_overflow=0) if "postgresql" in database_url else None
    engine = engine or make_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def _queue(db: AsyncSession, how_many: int) -> list[int]:
    """``how_many`` people notified once each: one queued mail each, due at NOW."""
    users = [await make_user(db, f"person{i}@example.com") for i in range(how_many)]
    await notify(db, NOW, [u.id for u in users], NotificationKind.RESULTS_PUBLISHED, {"campaign": "Spring"})
    await db.commit()
    ids = (await db.scalars(select(OutboxMail.id).order_by(OutboxMail.id))).all()
    assert len(ids) == how_many
    return list(ids)


async def _row(maker: async_sessionmaker[AsyncSession], mail_id: int) -> OutboxMail:
    async with maker() as session:
        row = await session.get(OutboxMail, mail_id)
        assert row is not None
        return row


async def test_claim_marks_sending_and_a_claimed_row_is_not_claimed_again(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    (mail_id,) = await _queue(db, 1)
    async with maker() as session, session.begin():
        claimed = await claim_due(session, NOW)
    assert [m.id for m in claimed] == [mail_id]
    mail = claimed[0]
    assert mail.attempts == 1 and mail.claimed_at == NOW and mail.to_address == "person0@example.com"
    assert mail.kind is NotificationKind.RESULTS_PUBLISHED and mail.params == {"campaign": "Spring"}
    assert mail.recipient_name == "Person0" and mail.locale == "en"
    row = await _row(maker, mail_id)
    assert row.state is MailState.SENDING and row.claimed_at == NOW and row.attempts == 1
    async with maker() as session, session.begin():
        assert await claim_due(session, NOW + timedelta(hours=5)) == []


async def test_claim_takes_due_rows_only_oldest_first_up_to_the_limit(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _queue(db, 4)
    await db.execute(update(OutboxMail).where(OutboxMail.id == ids[0]).values(next_attempt_at=NOW + MINUTE))
    await db.execute(update(OutboxMail).where(OutboxMail.id == ids[3]).values(next_attempt_at=NOW - MINUTE))
    await db.commit()
    async with maker() as session, session.begin():
        first = await claim_due(session, NOW, limit=2)
    assert [m.id for m in first] == [ids[3], ids[1]]
    async with maker() as session, session.begin():
        second = await claim_due(session, NOW, limit=10)
    assert [m.id for m in second] == [ids[2]]  # ids[0] is not due yet
    async with maker() as session, session.begin():
        assert [m.id for m in await claim_due(session, NOW + MINUTE)] == [ids[0]]


async def test_mark_sent_once(db: AsyncSession, maker: async_sessionmaker[AsyncSession]) -> None:
    (mail_id,) = await _queue(db, 1)
    async with maker() as session, session.begin():
        (mail,) = await claim_due(session, NOW)
    async with maker() as session, session.begin():
        assert await mark_sent(session, mail, NOW + MINUTE) is True
    row = await _row(maker, mail_id)
    assert row.state is MailState.SENT and row.sent_at == NOW + MINUTE and row.last_error is None
    async with maker() as session, session.begin():
        assert await mark_sent(session, mail, NOW + MINUTE) is False  # the claim is spent
        assert await claim_due(session, NOW + timedelta(days=1)) == []


async def test_retry_backs_off_then_fails_after_max_attempts(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    (mail_id,) = await _queue(db, 1)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        async with maker() as session, session.begin():
            (mail,) = await claim_due(session, now)
        assert mail.attempts == attempt
        async with maker() as session, session.begin():
            state = await mark_retry(session, mail, now, f"timeout #{attempt}")
        row = await _row(maker, mail_id)
        if attempt < MAX_ATTEMPTS:
            assert state is MailState.QUEUED and row.state is MailState.QUEUED
            assert row.next_attempt_at == now + backoff(attempt) and row.last_error == f"timeout #{attempt}"
            async with maker() as session, session.begin():  # not before its time
                assert await claim_due(session, now + backoff(attempt) - timedelta(seconds=1)) == []
            now += backoff(attempt)
        else:
            assert state is MailState.FAILED and row.state is MailState.FAILED and row.attempts == MAX_ATTEMPTS
    async with maker() as session, session.begin():
        assert await claim_due(session, now + timedelta(days=30)) == []


async def test_permanent_refusal_fails_for_good(db: AsyncSession, maker: async_sessionmaker[AsyncSession]) -> None:
    (mail_id,) = await _queue(db, 1)
    async with maker() as session, session.begin():
        (mail,) = await claim_due(session, NOW)
    async with maker() as session, session.begin():
        assert await mark_failed(session, mail, "550 no such user" * 200) is True
    row = await _row(maker, mail_id)
    assert row.state is MailState.FAILED and row.last_error is not None and len(row.last_error) == 1000
    async with maker() as session, session.begin():
        assert await claim_due(session, NOW + timedelta(days=30)) == []


async def test_stale_claims_become_uncertain_and_are_never_claimed_again(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await _queue(db, 2)
    async with maker() as session, session.begin():
        claimed = await claim_due(session, NOW)
    async with maker() as session, session.begin():
        assert await mark_sent(session, claimed[1], NOW) is True
    async with maker() as session, session.begin():
        assert await flag_stale(session, NOW + STALE_AFTER - timedelta(seconds=1)) == 0
    async with maker() as session, session.begin():
        assert await flag_stale(session, NOW + STALE_AFTER) == 1
    row = await _row(maker, first)
    assert row.state is MailState.UNCERTAIN and row.last_error == STALE_NOTE
    assert (await _row(maker, second)).state is MailState.SENT
    # the worker that held the claim wakes up late: its outcome no longer counts
    async with maker() as session, session.begin():
        assert await mark_sent(session, claimed[0], NOW + STALE_AFTER) is False
        assert await mark_retry(session, claimed[0], NOW + STALE_AFTER, "late") is None
        assert await claim_due(session, NOW + timedelta(days=30)) == []
    assert (await _row(maker, first)).state is MailState.UNCERTAIN


async def test_concurrent_claimers_never_share_a_row(db: AsyncSession, maker: async_sessionmaker[AsyncSession]) -> None:
    ids = await _queue(db, 24)

    async def claimer() -> list[int]:
        taken: list[int] = []
        while True:
            async with maker() as session, session.begin():
                batch = await claim_due(session, NOW, limit=3)
            if not batch:
                return taken
            taken.extend(m.id for m in batch)
            await asyncio.sleep(0)

    results = await asyncio.wait_for(asyncio.gather(*(claimer() for _ in range(4))), timeout=30)
    everything = [mail_id for taken in results for mail_id in taken]
    assert sorted(everything) == ids  # each row exactly once
    print(f"\n4 claimers, {len(ids)} mails: {[len(t) for t in results]} claimed each, 0 claimed twice")


async def test_postgresql_skips_rows_locked_by_another_claim(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises claimers with BEGIN IMMEDIATE")
    ids = await _queue(db, 6)
    async with maker() as first:
        await first.begin()
        held = await claim_due(first, NOW, limit=4)  # not committed yet: the rows stay locked
        async with maker() as second, second.begin():
            other = await asyncio.wait_for(claim_due(second, NOW, limit=10), timeout=10)
        assert {m.id for m in held} == set(ids[:4])
        assert {m.id for m in other} == set(ids[4:])
        await first.commit()
    async with maker() as session, session.begin():
        assert await claim_due(session, NOW) == []

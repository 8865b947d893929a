"""Sign-in throttling: a counter per account and per client address, atomic on both databases.

An attempt is reserved before its password is checked. One ``INSERT .. ON CONFLICT DO UPDATE
.. RETURNING`` per key counts it and returns the new count in the same statement, so parallel
attempts, on any app instance, each get a number of their own and at most ``limit`` of them
reach the password check. A counter's window starts with its first attempt and lasts
``window``; the first attempt after it starts a new window.

A refused attempt gives its reservations back, and a correct password clears the account's
counter and gives back the address's reservation: what stays counted is failures. Keys are
always taken in the same order (account, then address), so PostgreSQL's row locks cannot
deadlock.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import SignInCounter

PURGE_BATCH = 500  # expired counters removed per successful sign-in


@dataclass(frozen=True)
class Limits:
    account: int
    address: int
    window: timedelta


@dataclass(frozen=True)
class Reserved:
    """One attempt counted on ``key`` in the window that started at ``window_started_at``."""

    key: str
    window_started_at: datetime


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def account_key(email: str) -> str:
    return _digest(f"account:{email}")


def address_key(address: str) -> str:
    """An IPv6 client counts by its /64: one host may take any address of its network at will."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return _digest(f"address:{address}")
    if isinstance(ip, ipaddress.IPv6Address):
        return _digest(f"address:{ipaddress.IPv6Network((int(ip) >> 64 << 64, 64))}")
    return _digest(f"address:{ip}")


def _insert(session: AsyncSession) -> Callable[..., Any]:
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


async def _count_attempt(session: AsyncSession, key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Counts one attempt on ``key``; the count it makes and the start of its window."""
    stmt = _insert(session)(SignInCounter).values(
        key=key, attempts=1, window_started_at=now, created_at=now, updated_at=now
    )
    expired = SignInCounter.window_started_at <= now - window
    stmt = stmt.on_conflict_do_update(
        index_elements=[SignInCounter.key],
        set_={
            "attempts": case((expired, 1), else_=SignInCounter.attempts + 1),
            "window_started_at": case(
                (expired, stmt.excluded.window_started_at), else_=SignInCounter.window_started_at
            ),
            "updated_at": stmt.excluded.updated_at,
        },
    ).returning(SignInCounter.attempts, SignInCounter.window_started_at)
    attempts, started = (await session.execute(stmt)).one()
    return int(attempts), started


async def reserve(
    session: AsyncSession, keys: Sequence[tuple[str, int]], *, now: datetime, window: timedelta
) -> list[Reserved] | None:
    """Reserves one attempt on each ``(key, limit)`` in turn; None, keeping nothing, when a key
    is over its limit. The caller commits before it checks the password."""
    reserved: list[Reserved] = []
    for key, limit in keys:
        attempts, started = await _count_attempt(session, key, now, window)
        reserved.append(Reserved(key, started))
        if attempts > limit:
            await give_back(session, reserved)
            return None
    return reserved


async def give_back(session: AsyncSession, reserved: Sequence[Reserved]) -> None:
    """Uncounts reserved attempts; a counter whose window has started again is left alone."""
    for item in reserved:
        await session.execute(
            update(SignInCounter)
            .where(
                SignInCounter.key == item.key,
                SignInCounter.window_started_at == item.window_started_at,
                SignInCounter.attempts > 0,
            )
            .values(attempts=SignInCounter.attempts - 1)
            .execution_options(synchronize_session=False)
        )


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(
        delete(SignInCounter).where(SignInCounter.key == key).execution_options(synchronize_session=False)
    )


async def purge_expired(session: AsyncSession, *, now: datetime, window: timedelta) -> None:
    """Removes counters whose window has ended (an attempt would start a new one anyway).

    PostgreSQL skips rows that an attempt holds right now, so the purge never waits for a lock
    and cannot deadlock with one."""
    expired = select(SignInCounter.id).where(SignInCounter.window_started_at <= now - window).limit(PURGE_BATCH)
    if session.bind.dialect.name == "postgresql":
        expired = expired.with_for_update(skip_locked=True)
    await session.execute(
        delete(SignInCounter).where(SignInCounter.id.in_(expired)).execution_options(synchronize_session=False)
    )

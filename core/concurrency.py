"""Writes that a concurrent transaction may be making at the same moment.

Two requests that check "is there one already?" and then insert both see "no" when they run
at once; the database's unique key lets one insert through and makes the other fail. These
helpers turn that into a plain answer the service can give (``add_unique``), or make the check
and its write happen one transaction at a time (``serialise``), on both databases:

- SQLite: every writing transaction begins ``BEGIN IMMEDIATE`` (``web.database``), so writers
  run one at a time already; a check and its insert can only race across reading transactions.
- PostgreSQL (READ COMMITTED): a transaction that inserts a key another one has just inserted
  waits for that one to end, then fails with a unique violation (SQLSTATE 23505); a statement
  that runs after a lock was granted sees what the lock's previous holder committed.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["add_unique", "is_concurrent_change", "is_unique_violation", "serialise"]

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
# PostgreSQL's answers when two transactions cannot both go on: the loser is rolled back
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"


def _sqlstate(exc: DBAPIError) -> str | None:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return str(code) if code else None


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the error is a unique key (or primary key) that another row holds already."""
    code = _sqlstate(exc)
    if code is not None:
        return code == UNIQUE_VIOLATION
    text = str(exc.orig)  # sqlite3: "UNIQUE constraint failed: table.column"
    return "UNIQUE constraint failed" in text or "PRIMARY KEY" in text


def is_concurrent_change(exc: DBAPIError) -> bool:
    """An error that says another transaction got there first, not that the request was wrong:
    a key it inserted, a row it deleted that ours refers to, a deadlock or a serialisation failure."""
    code = _sqlstate(exc)
    if code is not None:
        return code in (UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION, DEADLOCK_DETECTED, SERIALIZATION_FAILURE)
    if isinstance(exc, IntegrityError):
        text = str(exc.orig)
        return "UNIQUE constraint failed" in text or "FOREIGN KEY constraint failed" in text
    return False


async def add_unique(session: AsyncSession, instance: object) -> bool:
    """Adds and inserts ``instance`` in a savepoint; False, with the session still usable and
    ``instance`` not added, when a unique key says that a row like it exists (another
    transaction committed it meanwhile). Any other error propagates."""
    try:
        async with session.begin_nested():
            session.add(instance)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return False
    return True


def _lock_key(name: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock``, the same in every process."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def serialise(session: AsyncSession, *names: str) -> None:
    """Makes the rest of the caller's transaction run one at a time among transactions that
    serialise on the same ``names`` (until commit or rollback).

    PostgreSQL: a transaction-level advisory lock per name, taken in sorted order so that two
    callers with overlapping names cannot deadlock. SQLite: nothing to do, writing transactions
    run one at a time already."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        await session.execute(select(func.pg_advisory_xact_lock(_lock_key(name))))

"""Reads for the teams tests. Every read ends its transaction: on SQLite an open test
transaction would lock the app out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def count(db: AsyncSession, model: Any, *where: Any) -> int:
    total = await db.scalar(select(func.count()).select_from(model).where(*where)) or 0
    await db.commit()
    return int(total)


async def first(db: AsyncSession, stmt: Any) -> Any:
    row = await db.scalar(stmt.execution_options(populate_existing=True))
    await db.commit()
    return row


async def rows_of(db: AsyncSession, stmt: Any) -> list[Any]:
    rows = list((await db.scalars(stmt.execution_options(populate_existing=True))).all())
    await db.commit()
    return rows


async def fresh(db: AsyncSession, model: Any, ident: int) -> Any:
    row = await db.get(model, ident, populate_existing=True)
    await db.commit()
    return row


async def switch_to(browser: Any, email: str) -> None:
    """One browser, several people in turn: sign out whoever was signed in, sign in ``email``."""
    await browser.sign_out()
    await browser.sign_in(email)

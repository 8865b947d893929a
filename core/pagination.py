"""One page of a query's rows, with the total counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


async def paginate(session: AsyncSession, stmt: Select[Any], *, number: int, size: int) -> Page[Any]:
    """``stmt`` must already be ordered by a unique key so pages are stable."""
    number = max(1, number)
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = (await session.scalars(stmt.limit(size).offset((number - 1) * size))).all()
    return Page(items=list(rows), number=number, size=size, total=total)

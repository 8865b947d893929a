"""One page of a query's rows, with the total counted in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

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
    """``stmt`` must already be ordered by a unique key so pages are stable. A page past the end
    gives the last page (as ``page_of`` does), so no offset outgrows what the database takes."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    number = min(max(1, number), max(1, -(-total // size)))
    rows = (await session.scalars(stmt.limit(size).offset((number - 1) * size))).all()
    return Page(items=list(rows), number=number, size=size, total=total)


PER_PAGE_CHOICES = (25, 50, 100, 300)


def per_page(value: int | None, default: int = 50) -> int:
    """A page size the pager offers: ``value`` when it is one of ``PER_PAGE_CHOICES``, else ``default``."""
    return value if value in PER_PAGE_CHOICES else default


def page_of(items: Sequence[T], *, number: int, size: int) -> Page[T]:
    """One page of a list already in memory (a cached ranking), numbered as ``paginate`` numbers them;
    a page past the end gives the last page."""
    total = len(items)
    number = min(max(1, number), max(1, -(-total // size)))
    start = (number - 1) * size
    return Page(items=list(items[start : start + size]), number=number, size=size, total=total)


def query_string(**params: object) -> str:
    """``?a=1&b=x`` of the parameters that are set (None and "" left out), for a pager's links."""
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return "?" + urlencode(kept) if kept else "?"

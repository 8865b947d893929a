"""The dashboard, its exports and the innovation record send as many SQL statements at 400 entries
as at 50 (as tests/web/test_query_counts.py for the other pages)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Browser, QueryCounter
from tests.factories import make_department, make_user
from tests.scale import CAPTAIN, ScaleWorld
from tests.web.test_query_counts import LARGE, SMALL, _count

EXEC = "exec@example.com"

PAGES = [
    pytest.param(EXEC, "/dashboard", id="dashboard"),
    pytest.param(EXEC, "/dashboard?department={department}&start=2026-01-01&end=2026-12-31", id="dashboard-filtered"),
    pytest.param(EXEC, "/dashboard/export?figure=trends&format=xlsx", id="dashboard-export"),
    pytest.param(CAPTAIN, "/me/record", id="own-record"),
    pytest.param(EXEC, "/people/{judge}/record", id="judge-record"),
]


@pytest.mark.parametrize(("who", "template"), PAGES)
async def test_a_page_sends_as_many_statements_at_400_entries_as_at_50(
    db: AsyncSession, browser: Browser, queries: QueryCounter, who: str, template: str
) -> None:
    world = await ScaleWorld.build(db)
    department = await make_department(db, "Ops")
    await make_user(db, EXEC, executive=True, department=department)
    await world.grow(db, SMALL)
    await db.commit()
    await browser.sign_in(who)
    url = template.format(department=department.id, judge=world.judges[0].id)
    small, small_statements = await _count(browser, queries, url)
    await world.grow(db, LARGE)
    large, large_statements = await _count(browser, queries, url)
    print(f"{url}: {small} statements at {SMALL} entries, {large} at {LARGE}")
    assert large == small, "\n".join(["at 50:", *small_statements, "at 400:", *large_statements])

"""The organizer results page renders one page of each ranking, with a pager."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Browser, QueryCounter
from tests.judging.test_results import ORGANIZER, add_team, world
from web.controllers.results import PAGE_SIZE


def ranking_rows(html: str, phase_id: int) -> list[str]:
    return re.findall(rf'id="phase-{phase_id}-entry-(\d+)"', html)


async def test_the_ranking_is_paginated(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    for i in range(PAGE_SIZE):  # 6 + 50 entries: two pages
        await add_team(db, w, f"Team {i:02d}", [[1 + i % 5, 2, 3]] * 3, challenge=i % 2)
    await db.commit()
    await browser.sign_in(ORGANIZER)
    phase = w.s.judging
    first = (await browser.get(f"{w.url}/results")).text
    shown = ranking_rows(first, phase.id)
    assert len(shown) == PAGE_SIZE
    assert "Page 1 of 2" in first
    assert f'href="{w.url}/results?phase={phase.id}&amp;page=2"' in first
    second = (await browser.get(f"{w.url}/results?phase={phase.id}&page=2")).text
    rest = ranking_rows(second, phase.id)
    assert len(rest) == PAGE_SIZE + 6 - PAGE_SIZE and not set(rest) & set(shown)
    assert "Page 2 of 2" in second
    assert f'id="phase-{phase.id}-entry-{w.entries["Alpha"].id}"' in first  # rank 1 comes first
    # a page past the end shows the last one; another scope keeps the scope in the pager's links
    assert ranking_rows((await browser.get(f"{w.url}/results?phase={phase.id}&page=9")).text, phase.id) == rest
    campaign = (await browser.get(f"{w.url}/results?scope=campaign")).text
    assert f'href="{w.url}/results?scope=campaign&amp;phase={phase.id}&amp;page=2"' in campaign


@pytest.mark.ranking_cache
async def test_statements_stay_constant_with_the_cache_cold_and_warm(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    w = await world(db)
    await browser.sign_in(ORGANIZER)

    async def count() -> int:
        queries.reset()
        assert (await browser.get(f"{w.url}/results")).status_code == 200
        return queries.count

    cold, warm = await count(), await count()
    assert warm < cold  # the arithmetic's three reads are skipped
    for i in range(8):
        await add_team(db, w, f"More{i}", [[4, 2, 8]] * 3, challenge=i % 2)
    await db.commit()
    from judging import ranking_cache

    ranking_cache.CACHE.clear()  # the factories wrote around the services: no version was bumped
    assert (await count(), await count()) == (cold, warm)
    print(f"results page statements: {cold} cold, {warm} warm")

"""Every main page sends as many SQL statements at 400 entries as at 50 (issue 9): lists paginate
and count in SQL, and nothing loads a row per entry, team, judge or scorecard.

Each page is asked twice at each size and the second answer counted, so that what a first request
does once (a session's activity, a cache filled) weighs the same at both sizes.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Browser, QueryCounter
from tests.scale import CAPTAIN, JUDGE, ORGANIZER, ScaleWorld

SMALL, LARGE = 50, 400
ADVANCEMENT = "/campaigns/{campaign}/phases/{judging}/advancement"

PAGES = [
    pytest.param(CAPTAIN, "/", id="home"),
    pytest.param(CAPTAIN, "/campaigns/{campaign}", id="campaign"),
    pytest.param(CAPTAIN, "/teams/{team}", id="team"),
    pytest.param(CAPTAIN, "/teams/{team}/entry", id="entry"),
    pytest.param(CAPTAIN, "/teams/{team}/entry/similar", id="entry-similar"),
    pytest.param(JUDGE, "/judging", id="judge-queue"),
    pytest.param(JUDGE, "/judging/{judging}/entries/{entry}", id="score-form"),
    pytest.param(ORGANIZER, ADVANCEMENT, id="entry-list"),
    pytest.param(ORGANIZER, ADVANCEMENT + "?show=advance&q=team", id="entry-list-filtered"),
    pytest.param(ORGANIZER, ADVANCEMENT + "?per_page=300", id="entry-list-300"),
    pytest.param(ORGANIZER, "/campaigns/{campaign}/phases/{judging}/assignments", id="assignments"),
    pytest.param(ORGANIZER, "/campaigns/{campaign}/phases/{judging}/assignments?page=2&choose={entry}", id="assign-2"),
    pytest.param(ORGANIZER, "/campaigns/{campaign}/phases/{judging}/progress", id="progress"),
    pytest.param(ORGANIZER, "/campaigns/{campaign}/results", id="organizer-results"),
    pytest.param(ORGANIZER, "/campaigns/{campaign}/entries", id="campaign-entries"),
    pytest.param(ORGANIZER, "/campaigns/{campaign}/entries?submitted=yes&q=team&page=2", id="campaign-entries-2"),
    pytest.param(ORGANIZER, "/campaigns/{campaign}/results?phase={judging}&page=2", id="organizer-results-2"),
]


async def _count(browser: Browser, queries: QueryCounter, url: str) -> tuple[int, list[str]]:
    first = await browser.get(url)
    assert first.status_code == 200, (url, first.status_code)
    queries.reset()
    again = await browser.get(url)
    assert again.status_code == 200, (url, again.status_code)
    return queries.count, list(queries.statements)


@pytest.mark.parametrize(("who", "template"), PAGES)
async def test_a_page_sends_as_many_statements_at_400_entries_as_at_50(
    db: AsyncSession, browser: Browser, queries: QueryCounter, who: str, template: str
) -> None:
    world = await ScaleWorld.build(db)
    await world.grow(db, SMALL)
    await browser.sign_in(who)
    url = world.path(template)
    small, small_statements = await _count(browser, queries, url)
    await world.grow(db, LARGE)
    large, large_statements = await _count(browser, queries, url)
    assert large == small, "\n".join(["at 50:", *small_statements, "at 400:", *large_statements])

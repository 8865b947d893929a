"""Every main page sends as many SQL statements at 400 entries as at 50 (issue 9): lists paginate
and count in SQL, and nothing loads a row per entry, team, judge or scorecard.

Each page is asked twice at each size and the second answer counted, so that what a first request
does once (a session's activity, a cache filled) weighs the same at both sizes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import AuditEntry
from tests.conftest import NOW, Browser, QueryCounter
from tests.factories import make_user
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


# --- the audit log (issue 13): a page of 50 entries by 50 different people, at 50 and 400 entries ---

AUDIT = "/campaigns/{campaign}/audit"
ADMIN = "admin@example.com"
AUDIT_PAGES = [
    pytest.param(ORGANIZER, AUDIT + "?person=captain&action=team.create&page=2", id="campaign-audit"),
    pytest.param(ADMIN, "/audit?campaign={campaign}&since=2026-01-01&until=2026-12-31", id="audit"),
]


async def _grow_audit(db: AsyncSession, world: ScaleWorld, total: int) -> None:
    """Audit entries until the campaign has ``total``: each by another captain, every fifth by the system."""
    campaign = world.scenario.campaign.id
    have = await db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.campaign_id == campaign)) or 0
    people = (await db.scalars(select(User.id).order_by(User.id))).all()
    rows = [
        {
            "at": NOW,
            "actor_id": None if n % 5 == 0 else people[n % len(people)],
            "action": "team.create",
            "subject_type": "team",
            "subject_id": n,
            "campaign_id": campaign,
            "after": {"name": f"Team {n}"},
        }
        for n in range(have, total)
    ]
    if rows:
        await db.execute(insert(AuditEntry), rows)
    await db.commit()


@pytest.mark.parametrize(("who", "template"), AUDIT_PAGES)
async def test_the_audit_log_sends_as_many_statements_at_400_entries_as_at_50(
    db: AsyncSession, browser: Browser, queries: QueryCounter, who: str, template: str
) -> None:
    world = await ScaleWorld.build(db)
    await make_user(db, ADMIN, admin=True)
    await world.grow(db, SMALL)
    await _grow_audit(db, world, SMALL)
    await browser.sign_in(who)
    url = world.path(template)
    small, small_statements = await _count(browser, queries, url)
    await world.grow(db, LARGE)
    await _grow_audit(db, world, LARGE)
    large, large_statements = await _count(browser, queries, url)
    print(f"{url}: {small} statements at {SMALL} entries, {large} at {LARGE}")
    assert large == small, "\n".join(["at 50:", *small_statements, "at 400:", *large_statements])

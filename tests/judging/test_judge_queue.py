"""The judge's queue: only their own assignments, grouped by campaign and phase, with progress."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Browser
from tests.factories import assign, make_campaign, make_entry, make_scorecard, make_team, make_user


async def test_queue_shows_own_assignments_with_status_and_progress(db: AsyncSession, browser: Browser) -> None:
    ann = await make_user(db, "ann@example.com")
    bob = await make_user(db, "bob@example.com")
    spring = await make_campaign(db, stage="judging", judges=[ann, bob], title="Spring Challenge")
    autumn = await make_campaign(db, stage="judging", judges=[ann], title="Autumn Challenge")
    entries = []
    for i, scenario in enumerate([spring, spring, spring, autumn]):
        captain = await make_user(db, f"cap{i}@example.com")
        team = await make_team(db, scenario, captain, name=f"Team {i}")
        entries.append((scenario, await make_entry(db, team, scenario.submission, title=f"Idea number {i}")))
    for scenario, entry in entries:
        await assign(db, scenario.judging, entry, ann)
    # Bob judges only entry 2 of spring; Ann has finished entry 0 and started entry 1
    await assign(db, spring.judging, entries[2][1], bob)
    await make_scorecard(db, spring, entries[0][1], ann, [5, 3, 5], final=True)
    await make_scorecard(db, spring, entries[1][1], ann, [2], final=False)
    await db.commit()

    await browser.sign_in("ann@example.com")
    page = await browser.get("/judging")
    assert page.status_code == 200
    text = page.text
    assert "Spring Challenge" in text and "Autumn Challenge" in text
    for i in range(4):
        assert f"Idea number {i}" in text
        assert f"/judging/{entries[i][0].judging.id}/entries/{entries[i][1].id}" in text
    assert "1 of 3 final" in text and "0 of 1 final" in text
    assert "Final" in text and "Draft" in text and "Not started" in text
    assert "Judging closes" in text

    await browser.sign_out()
    await browser.sign_in("bob@example.com")
    text = (await browser.get("/judging")).text
    assert "Idea number 2" in text
    for i in (0, 1, 3):
        assert f"Idea number {i}" not in text
    assert "Autumn Challenge" not in text


async def test_someone_without_assignments_sees_a_friendly_empty_state(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "newbie@example.com")
    await db.commit()
    await browser.sign_in("newbie@example.com")
    page = await browser.get("/judging")
    assert page.status_code == 200
    assert "Nothing to judge right now" in page.text


async def test_queue_needs_sign_in(browser: Browser) -> None:
    response = await browser.get("/judging", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["location"]

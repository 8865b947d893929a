"""Assignment by hand: organizers add and remove judges of the pool, never a judge of the entry's own team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from judging.models import Assignment
from tests.conftest import Browser, QueryCounter
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user


async def assignments_of(db: AsyncSession, scenario: Scenario) -> list[tuple[int, int]]:
    found = (
        await db.execute(
            select(Assignment.entry_id, Assignment.judge_id)
            .where(Assignment.phase_id == scenario.judging.id)
            .order_by(Assignment.id)
        )
    ).all()
    await db.commit()
    return [(e, j) for e, j in found]


async def arrange(db: AsyncSession) -> tuple[Scenario, dict[str, User], Any, str]:
    people = {
        name: await make_user(db, f"{name}@example.com", name=name.capitalize())
        for name in ("org", "ann", "bob", "cat", "cap", "outsider")
    }
    scenario = await make_campaign(
        db, organizer=people["org"], stage="judging", judges=[people["ann"], people["bob"], people["cat"]]
    )
    # cat is a judge and also a member of the Blue Team
    team = await make_team(db, scenario, people["cap"], members=[people["cat"]], name="Blue Team")
    entry = await make_entry(db, team, scenario.submission, title="Pick by light")
    await db.commit()
    return scenario, people, entry, f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/assignments"


async def test_page_lists_submitted_entries_with_judges_and_count(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry, url = await arrange(db)
    other = await make_team(db, scenario, people["outsider"], name="Draft Team")
    await make_entry(db, other, scenario.submission, submitted=False, title="Unfinished idea")
    await assign(db, scenario.judging, entry, people["ann"])
    await db.commit()
    await browser.sign_in("org@example.com")

    page = await browser.get(url)
    assert page.status_code == 200
    assert "Blue Team" in page.text and "Pick by light" in page.text and "Challenge 1" in page.text
    assert "Ann" in page.text
    assert "1 of 3" in page.text
    assert "Unfinished idea" not in page.text  # only submitted entries are judged


async def test_assign_and_remove_by_hand(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry, url = await arrange(db)
    await browser.sign_in("org@example.com")

    response = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["bob"].id)})
    assert response.status_code == 303
    assert await assignments_of(db, scenario) == [(entry.id, people["bob"].id)]
    assert "Bob" in (await browser.get(url)).text

    assignment_id = (await db.scalar(select(Assignment.id).where(Assignment.judge_id == people["bob"].id))) or 0
    await db.commit()
    response = await browser.post(f"{url}/{assignment_id}/delete")
    assert response.status_code == 303
    assert await assignments_of(db, scenario) == []


async def test_refusals(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry, url = await arrange(db)
    await assign(db, scenario.judging, entry, people["ann"])
    await db.commit()
    await browser.sign_in("org@example.com")

    # each refusal goes back to the entry's row with the reason, so that a reload assigns nothing later
    member = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["cat"].id)})
    assert member.headers["location"] == f"{url}?page=1#entry-{entry.id}"
    text = (await browser.landing(member)).text
    assert "member of the entry&#39;s team" in text or "member of the entry's team" in text

    duplicate = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["ann"].id)})
    assert "already assigned" in (await browser.landing(duplicate)).text

    not_in_pool = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["outsider"].id)})
    assert "judge pool" in (await browser.landing(not_in_pool)).text

    unknown_entry = await browser.post(url, {"entry_id": "999999", "judge_id": str(people["bob"].id)})
    assert unknown_entry.status_code == 404

    assert await assignments_of(db, scenario) == [(entry.id, people["ann"].id)]


async def test_removing_an_assignment_with_a_final_scorecard_is_refused(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry, url = await arrange(db)
    assignment = await assign(db, scenario.judging, entry, people["ann"])
    await make_scorecard(db, scenario, entry, people["ann"], [4, 4, 6], final=True)
    await db.commit()
    await browser.sign_in("org@example.com")

    response = await browser.post(f"{url}/{assignment.id}/delete")
    assert "finalised" in (await browser.landing(response)).text
    assert await assignments_of(db, scenario) == [(entry.id, people["ann"].id)]


async def test_only_organizers(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry, url = await arrange(db)
    assignment = await assign(db, scenario.judging, entry, people["ann"])
    await db.commit()
    for email in ("ann@example.com", "cap@example.com"):
        await browser.sign_in(email)
        assert (await browser.get(url)).status_code == 404
        response = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["bob"].id)})
        assert response.status_code == 404
        assert (await browser.post(f"{url}/{assignment.id}/delete")).status_code == 404
        await browser.sign_out()
    assert await assignments_of(db, scenario) == [(entry.id, people["ann"].id)]


async def test_paginated_with_constant_queries(db: AsyncSession, browser: Browser, queries: QueryCounter) -> None:
    scenario, people, _entry, url = await arrange(db)
    await browser.sign_in("org@example.com")

    async def add_teams(start: int, count: int) -> None:
        for i in range(start, start + count):
            captain = await make_user(db, f"captain{i}@example.com")
            team = await make_team(db, scenario, captain, name=f"Team {i:02d}")
            made = await make_entry(db, team, scenario.submission)
            await assign(db, scenario.judging, made, people["ann"])
            await assign(db, scenario.judging, made, people["bob"])
        await db.commit()

    await add_teams(0, 2)
    queries.reset()
    assert (await browser.get(url)).status_code == 200
    few = queries.count

    await add_teams(2, 30)
    queries.reset()
    first = await browser.get(url)
    many = queries.count
    print(f"queries with 3 entries: {few}, with 33 entries: {many}")
    assert many == few
    assert "Page 1 of 2" in first.text
    second = await browser.get(url + "?page=2")
    table = second.text[second.text.index('<table class="assignments') :]  # (the short-entries list names all)
    assert "Team 29" in table and "Team 01" not in table

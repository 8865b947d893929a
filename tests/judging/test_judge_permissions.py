"""A judge reaches only the pages and data of the entries assigned to them, before and after a conflict."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Browser
from tests.factories import assign, make_campaign, make_entry, make_team, make_user


async def test_only_assigned_entries_before_and_after_a_conflict(db: AsyncSession, browser: Browser) -> None:
    org = await make_user(db, "org@example.com")
    ann = await make_user(db, "ann@example.com", name="Ann")
    bob = await make_user(db, "bob@example.com", name="Bob")
    scenario = await make_campaign(db, organizer=org, stage="judging", judges=[ann, bob])
    mine = await make_entry(
        db, await make_team(db, scenario, await make_user(db, "c1@example.com"), name="Red"), scenario.submission
    )
    other = await make_entry(
        db, await make_team(db, scenario, await make_user(db, "c2@example.com"), name="Green"), scenario.submission
    )
    await assign(db, scenario.judging, mine, ann)
    await assign(db, scenario.judging, other, bob)
    await db.commit()
    phase = scenario.judging.id
    mine_url, other_url = f"/judging/{phase}/entries/{mine.id}", f"/judging/{phase}/entries/{other.id}"
    organizer_pages = [
        f"/campaigns/{scenario.campaign.id}/phases/{phase}/{page}" for page in ("setup", "assignments", "rubric")
    ]
    await browser.sign_in("ann@example.com")

    assert (await browser.get(mine_url)).status_code == 200
    queue = await browser.get("/judging")
    assert "Red" in queue.text and "Green" not in queue.text
    assert (await browser.get(other_url)).status_code == 404
    assert (await browser.post(other_url + "/scores", {f"c{scenario.criteria[0].id}": "3"})).status_code == 404
    assert (await browser.post(other_url + "/conflict", {"confirm": "yes"})).status_code == 404
    for url in organizer_pages:
        assert (await browser.get(url)).status_code == 404
    assert (await browser.post(organizer_pages[1] + "/auto", {"seed": "1"})).status_code == 404

    assert (await browser.post(mine_url + "/conflict", {"confirm": "yes"})).status_code == 303
    assert (await browser.get(mine_url)).status_code == 404
    assert (await browser.post(mine_url + "/scores", {f"c{scenario.criteria[0].id}": "3"})).status_code == 404
    assert (await browser.post(mine_url + "/finalise", {})).status_code == 404
    # declared again (a re-sent form): sent back to the queue with what happened, nothing recorded twice
    again = await browser.post(mine_url + "/conflict", {"confirm": "yes"})
    assert again.status_code == 303 and again.headers["location"] == "/judging"
    assert "You have already declared a conflict of interest on this entry." in (await browser.get("/judging")).text
    assert "Red" not in (await browser.get("/judging")).text

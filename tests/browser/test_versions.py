"""Two members editing one entry at once, in two real browsers: an autosave whose connection drops
is retried; the second member's save gets the conflict with what the first one changed, keeps its
text, autosave pauses (no loop), and after merging by hand the save goes through; then two
versions are compared."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from teams.models import EntryVersion
from tests import factories as f
from tests.browser.test_journey import sign_in
from tests.browser.test_races import Traffic, server_errors

pytestmark = pytest.mark.browser


async def test_two_members_edit_the_entry_at_once_and_compare_versions(
    db: AsyncSession, live_server: str, page: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    now = datetime.now(UTC)
    ann = await f.make_user(db, "ann@example.com", name="Ann Lee")
    bob = await f.make_user(db, "bob@example.com", name="Bob Stone")
    scenario = await f.make_campaign(db, stage="submission", now=now)
    team = await f.make_team(db, scenario, ann, members=[bob], name="Pickers United")
    entry = await f.make_entry(db, team, scenario.submission, now=now, title="Pick-to-light shelves")
    entry_id = entry.id
    await db.commit()
    url = f"{live_server}/teams/{team.id}/entry"

    bob_context = await page.context.browser.new_context(locale="en-GB")
    bob_page = await bob_context.new_page()
    bob_page.set_default_timeout(10_000)
    try:
        await sign_in(page, live_server, "ann@example.com")
        await sign_in(bob_page, live_server, "bob@example.com")
        await page.goto(url)
        await bob_page.goto(url)

        # Bob saves first (autosave): the connection drops once, the page says so and tries again
        dropped: list[str] = []

        async def drop(route: Any) -> None:
            dropped.append(route.request.url)
            await route.abort("connectionreset")

        await bob_page.route("**/entry/save", drop)
        await bob_page.fill("#f-summary", "Lights on every shelf show the picker the right bin.")
        await bob_page.locator("#save-status").filter(has_text="Not saved — retrying").wait_for()
        await bob_page.unroute("**/entry/save", drop)
        await bob_page.locator("#save-status").filter(has_text="Saved at").wait_for()  # version 2
        assert len(dropped) == 1

        # Ann's form is still based on version 1: her autosave is refused with Bob's change shown
        traffic = Traffic(page)
        ann_text = "Pickers take look-alike items from the wrong bin."
        await page.fill("#f-problem", ann_text)
        await page.locator("#save-status").filter(has_text="a teammate saved version 2").wait_for()
        conflict = page.locator("#entry-conflict")
        assert "Version 2 was saved by Bob Stone" in await conflict.inner_text()
        assert await conflict.locator("ins").filter(has_text="Lights on every shelf").count() == 1
        assert await page.input_value("#f-problem") == ann_text  # her text is kept
        assert await page.input_value("#base-version") == "2"

        # autosave pauses after the conflict: typing sends nothing until she saves by hand
        await page.fill("#f-summary", "Lights on every shelf show the picker the right bin, even for look-alikes.")
        await page.wait_for_timeout(1800)
        assert traffic.posts() == [("save", 409)]
        await page.click("button:has-text('Save draft')")
        await page.locator("#save-status").filter(has_text="Saved at").wait_for()
        assert await conflict.inner_text() == ""
        assert await page.input_value("#base-version") == "3"

        versions = (
            await db.scalars(
                select(EntryVersion)
                .where(EntryVersion.entry_id == entry_id)
                .order_by(EntryVersion.number)
                .execution_options(populate_existing=True)
            )
        ).all()
        await db.commit()
        assert [v.number for v in versions] == [1, 2, 3]
        assert versions[2].problem == ann_text and "even for look-alikes" in versions[2].summary

        # compare version 2 (Bob's) with version 3 (merged) from the history
        await page.fill("#compare-old", "2")
        await page.fill("#compare-new", "3")
        await page.click("form.compare-form button")
        await page.wait_for_url("**/entry/compare**")
        assert "Version 2 compared with version 3" in await page.locator("h1").inner_text()
        assert await page.locator("ins").filter(has_text="even for look-alikes").count() == 1
        assert await page.locator("del").filter(has_text="The problem").count() == 1
        assert server_errors(caplog) == []
    finally:
        await bob_context.close()

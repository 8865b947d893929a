"""The team board in a real browser: a captain lists the skills the team lacks, a person lists
themself, is suggested the team, asks to join; the captain accepts in another browser context."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


async def _sign_in(page: Any, base: str, email: str) -> None:
    await page.goto(base + "/sign-in")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_url(base + "/")


async def test_find_a_team_on_the_board_and_be_accepted(db: AsyncSession, live_server: str, page: Any) -> None:
    s = await f.make_campaign(db, stage="registration", now=datetime.now(UTC), max_team_size=3)
    cap = await f.make_user(db, "cap@example.com", name="Cap")
    await f.make_user(db, "lin@example.com", name="Lin", department=await f.make_department(db, "Finance"))
    team = await f.make_team(db, s, cap, name="Pickers")
    await db.commit()
    captain = await page.context.browser.new_context(locale="en-GB")
    cap_page = await captain.new_page()
    cap_page.set_default_timeout(10_000)

    await _sign_in(cap_page, live_server, "cap@example.com")
    await cap_page.goto(f"{live_server}/teams/{team.id}")
    await cap_page.fill("#needs textarea[name=needs], #needs input[name=needs]", "Python, 数据分析")
    await cap_page.click("#needs button[type=submit]")
    await cap_page.wait_for_load_state()

    await _sign_in(page, live_server, "lin@example.com")
    await page.goto(f"{live_server}/campaigns/{s.campaign.id}/board")
    await page.fill("[name=skills]", "数据分析, SQL")
    await page.fill("[name=pitch]", "Dashboards <fast>")
    await page.click("form[action$='/board/listing'] button[type=submit]")
    suggestion = page.locator("section[aria-labelledby=suggested-heading] .board-item", has_text="Pickers")
    await suggestion.wait_for()
    assert "Shared skills: 数据分析" in await suggestion.inner_text()
    await suggestion.get_by_role("link", name="Ask to join").click()
    await page.fill("[name=message]", "I build dashboards.")
    await page.click("form[action$='/join-requests'] button[type=submit]")
    await page.get_by_text("Your request is sent").wait_for()

    await cap_page.reload()  # the captain's page, opened before the request came
    request = cap_page.locator("#requests .board-item", has_text="Lin")
    assert "I build dashboards." in await request.inner_text()
    await request.get_by_role("button", name="Accept").click()
    members = cap_page.locator("section[aria-labelledby=members-heading] li", has_text="Lin")
    await members.wait_for()

    await page.goto(f"{live_server}/campaigns/{s.campaign.id}/board")
    await page.get_by_text("You are in the team Pickers.").wait_for()
    assert await page.locator(".board-item h3", has_text="Lin").count() == 0  # off the board once in a team
    assert "Nobody is looking for a team yet." in await page.inner_text("main")
    await captain.close()

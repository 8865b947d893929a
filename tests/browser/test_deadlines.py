"""Deadlines in a real browser: the viewer's own zone shown beside the campaign's, and the countdown running."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


async def test_viewer_zone_and_live_countdown(db: AsyncSession, live_server: str, page: Any) -> None:
    organizer = await f.make_user(db, "org@example.com", name="Olga")
    now = datetime.now(UTC)
    scenario = await f.make_campaign(db, organizer=organizer, stage="submission", now=now, timezone="Europe/Berlin")
    # the submission phase closes in a minute and a half: the countdown shows seconds
    scenario.submission.closes_at = now + timedelta(seconds=90)
    await db.commit()

    context = await page.context.browser.new_context(locale="en-GB", timezone_id="Asia/Tokyo")
    tab = await context.new_page()
    tab.set_default_timeout(10_000)
    await tab.goto(live_server + "/sign-in")
    await tab.fill("input[name=email]", "org@example.com")
    await tab.fill("input[name=password]", PASSWORD)
    await tab.click("form[action='/sign-in'] button[type=submit]")
    await tab.wait_for_url(live_server + "/")
    await tab.goto(f"{live_server}/campaigns/{scenario.campaign.id}/timeline")

    closes = tab.locator(f"#phase-{scenario.submission.id} .deadline").nth(1)
    # the browser's zone reached the server (a cookie set by the script on the first page)
    viewer = closes.locator(".viewer-time")
    await viewer.wait_for(state="visible")
    text = await viewer.inner_text()
    assert "your time:" in text and "(Tokyo, UTC+9)" in text, text
    assert "(Berlin, UTC+1)" in await closes.locator("time").inner_text()
    countdown = closes.locator(".countdown")
    first = await countdown.inner_text()
    assert re.fullmatch(r"closes in 1 min \d+ s", first), first
    await tab.wait_for_function(
        "([el, before]) => el.textContent !== before", arg=[await countdown.element_handle(), first]
    )
    assert re.fullmatch(r"closes in (1 min )?\d+ s", await countdown.inner_text())
    # the chart is drawn without script or inline style
    assert await tab.locator("#timeline-chart svg rect.tl-bar").count() == 4
    await context.close()

"""A campaign's dashboard report prints on one A4 page from the browser, in English and Chinese,
without the header, filters or buttons; the innovation record prints too (PDF through print)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.browser.test_journey import sign_in
from tests.insights.world import build

pytestmark = pytest.mark.browser

HIDDEN_IN_PRINT = """() => ['.site-header', '.dash-filters', 'button[data-print]', '.table-view']
  .map((s) => document.querySelector(s)).filter((el) => el && getComputedStyle(el).display !== 'none')
  .map((el) => el.className || el.tagName)"""


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


async def test_a_campaign_report_prints_on_one_page(db: AsyncSession, live_server: str, page: Any) -> None:
    world = await build(db)
    await sign_in(page, live_server, "exec@example.com")
    for locale in ("en", "zh_CN"):
        await page.context.add_cookies([{"name": "kaizen_lang", "value": locale, "url": live_server}])
        response = await page.goto(f"{live_server}/dashboard?campaign={world.a.campaign.id}")
        assert response is not None and response.status == 200
        assert len(await page.evaluate(HIDDEN_IN_PRINT)) == 4  # on screen, all four show
        await page.emulate_media(media="print")
        assert await page.evaluate(HIDDEN_IN_PRINT) == []
        assert await page.locator("svg.dash-chart.funnel").is_visible()
        pdf = await page.pdf(format="A4", print_background=True)
        assert pdf_pages(pdf) == 1, locale
        await page.emulate_media(media="screen")
        record = await page.goto(f"{live_server}/people/{world.people['s1'].id}/record")
        assert record is not None and record.status == 200
        assert pdf_pages(await page.pdf(format="A4")) >= 1

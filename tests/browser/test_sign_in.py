from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


async def test_sign_in_in_a_real_browser_and_switch_to_chinese(db: AsyncSession, live_server: str, page: Any) -> None:
    await f.make_user(db, "ann@example.com", name="Ann")
    await db.commit()
    await page.goto(live_server + "/")
    await page.fill("input[name=email]", "ann@example.com")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_url(live_server + "/")
    assert "Ann" in await page.inner_text("header")
    await page.select_option("#locale-select", "zh_CN")
    await page.click("form.lang-switch button")
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "zh-CN"

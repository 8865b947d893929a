"""Every message has a Chinese translation with the same placeholders, and pages use it."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import Browser
from web.i18n import TRANSLATIONS_DIR

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_chinese_catalog_is_complete_and_keeps_placeholders() -> None:
    with (TRANSLATIONS_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    untranslated, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(ids[0])
        elif set(PLACEHOLDER.findall(str(ids[-1]))) != set(PLACEHOLDER.findall(str(strings[0]))):
            broken.append(ids[0])
    print(f"messages: {len(catalog)}")
    assert untranslated == [] and broken == []


async def test_pages_render_in_chinese(browser: Browser, db: AsyncSession) -> None:
    organizer = await f.make_user(db, "org@example.com")
    scenario = await f.make_campaign(db, organizer=organizer)
    await db.commit()
    await browser.post("/language", {"locale": "zh_CN"})
    assert "登录" in (await browser.get("/sign-in")).text
    await browser.sign_in("org@example.com")
    for url in ("/", "/campaigns", f"/campaigns/{scenario.campaign.id}", "/judging"):
        page = await browser.get(url)
        assert page.status_code == 200 and 'lang="zh-CN"' in page.text
        assert "活动" in page.text or "评审" in page.text, url

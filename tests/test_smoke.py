from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.services import create_user
from tests.conftest import Browser


async def test_health_answers_ok_with_the_database(browser: Browser) -> None:
    response = await browser.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_sign_in_then_home_then_sign_out(browser: Browser, db: AsyncSession) -> None:
    await create_user(db, email="Ann@Example.com", name="Ann", password="correct-horse-battery")
    await db.commit()
    assert (await browser.get("/", follow_redirects=False)).status_code == 303
    await browser.sign_in("ann@example.com")
    home = await browser.get("/")
    assert home.status_code == 200 and "Ann" in home.text
    await browser.sign_out()
    assert (await browser.get("/", follow_redirects=False)).status_code == 303

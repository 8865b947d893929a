"""Sign-in, sessions and throttling through HTTP."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AuthSession
from core.clock import FrozenClock
from tests import factories as f
from tests.conftest import Browser


async def test_wrong_password_gets_one_generic_message_and_keeps_the_email(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    wrong = await browser.post("/sign-in", {"email": "ann@example.com", "password": "nope-nope-nope"})
    unknown = await browser.post("/sign-in", {"email": "nobody@example.com", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "The e-mail address or password is not correct." in wrong.text
    assert "The e-mail address or password is not correct." in unknown.text
    assert 'value="ann@example.com"' in wrong.text


async def test_sign_in_is_throttled_per_account(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for _ in range(5):
        await browser.post("/sign-in", {"email": "ann@example.com", "password": "wrong-password"})
    blocked = await browser.post("/sign-in", {"email": "ann@example.com", "password": "correct-horse-battery"})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text


async def test_throttle_ends_after_the_window(browser: Browser, db: AsyncSession, clock: FrozenClock) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for _ in range(5):
        await browser.post("/sign-in", {"email": "ann@example.com", "password": "wrong-password"})
    clock.advance(timedelta(minutes=16))
    await browser.sign_in("ann@example.com")


async def test_every_sign_in_gets_a_new_session_token(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    first = browser.client.cookies.get("kaizen_session")
    await browser.sign_in("ann@example.com")
    second = browser.client.cookies.get("kaizen_session")
    assert first and second and first != second
    # the old session was ended server-side, not only forgotten by the browser
    assert await db.scalar(select(func.count()).select_from(AuthSession)) == 1


async def test_session_cookie_is_httponly_and_lax(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    response = await browser.sign_in("ann@example.com")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_idle_session_expires_and_asks_to_sign_in_again(
    browser: Browser, db: AsyncSession, clock: FrozenClock
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    assert (await browser.get("/")).status_code == 200
    clock.advance(timedelta(hours=9))
    expired = await browser.get("/", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"].startswith("/sign-in?next=")


async def test_sessions_live_in_the_database_and_are_shared_by_app_instances(
    browser: Browser, db: AsyncSession, settings: object, clock: FrozenClock
) -> None:
    from litestar.testing import AsyncTestClient

    from web.app import create_app

    await f.make_user(db, "ann@example.com", name="Ann")
    await db.commit()
    await browser.sign_in("ann@example.com")
    token = browser.client.cookies.get("kaizen_session")
    other = create_app(settings, clock=clock)  # type: ignore[arg-type]
    async with AsyncTestClient(app=other, base_url="http://testserver.local") as second:
        second.cookies.set("kaizen_session", token or "")
        page = await second.get("/")
        assert page.status_code == 200 and "Ann" in page.text


async def test_sign_out_ends_the_session(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    await browser.sign_out()
    assert await db.scalar(select(func.count()).select_from(AuthSession)) == 0


async def test_next_parameter_cannot_redirect_off_site(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    response = await browser.post(
        "/sign-in", {"email": "ann@example.com", "password": "correct-horse-battery", "next": "//evil.example/x"}
    )
    assert response.headers["location"] == "/"

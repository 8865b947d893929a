"""CSRF tokens bound to the session, through HTTP: a cookie and token from one browser do not pass
with another person's session; anonymous forms keep working; the production cookie is __Host-."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.clock import FrozenClock
from tests import factories as f
from tests.conftest import PASSWORD, Browser
from web.app import create_app
from web.security import session_csrf_token
from web.settings import Settings

REFUSED = "This form could not be verified"


def page_token(html: str) -> str:
    """The token the page's forms send (the hidden field of the language switch)."""
    match = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', html)
    assert match, html[:500]
    return match.group(1)


def browser_of(app: Litestar) -> httpx.AsyncClient:
    """One more browser, in the test's own event loop (the ``client`` fixture runs the lifespan)."""
    asgi: Any = app
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://testserver.local")


async def sign_in(b: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Signs the browser in; its cookies."""
    await b.get("/sign-in")
    signed = await b.post(
        "/sign-in", data={"email": email, "password": PASSWORD}, headers={"x-csrftoken": b.cookies["kaizen_csrf"]}
    )
    assert signed.status_code == 303
    return dict(b.cookies)


async def send_with(app: Litestar, cookies: dict[str, str], data: dict[str, str], token: str | None) -> httpx.Response:
    """A POST to the language switch from a browser holding exactly these cookies."""
    async with browser_of(app) as b:
        for name, value in cookies.items():
            b.cookies.set(name, value)
        return await b.post("/language", data=data, headers={"x-csrftoken": token} if token else {})


async def locale_of(db: AsyncSession, email: str) -> str | None:
    locale = await db.scalar(select(User.locale).where(User.email == email))
    await db.commit()
    return locale


async def test_a_cookie_and_token_from_another_browser_do_not_pass_with_this_session(
    db: AsyncSession, app: Litestar, client: Any
) -> None:
    await f.make_user(db, "ann@example.com")
    await f.make_user(db, "bob@example.com")
    await db.commit()
    async with browser_of(app) as bob_browser, browser_of(app) as ann_browser:
        bob = await sign_in(bob_browser, "bob@example.com")
        ann = await sign_in(ann_browser, "ann@example.com")
        # Ann's own pair works in Ann's browser
        own = await ann_browser.post(
            "/language", data={"locale": "en", "next": "/"}, headers={"x-csrftoken": ann["kaizen_csrf"]}
        )
        assert own.status_code == 303
        # Ann's cookie and token replayed with Bob's session (as a header, as a form field):
        # refused with the reason, nothing changed
        for header in (True, False):
            data = {"locale": "zh_CN", "next": "/"} | ({} if header else {"_csrf_token": ann["kaizen_csrf"]})
            replay = await send_with(
                app,
                {"kaizen_session": bob["kaizen_session"], "kaizen_csrf": ann["kaizen_csrf"]},
                data,
                ann["kaizen_csrf"] if header else None,
            )
            assert replay.status_code == 403
            assert REFUSED in replay.text
            assert "default-src 'self'" in replay.headers["content-security-policy"]
        assert await locale_of(db, "bob@example.com") is None
        # an anonymous pair (the sign-in page's) does not pass with Bob's session either
        async with browser_of(app) as anonymous:
            await anonymous.get("/sign-in")
            token = anonymous.cookies["kaizen_csrf"]
        cookies = {"kaizen_session": bob["kaizen_session"], "kaizen_csrf": token}
        refused = await send_with(app, cookies, {"locale": "zh_CN"}, token)
        assert refused.status_code == 403
        assert await locale_of(db, "bob@example.com") is None
        # Bob's own browser still works
        mine = await bob_browser.post(
            "/language", data={"locale": "zh_CN", "next": "/"}, headers={"x-csrftoken": bob["kaizen_csrf"]}
        )
        assert mine.status_code == 303
    assert await locale_of(db, "bob@example.com") == "zh_CN"


async def test_sign_in_gives_a_session_bound_token_that_the_forms_use(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    sign_in_page = await browser.get("/sign-in")
    anonymous = page_token(sign_in_page.text)
    assert anonymous == browser.client.cookies["kaizen_csrf"]  # the anonymous form's token is the cookie's
    await browser.sign_in("ann@example.com")
    bound = session_csrf_token(settings.secret_key, browser.client.cookies["kaizen_session"])
    assert browser.client.cookies["kaizen_csrf"] == bound != anonymous
    home = await browser.get("/")
    assert page_token(home.text) == bound
    assert f'"x-csrftoken": "{bound}"' in home.text  # htmx requests send it too
    # the anonymous token no longer passes for this session; the bound one does
    stale = await browser.post("/language", {"locale": "en"}, headers={"x-csrftoken": anonymous})
    assert stale.status_code == 403
    assert (await browser.post("/language", {"locale": "en"})).status_code == 303
    # signing out gives a fresh anonymous token, with which signing in again works
    await browser.sign_out()
    after = browser.client.cookies["kaizen_csrf"]
    assert after not in (bound, anonymous)
    await browser.sign_in("ann@example.com")
    assert browser.client.cookies["kaizen_csrf"] == session_csrf_token(
        settings.secret_key, browser.client.cookies["kaizen_session"]
    )


async def test_a_session_with_an_older_token_gets_the_bound_one_on_its_next_page(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    """A session from before this rule (its CSRF cookie random) is not stuck: its next page sets
    the session's token, and its forms then pass."""
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.get("/sign-in")
    old = browser.client.cookies["kaizen_csrf"]
    await browser.sign_in("ann@example.com")
    browser.client.cookies.set("kaizen_csrf", old, domain="testserver.local")
    page = await browser.get("/account")
    bound = session_csrf_token(settings.secret_key, browser.client.cookies["kaizen_session"])
    assert page.status_code == 200 and page_token(page.text) == bound
    assert browser.client.cookies["kaizen_csrf"] == bound
    assert (await browser.post("/language", {"locale": "en"})).status_code == 303


async def test_a_changed_password_binds_the_token_to_the_new_session(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    before = browser.client.cookies["kaizen_csrf"]
    changed = await browser.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "new_password_confirm": "a-new-long-password",
        },
    )
    assert changed.status_code == 303, changed.text
    bound = session_csrf_token(settings.secret_key, browser.client.cookies["kaizen_session"])
    assert browser.client.cookies["kaizen_csrf"] == bound != before
    assert (await browser.post("/language", {"locale": "en"})).status_code == 303


@pytest.fixture
async def production(database_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Browser]:
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        scheduler_enabled=False,
        upload_dir=tmp_path / "uploads",
        production=True,
    )
    async with AsyncTestClient(app=create_app(settings, clock=clock), base_url="https://testserver.local") as client:
        yield Browser(client)


async def test_production_cookies_use_the_host_prefix(db: AsyncSession, production: Browser) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    page = await production.get("/sign-in")
    csrf = [c for c in page.headers.get_list("set-cookie") if c.startswith("__Host-kaizen_csrf=")]
    assert len(csrf) == 1
    attributes = [part.strip().lower() for part in csrf[0].split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not [a for a in attributes if a.startswith("domain")]
    token = production.client.cookies["__Host-kaizen_csrf"]
    signed = await production.client.post(
        "/sign-in",
        data={"email": "ann@example.com", "password": PASSWORD},
        headers={"x-csrftoken": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    cookies = signed.headers.get_list("set-cookie")
    assert [c for c in cookies if c.startswith("__Host-kaizen_session=")]
    bound = [c for c in cookies if c.startswith("__Host-kaizen_csrf=")]
    assert len(bound) == 1 and "secure" in bound[0].lower() and "path=/" in bound[0].lower()
    assert "strict-transport-security" in signed.headers
    language = await production.client.post(
        "/language",
        data={"locale": "en"},
        headers={"x-csrftoken": production.client.cookies["__Host-kaizen_csrf"]},
        follow_redirects=False,
    )
    assert language.status_code == 303

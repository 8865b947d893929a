"""The security baseline that holds for every route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import FrozenClock
from tests import factories as f
from tests.conftest import Browser
from web.app import create_app
from web.settings import Settings
from web.templating import render_markdown


def assert_security_headers(response: Any, hsts: bool = False) -> None:
    what = (response.request.method, str(response.request.url), response.status_code)
    assert "default-src 'self'" in response.headers.get("content-security-policy", ""), what
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"], what
    assert response.headers.get_list("x-content-type-options") == ["nosniff"], what
    assert response.headers.get("x-frame-options") == "DENY", what
    assert response.headers.get("referrer-policy") == "same-origin", what
    assert response.headers.get("cross-origin-opener-policy") == "same-origin", what
    assert ("strict-transport-security" in response.headers) is hsts, what


async def responses_of_every_kind(browser: Browser) -> list[Any]:
    """A page, a redirect, an unrouted 404 (page and JSON), a 405, a static file, a HEAD, the
    cross-origin and the CSRF refusals."""
    answers = [
        await browser.get("/sign-in"),
        await browser.get("/health"),
        await browser.get("/", follow_redirects=False),
        await browser.get("/no-such-page"),
        await browser.get("/no-such-page", headers={"accept": "application/json"}),
        await browser.get("/sign-out"),
        await browser.get("/static/css/app.css"),
        await browser.get("/favicon.ico", follow_redirects=False),
        await browser.client.head("/sign-in"),
        await browser.post("/language", {"locale": "en"}, headers={"origin": "https://evil.example"}),
        await browser.client.post("/language", data={"locale": "en"}, follow_redirects=False),
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses[2] in (302, 303) and statuses[3:6] == [404, 404, 405], statuses
    assert statuses[6] == 200 and statuses[9:] == [403, 403], statuses
    assert "Cross-origin request refused" in answers[9].text
    return answers


async def test_security_headers_on_every_response(browser: Browser) -> None:
    for response in await responses_of_every_kind(browser):
        assert_security_headers(response)


async def test_production_adds_hsts_to_every_response(database_url: str, tmp_path: Path, clock: FrozenClock) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        scheduler_enabled=False,
        upload_dir=tmp_path / "uploads",
        production=True,
    )
    async with AsyncTestClient(app=create_app(settings, clock=clock), base_url="https://testserver.local") as client:
        browser = Browser(client, csrf_cookie="__Host-kaizen_csrf")
        for response in await responses_of_every_kind(browser):
            assert_security_headers(response, hsts=True)


async def test_post_without_csrf_token_is_refused(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.get("/sign-in")
    response = await browser.client.post(
        "/sign-in", data={"email": "ann@example.com", "password": "correct-horse-battery"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "kaizen_session" not in response.cookies


async def test_cross_origin_post_is_refused_even_with_a_token(browser: Browser) -> None:
    response = await browser.post("/language", {"locale": "zh_CN"}, headers={"origin": "https://evil.example"})
    assert response.status_code == 403


async def test_unknown_page_is_a_friendly_404_page_and_json_for_json_clients(browser: Browser) -> None:
    page = await browser.get("/no-such-page")
    assert page.status_code == 404 and "We could not find that page." in page.text
    data = await browser.get("/no-such-page", headers={"accept": "application/json"})
    assert data.status_code == 404 and data.json()["status"] == 404


async def test_anonymous_htmx_request_gets_a_client_redirect_to_sign_in(browser: Browser) -> None:
    response = await browser.get("/", headers={"hx-request": "true"}, follow_redirects=False)
    assert response.headers.get("hx-redirect", "").startswith("/sign-in")


async def test_participant_is_denied_admin_pages(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    response = await browser.get("/admin/users")
    assert response.status_code in (403, 404)


def test_markdown_is_sanitised() -> None:
    html = str(
        render_markdown("**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html


async def test_language_follows_accept_language_then_the_switch(browser: Browser) -> None:
    chinese = await browser.get("/sign-in", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh-CN"' in chinese.text
    await browser.post("/language", {"locale": "en", "next": "/sign-in"})
    english = await browser.get("/sign-in", headers={"accept-language": "zh-CN"})
    assert 'lang="en"' in english.text

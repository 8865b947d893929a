"""The security baseline that holds for every route."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import Browser
from web.templating import render_markdown


async def test_security_headers_on_every_response(browser: Browser) -> None:
    for url in ("/sign-in", "/health", "/no-such-page"):
        response = await browser.get(url)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"


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

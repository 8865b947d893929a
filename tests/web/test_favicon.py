"""The site icon: linked from every page, served by the app, and at /favicon.ico for browsers that just ask."""

from __future__ import annotations

from tests.conftest import Browser


async def test_favicon_ico_answers_without_a_session(browser: Browser) -> None:
    response = await browser.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO directory
    assert "max-age" in response.headers["cache-control"]


async def test_pages_link_the_svg_icon_and_a_png_fallback(browser: Browser) -> None:
    html = (await browser.get("/sign-in")).text
    assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/icons/favicon-32.png" type="image/png" sizes="32x32">' in html
    svg = await browser.get("/static/icons/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    png = await browser.get("/static/icons/favicon-32.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"

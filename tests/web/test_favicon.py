"""The site icon: linked from every page, served by the app, and at /favicon.ico for browsers that just ask."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Browser
from web import templating


async def test_favicon_ico_answers_without_a_session(browser: Browser) -> None:
    response = await browser.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO directory
    assert "max-age" in response.headers["cache-control"]


async def test_pages_link_the_svg_icon_and_a_png_fallback(browser: Browser) -> None:
    html = (await browser.get("/sign-in")).text
    svg_link = re.search(r'<link rel="icon" href="(/static/icons/favicon\.svg\?v=\w+)" type="image/svg\+xml">', html)
    png_link = re.search(
        r'<link rel="icon" href="(/static/icons/favicon-32\.png\?v=\w+)" type="image/png" sizes="32x32">', html
    )
    assert svg_link and png_link
    svg = await browser.get(svg_link.group(1))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    png = await browser.get(png_link.group(1))
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


async def test_static_files_are_linked_by_content_and_kept_for_a_year(browser: Browser) -> None:
    html = (await browser.get("/sign-in")).text
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=(\w+)"', html)
    assert {path for path, _v in links} >= {"/static/css/app.css", "/static/js/app.js"}
    for path, version in links:
        response = await browser.get(f"{path}?v={version}")
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["cache-control"]
        assert "immutable" in response.headers["cache-control"]


def test_a_changed_static_file_gets_a_new_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "STATIC_DIR", tmp_path)
    (tmp_path / "site.css").write_text("body { color: black }")
    first = templating.static_url("site.css", reload=True)
    (tmp_path / "site.css").write_text("body { color: navy }")
    second = templating.static_url("site.css", reload=True)
    assert first.startswith("/static/site.css?v=") and second.startswith("/static/site.css?v=")
    assert first != second

"""The site icon at the address browsers ask for by themselves (pages link the SVG and PNG in web/static/icons)."""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.response import File

from web.deps import PUBLIC

ICONS_DIR = Path(__file__).resolve().parent.parent / "static" / "icons"


@get("/favicon.ico", opt=PUBLIC, name="favicon", include_in_schema=False)
async def favicon() -> File:
    return File(
        path=ICONS_DIR / "favicon.ico",
        filename="favicon.ico",
        media_type="image/x-icon",
        content_disposition_type="inline",
        headers={"cache-control": "public, max-age=86400"},
    )


routes = [favicon]

"""The home page: what the signed-in person can do next."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from web.deps import USER


@get("/", opt=USER, name="home")
async def home(request: Request[Any, Any, Any]) -> Template:
    return Template(template_name="home.html", context={})


routes = [home]

"""Every route has an explicit access decision: a new route without one fails here."""

from __future__ import annotations

from litestar import Litestar

from web.auth import ACCESS_LEVELS


def test_every_route_handler_declares_its_access(app: Litestar) -> None:
    undecided = [
        f"{sorted(handler.http_methods)} {route.path}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("access") not in ACCESS_LEVELS
        and handler.http_methods != {"OPTIONS"}  # Litestar's automatic OPTIONS answer
    ]
    print(f"routes checked: {len(app.routes)}")
    assert undecided == []


def test_public_routes_are_only_the_expected_ones(app: Litestar) -> None:
    public = sorted(
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("access") == "public"
    )
    assert set(public) <= {"/health", "/sign-in", "/sign-out", "/language", "/static/{file_path:path}", "/favicon.ico"}

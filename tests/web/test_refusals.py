"""A refused action goes back to the page its route names (``web.refusals``), with the refusal's
message in the campaign's time zone; a refused form answers with the form again
(``web.forms.or_form_again``)."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.testing import AsyncTestClient

from core.errors import N_, Conflict, NotFound, ValidationFailed
from web.errors import EXCEPTION_HANDLERS
from web.flash import FlashMiddleware, take
from web.forms import is_invalid, or_form_again, read_form
from web.refusals import REFUSED, back_to, note_timezone, refused
from web.settings import Settings

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PUBLIC = {"access": "public"}


def test_every_refused_page_names_only_its_routes_path_parameters(app: Litestar) -> None:
    wrong = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            page = handler.opt.get(REFUSED)
            if page is None:
                continue
            names = {name for _text, name, _spec, _conv in string.Formatter().parse(page) if name}
            params = set(re.findall(r"{(\w+):", route.path))
            if not page.startswith("/") or not names <= params or "POST" not in handler.http_methods:
                wrong.append(f"{handler.name}: {page} ({route.path})")
    assert wrong == []


# --- the mechanism, on a small app -----------------------------------------------------------------


@post("/things/{thing_id:int}/act", opt={**PUBLIC, **refused("/things/{thing_id}")})
async def _act(request: Request[Any, Any, Any], thing_id: FromPath[int]) -> None:
    note_timezone(request, "Asia/Shanghai")
    if thing_id == 404:
        raise NotFound(N_("No such thing."))
    raise Conflict(N_("Closed since %(when)s."), when=WHEN)


@post("/things/{thing_id:int}/page", opt={**PUBLIC, **refused("/things/{thing_id}")})
async def _act_on_a_page(request: Request[Any, Any, Any], thing_id: FromPath[int]) -> None:
    page = (await read_form(request)).page()
    back_to(request, f"/things/{thing_id}?page={page}")
    raise Conflict(N_("Refused."))


async def _save(name: str, closed: bool) -> str:
    if closed:
        raise Conflict(N_("Closed."))
    if not name:
        raise ValidationFailed({"name": N_("Give it a name.")})
    return name


@post("/things/{thing_id:int}/form", opt={**PUBLIC, **refused("/things/{thing_id}")})
async def _form(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await read_form(request)
    values = form.values("name", "closed")

    def again(errors: dict[str, str], status: int) -> Response[Any]:
        return Response({"values": values, "errors": errors}, status_code=status)

    saved = await or_form_again(request, _save(values["name"], form.flag("closed")), again, when=is_invalid)
    return Response({"saved": saved}, status_code=201)


@get("/flash", opt=PUBLIC)
async def _flash(request: Request[Any, Any, Any]) -> list[str]:
    return [message.text for message in take(request)]


def _app(settings: Settings) -> Litestar:
    return Litestar(
        route_handlers=[_act, _act_on_a_page, _form, _flash],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[FlashMiddleware()],
        request_class=HTMXRequest,
        state=State({"settings": settings}),
    )


async def test_a_refusal_goes_back_to_the_routes_page_with_its_times_in_the_campaigns_zone(
    settings: Settings,
) -> None:
    async with AsyncTestClient(app=_app(settings), base_url="http://testserver.local") as client:
        back = await client.post("/things/7/act", follow_redirects=False)
        assert back.status_code == 303 and back.headers["location"] == "/things/7"
        (message,) = (await client.get("/flash")).json()
        assert message.startswith("Closed since ") and "5:30" in message and "UTC+8" in message  # 09:30 UTC

        htmx = await client.post("/things/7/act", headers={"hx-request": "true"})
        assert htmx.status_code == 200 and htmx.headers["hx-redirect"] == "/things/7"

        missing = await client.post("/things/404/act", headers={"accept": "application/json"})
        assert missing.status_code == 404  # outside the scope: no page to go back to

        paged = await client.post("/things/7/page", data={"page": "3"}, follow_redirects=False)
        assert paged.status_code == 303 and paged.headers["location"] == "/things/7?page=3"


async def test_a_refused_form_answers_with_the_form_again_and_what_was_typed(settings: Settings) -> None:
    async with AsyncTestClient(app=_app(settings), base_url="http://testserver.local") as client:
        invalid = await client.post("/things/7/form", data={"name": "  "})
        assert invalid.status_code == 422
        assert invalid.json() == {"values": {"name": "", "closed": ""}, "errors": {"name": "Give it a name."}}

        closed = await client.post("/things/7/form", data={"name": "Kept", "closed": "on"}, follow_redirects=False)
        assert closed.status_code == 303 and closed.headers["location"] == "/things/7"  # the state, not the form

        saved = await client.post("/things/7/form", data={"name": " Ada "})
        assert saved.status_code == 201 and saved.json() == {"saved": "Ada"}

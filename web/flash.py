"""Redirect-after-post with a flash message: the outcome of a form, shown once on the next page.

A POST that changes something (or refuses to) answers with a 303 (an htmx request: a client
redirect) to the page that shows the result, so that reloading that page never sends the form
again. The message travels in a short-lived, signed, HttpOnly cookie holding the text already
translated in the viewer's language; ``base.html`` shows it and the cookie is then deleted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Literal

from litestar import Request, Response
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from web.database import refuse_changes

FLASH_COOKIE = "kaizen_flash"
MAX_AGE = 300  # seconds: a message nobody came to read is not shown much later
MAX_MESSAGES = 3
MAX_LENGTH = 600
_SHOWN = "kaizen.flash_shown"
Level = Literal["ok", "info", "error"]
LEVELS: tuple[Level, ...] = ("ok", "info", "error")


@dataclass(frozen=True)
class Flash:
    level: Level
    text: str


def _secret(request: Request[Any, Any, Any]) -> bytes:
    return str(request.app.state.settings.secret_key).encode()


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def _encode(secret: bytes, messages: list[Flash]) -> str:
    raw = json.dumps([[m.level, m.text] for m in messages], ensure_ascii=False, separators=(",", ":"))
    payload = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload)}"


def _decode(secret: bytes, value: str) -> list[Flash]:
    payload, _, signature = value.partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(secret, payload)):
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [
        Flash(level, text)
        for item in items
        if isinstance(item, list) and len(item) == 2
        for level, text in [item]
        if level in LEVELS and isinstance(text, str)
    ]


def pending(request: Request[Any, Any, Any]) -> list[Flash]:
    """The messages waiting for this browser (not yet shown)."""
    value = request.cookies.get(FLASH_COOKIE)
    return _decode(_secret(request), value) if value else []


def take(request: Request[Any, Any, Any]) -> list[Flash]:
    """The waiting messages, for a page that shows them: the cookie is deleted with this answer."""
    messages = pending(request)
    if messages:
        request.scope.setdefault("state", {})[_SHOWN] = True
    return messages


def with_flash(request: Request[Any, Any, Any], response: Response[Any], *messages: Flash) -> Response[Any]:
    """Adds ``messages`` to those the next page shows (after any not yet shown)."""
    fresh = [Flash(m.level, m.text[:MAX_LENGTH]) for m in messages if m.text]
    if not fresh:
        return response
    response.set_cookie(
        Cookie(
            key=FLASH_COOKIE,
            value=_encode(_secret(request), [*pending(request), *fresh][-MAX_MESSAGES:]),
            path="/",
            max_age=MAX_AGE,
            httponly=True,
            secure=bool(request.app.state.settings.production),
            samesite="lax",
        )
    )
    return response


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """Was the request sent by htmx (the app's request class, ``HTMXRequest``, reads its header)?"""
    return isinstance(request, HTMXRequest) and bool(request.htmx)


def see_other(
    request: Request[Any, Any, Any],
    path: str,
    *,
    ok: str | None = None,
    info: str | None = None,
    error: str | None = None,
) -> Response[Any]:
    """Redirect-after-post to ``path`` (htmx: a client redirect), with the outcome as a flash message.

    With an ``error`` alone the request was refused: nothing it wrote is committed
    (``refuse_changes``), whatever the service wrote before it refused. With ``ok`` beside it, it
    was done in part (the error says what is missing) and is committed."""
    if error and not ok:
        refuse_changes()
    response: Response[Any] = Redirect(path, status_code=303)
    if is_htmx(request):
        response = ClientRedirect(redirect_to=path)
        response.status_code = 200  # not a POST handler's default 201
    outcomes: tuple[tuple[Level, str | None], ...] = (("ok", ok), ("info", info), ("error", error))
    return with_flash(request, response, *(Flash(level, text) for level, text in outcomes if text))


class FlashMiddleware(ASGIMiddleware):
    """Deletes the flash cookie once a page has shown its messages (unless the answer sets new ones)."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and scope.get("state", {}).get(_SHOWN):
                headers = MutableScopeHeaders.from_message(message)
                prefix = f"{FLASH_COOKIE}="
                if not any(v.startswith(prefix) for v in headers.getall("set-cookie", [])):
                    headers.add("set-cookie", f"{prefix}; Max-Age=0; Path=/; HttpOnly; SameSite=Lax")
            await send(message)

        await next_app(scope, receive, send_wrapper)

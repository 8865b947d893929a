"""Security headers on every response and an Origin check on unsafe methods."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.middleware import ASGIMiddleware
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HSTS = "max-age=31536000; includeSubDomains"


def _encoded(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


class SecurityHeadersMiddleware(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    def __init__(self, hsts: bool = False) -> None:
        self.hsts = hsts
        # encoded once: every response gets these, replacing any value the handler set
        self._headers = _encoded({**HEADERS, "strict-transport-security": HSTS} if hsts else HEADERS)
        self._names = frozenset(name for name, _value in self._headers)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in UNSAFE_METHODS and not _same_origin(scope):
            refusal = ASGIResponse(body=b"Cross-origin request refused.", status_code=403, media_type="text/plain")
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = self._names
                headers = [header for header in message.get("headers", ()) if header[0].lower() not in names]
                headers.extend(self._headers)
                message["headers"] = headers
            await send(message)

        await next_app(scope, receive, send_with_headers)


def _same_origin(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    origin = headers.get(b"origin")
    if origin is None:
        # browsers send Origin on cross-site unsafe requests; fall back to Fetch metadata
        return headers.get(b"sec-fetch-site", b"same-origin") in (b"same-origin", b"none")
    host = headers.get(b"host", b"").decode("latin-1")
    return urlsplit(origin.decode("latin-1")).netloc == host

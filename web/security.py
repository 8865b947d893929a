"""Security headers on every response, an Origin check on unsafe methods, and CSRF tokens bound
to the signed-in session.

The headers are added by an app-level ``before_send`` hook (``security_headers``), which sees
every message the app sends: pages, redirects, static files, error pages of unrouted paths (404,
405, answered before any route's middleware) and the refusals of the middlewares below.

CSRF is Litestar's double-submit check (``CSRFConfig``: the cookie and the form field or
``x-csrftoken`` header must hold the same signed token). ``SessionCsrfMiddleware`` binds it to
the session: for a signed-in request the token Litestar compares with is derived from the
session token (an HMAC with the secret key), whatever CSRF cookie the browser sent, so a cookie
and token taken from another browser do not pass with this session. Anonymous forms (sign-in)
keep the random token of the cookie; the answer that starts a session (sign-in, a password
change) sets the cookie of the new session's token, and one that ends it a fresh random one.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash, generate_csrf_token
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

if TYPE_CHECKING:
    from litestar.config.csrf import CSRFConfig
    from litestar.types import BeforeMessageSendHookHandler

    from web.settings import Settings

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
CSRF_COOKIE = "kaizen_csrf"
CSRF_FAILED = "CSRF token verification failed"  # Litestar's detail of its refusal
_SESSION_CSRF_CONTEXT = b"kaizen-csrf-session:"


def _encoded(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


def security_headers(hsts: bool = False) -> BeforeMessageSendHookHandler:
    """A ``before_send`` hook that puts the security headers on every response, replacing any
    value a handler set for one of them."""
    encoded = _encoded({**HEADERS, "strict-transport-security": HSTS} if hsts else HEADERS)
    names = frozenset(name for name, _value in encoded)

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            headers = [header for header in message.get("headers", ()) if header[0].lower() not in names]
            headers.extend(encoded)
            message["headers"] = headers

    return add_security_headers


class SameOriginMiddleware(ASGIMiddleware):
    """Refuses an unsafe request that a browser says comes from another site."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in UNSAFE_METHODS and not _same_origin(scope):
            refusal = ASGIResponse(body=b"Cross-origin request refused.", status_code=403, media_type="text/plain")
            await refusal(scope, receive, send)
            return
        await next_app(scope, receive, send)


def _same_origin(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    origin = headers.get(b"origin")
    if origin is None:
        # browsers send Origin on cross-site unsafe requests; fall back to Fetch metadata
        return headers.get(b"sec-fetch-site", b"same-origin") in (b"same-origin", b"none")
    host = headers.get(b"host", b"").decode("latin-1")
    return urlsplit(origin.decode("latin-1")).netloc == host


# --- CSRF bound to the session ------------------------------------------------------------------


def csrf_cookie_name(settings: Settings) -> str:
    # the __Host- prefix pins the cookie to this host and path over HTTPS, as the session's
    return f"__Host-{CSRF_COOKIE}" if settings.production else CSRF_COOKIE


def session_csrf_token(secret: str, session_token: str) -> str:
    """The CSRF token of a signed-in session, in Litestar's form (64 hex characters and their
    HMAC): its first half is an HMAC of the session token, which only that session's pages show."""
    bound = hmac.new(secret.encode(), _SESSION_CSRF_CONTEXT + session_token.encode(), hashlib.sha256).hexdigest()
    assert len(bound) == CSRF_SECRET_LENGTH
    return bound + generate_csrf_hash(token=bound, secret=secret)


def _cookie_value(set_cookie: bytes, name: bytes) -> str | None:
    """The value a Set-Cookie header gives cookie ``name`` ("" when it deletes it), else None."""
    pair, _sep, attributes = set_cookie.partition(b";")
    key, sep, value = pair.partition(b"=")
    if not sep or key.strip() != name:
        return None
    text = value.strip().strip(b'"').decode("latin-1")
    if "max-age=0" in attributes.decode("latin-1").lower().replace(" ", ""):
        return ""
    return text


class SessionCsrfMiddleware(ASGIMiddleware):
    """Binds the CSRF token to the signed-in session (see the module). Runs after
    ``CurrentUserMiddleware``, which puts the session token in ``scope["auth"]``, and before
    Litestar's CSRF middleware, which then checks against the session's token."""

    scopes = ("http",)  # type: ignore[assignment]

    def __init__(self, session_cookie: str) -> None:
        self.session_cookie = session_cookie.encode("latin-1")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        app = scope["litestar_app"]
        config: CSRFConfig | None = app.csrf_config
        if config is None:
            await next_app(scope, receive, send)
            return
        secret: str = config.secret
        session_token: str | None = scope.get("auth")
        renew: str | None = None
        if session_token:
            expected = session_csrf_token(secret, session_token)
            cookies: dict[str, Any] = ASGIConnection(scope).cookies
            if cookies.get(config.cookie_name) != expected:
                # what Litestar's check and the page's forms use; the browser gets it with this answer
                ScopeState.from_scope(scope).cookies = {**cookies, config.cookie_name: expected}
                renew = expected

        async def send_with_csrf_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = renew
                for name, value in message.get("headers", ()):
                    started = _cookie_value(value, self.session_cookie) if name.lower() == b"set-cookie" else None
                    if started is not None:
                        token = session_csrf_token(secret, started) if started else generate_csrf_token(secret)
                if token is not None:
                    _set_csrf_cookie(message, config, token)
            await send(message)

        await next_app(scope, receive, send_with_csrf_cookie)


def _set_csrf_cookie(message: Message, config: CSRFConfig, token: str) -> None:
    headers = MutableScopeHeaders.from_message(message)
    cookie = Cookie(
        key=config.cookie_name,
        value=token,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )
    headers.add("set-cookie", cookie.to_header(header=""))

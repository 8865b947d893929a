"""Who is asking: the session cookie becomes ``request.user``; guards decide per route.

Every route handler declares ``opt={"access": ...}``; the app-wide guard denies any handler
without a decision, so a new route cannot be reachable by accident. Campaign-scoped rights
(organizer, judge, team member) are decided by the services, which answer 404 outside scope.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import is_platform_lead
from accounts.models import User
from accounts.services import find_session, record_session
from core.clock import Clock
from core.timezones import is_valid_timezone
from web.database import SAFE_METHODS, RequestSessions, begin_reading, begin_writing
from web.i18n import negotiate, set_locale, set_viewer_zone
from web.settings import Settings

SESSION_COOKIE = "kaizen_session"
LOCALE_COOKIE = "kaizen_lang"
# the browser's own time zone, set by web/static/js/app.js for people who have not chosen one
ZONE_COOKIE = "kaizen_tz"
# polled by the page itself, not by the person: does not extend the session's idle time
BACKGROUND_PATHS = frozenset({"/notifications/bell"})
# files that are the same for everyone: no session lookup
ANONYMOUS_PREFIXES = ("/static/", "/favicon.ico")

Access = Literal["public", "user", "admin", "executive"]
ACCESS_LEVELS: tuple[str, ...] = ("public", "user", "admin", "executive")


def session_cookie_name(settings: Settings) -> str:
    # the __Host- prefix pins the cookie to this host and path over HTTPS
    return f"__Host-{SESSION_COOKIE}" if settings.production else SESSION_COOKIE


class CurrentUserMiddleware(ASGIMiddleware):
    """Loads the signed-in user (or None) and picks the page language.

    The lookup runs in the request's one database session (web.database.RequestSessions), the
    one the handler's ``db_session`` then gets: one connection for a page. It only reads; the
    session's activity, recorded at most once a minute, and the end of a stale session are
    written in a short transaction of their own, so a GET otherwise never takes SQLite's write
    lock. An unsafe request ends the reading transaction before its handler runs, whose
    transaction then begins IMMEDIATE (never upgrading a read) when it first touches the database,
    as before: after the body is read, not during an upload.
    """

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        app = scope["litestar_app"]
        settings: Settings = app.state.settings
        clock: Clock = app.state.clock
        user: User | None = None
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        token = connection.cookies.get(session_cookie_name(settings))
        path = scope["path"]
        if path.startswith(ANONYMOUS_PREFIXES):
            await next_app(scope, receive, send)
            return
        sessions: RequestSessions = app.state.request_sessions
        try:
            if token:
                user = await _signed_in_user(sessions.open(scope), scope, token, settings, clock, path)
            scope["user"] = user
            scope["auth"] = token if user else None
            set_locale(
                (user.locale if user and user.locale else None)
                or connection.cookies.get(LOCALE_COOKIE)
                or negotiate(connection.headers.get("accept-language"))
            )
            set_viewer_zone(_viewer_zone(user, connection.cookies.get(ZONE_COOKIE)))
            sessions.open(scope)  # the handler's db_session: deferred for a safe method, else IMMEDIATE
            await next_app(scope, receive, send)
        finally:
            await sessions.close(scope)  # when no answer was sent (the before-send hook closes it otherwise)


async def _signed_in_user(
    db: AsyncSession, scope: Scope, token: str, settings: Settings, clock: Clock, path: str
) -> User | None:
    now = clock.now()
    await begin_reading(db)
    lookup = await find_session(
        db,
        token=token,
        now=now,
        idle_timeout=timedelta(seconds=settings.session_idle_timeout),
        activity=path not in BACKGROUND_PATHS,
    )
    if lookup.user is not None:
        db.expunge(lookup.user)  # the handler's rollback must not expire the request's user
    if lookup.needs_write:
        await begin_writing(db)
        await record_session(db, lookup, now=now)
        await db.commit()
    elif scope.get("method", "GET") not in SAFE_METHODS:
        await db.commit()  # the handler's transaction begins IMMEDIATE, not as an upgraded read
    return lookup.user


def _viewer_zone(user: User | None, browser_zone: str | None) -> str | None:
    """The zone a person reads times in: their own setting, else their browser's."""
    for zone in (user.timezone if user else None, browser_zone):
        if zone and is_valid_timezone(zone):
            return zone
    return None


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    user: User | None = connection.scope.get("user")
    return user


async def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    # async on purpose: Litestar runs a synchronous guard in a worker thread, one hop per request
    access = handler.opt.get("access")
    if access not in ACCESS_LEVELS:
        raise PermissionDeniedException("This route has no access decision.")
    if access == "public":
        return
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException("Please sign in.")
    if access == "admin" and not user.is_admin:
        raise PermissionDeniedException()
    if access == "executive" and not is_platform_lead(user):
        raise PermissionDeniedException()

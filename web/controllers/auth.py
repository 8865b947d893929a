"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import update

from accounts.models import User
from accounts.services import authenticate, end_session, start_session
from accounts.throttle import Limits
from core.errors import DomainError
from web.auth import LOCALE_COOKIE, session_cookie_name
from web.deps import PUBLIC, AppClock, AppSettings, DbSession, form_value
from web.i18n import LOCALES
from web.i18n import gettext as _
from web.input_guard import OWN_TEXT_CHECKS
from web.proxies import client_address


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@get("/sign-in", opt=PUBLIC, name="sign_in")
async def sign_in_page(request: Request[Any, Any, Any], next: FromQuery[str | None] = None) -> Response[Any]:
    if request.scope.get("user") is not None:
        return Redirect(path=safe_next(next), status_code=303)
    return Template(template_name="auth/sign_in.html", context={"email": "", "error": None, "next": next or ""})


@post("/sign-in", opt={**PUBLIC, OWN_TEXT_CHECKS: True}, name="sign_in_submit")
async def sign_in(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, settings: AppSettings
) -> Response[Any]:
    form = await request.form()
    email, password, target = form_value(form, "email"), str(form.get("password", "")), form_value(form, "next")
    address = client_address(
        request.client.host if request.client else None,
        request.headers.getall("x-forwarded-for", []),
        settings.trusted_proxies,
    )
    limits = Limits(
        account=settings.sign_in_max_failures,
        address=settings.sign_in_address_max_failures,
        window=timedelta(seconds=settings.sign_in_window_seconds),
    )
    try:
        user = await authenticate(
            db_session, email=email, password=password, address=address, now=clock.now(), limits=limits
        )
    except DomainError as exc:  # the attempt was counted and committed already
        return Template(
            template_name="auth/sign_in.html",
            context={"email": email, "error": _(exc.message), "next": target},
            status_code=401 if exc.status_code == 422 else exc.status_code,
        )
    cookie_name = session_cookie_name(settings)
    if old := request.cookies.get(cookie_name):
        await end_session(db_session, old)
    token = await start_session(
        db_session,
        user=user,
        now=clock.now(),
        absolute_timeout=timedelta(seconds=settings.session_absolute_timeout),
        user_agent=request.headers.get("user-agent"),
    )
    return Redirect(
        path=safe_next(target),
        status_code=303,
        cookies=[
            Cookie(
                key=cookie_name,
                value=token,
                httponly=True,
                secure=settings.production,
                samesite="lax",
                path="/",
                max_age=settings.session_absolute_timeout,
            )
        ],
    )


@post("/sign-out", opt=PUBLIC, name="sign_out")
async def sign_out(request: Request[Any, Any, Any], db_session: DbSession, settings: AppSettings) -> Response[Any]:
    cookie_name = session_cookie_name(settings)
    if token := request.cookies.get(cookie_name):
        await end_session(db_session, token)
    response: Response[Any] = Redirect(path="/sign-in", status_code=303)
    response.delete_cookie(cookie_name, path="/")
    return response


@post("/language", opt=PUBLIC, name="set_language")
async def set_language(request: Request[Any, Any, Any], db_session: DbSession) -> Response[Any]:
    form = await request.form()
    locale = form_value(form, "locale")
    if locale not in LOCALES:
        locale = "en"
    user: User | None = request.scope.get("user")
    if user is not None:
        await db_session.execute(update(User).where(User.id == user.id).values(locale=locale))
    back = safe_next(form_value(form, "next") or "/")
    return Redirect(
        path=back,
        status_code=303,
        cookies=[
            Cookie(key=LOCALE_COOKIE, value=locale, httponly=True, samesite="lax", path="/", max_age=365 * 24 * 3600)
        ],
    )


routes = [sign_in_page, sign_in, sign_out, set_language]

"""A person's own account: time zone, language and password (notification choices have their own page)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from accounts.profile import change_password, selectable_timezones, update_preferences
from core.errors import DomainError
from web.auth import LOCALE_COOKIE, session_cookie_name
from web.deps import USER, AppClock, AppSettings, DbSession, signed_in
from web.forms import or_form_again, read_form
from web.i18n import LOCALES, get_locale
from web.messages import error_messages

SAVED = {"preferences", "password"}


async def _account_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: str | None = None,
    status: int = 200,
) -> Template:
    user = signed_in(request)
    account = await db.scalar(select(User).where(User.id == user.id).options(joinedload(User.department)))
    assert account is not None
    chosen = values or {"timezone": account.timezone or "", "locale": account.locale or get_locale()}
    zones = selectable_timezones()
    if chosen["timezone"] and chosen["timezone"] not in zones:
        zones = (chosen["timezone"], *zones)  # a zone saved before, or typed by hand: still shown
    return Template(
        template_name="account/index.html",
        context={
            "account": account,
            "values": chosen,
            "errors": errors or {},
            "saved": saved if saved in SAVED else None,
            "timezones": zones,
            "languages": LOCALES,
        },
        status_code=status,
    )


@get("/account", opt=USER, name="account")
async def account(
    request: Request[Any, Any, Any], db_session: DbSession, saved: FromQuery[str | None] = None
) -> Template:
    return await _account_page(request, db_session, saved=saved)


@post("/account/preferences", opt=USER, name="account_preferences")
async def account_preferences(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[Any]:
    user = signed_in(request)
    values = (await read_form(request)).values("timezone", "locale")
    await or_form_again(
        request,
        update_preferences(db_session, user, clock.now(), timezone=values["timezone"], locale=values["locale"]),
        lambda errors, status: _account_page(request, db_session, values=values, errors=errors, status=status),
    )
    # the cookie keeps the language after signing out, as the header's switch does
    language = Cookie(
        key=LOCALE_COOKIE, value=values["locale"], httponly=True, samesite="lax", path="/", max_age=365 * 24 * 3600
    )
    return Redirect(path="/account?saved=preferences", status_code=303, cookies=[language])


@post("/account/password", opt=USER, name="account_password")
async def account_password(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, settings: AppSettings
) -> Response[Any]:
    user = signed_in(request)
    form = await request.form()
    try:
        token = await change_password(
            db_session,
            user,
            clock.now(),
            current=str(form.get("current_password") or ""),
            new=str(form.get("new_password") or ""),
            confirm=str(form.get("new_password_confirm") or ""),
            max_failures=settings.sign_in_max_failures,
            window=timedelta(seconds=settings.sign_in_window_seconds),
            absolute_timeout=timedelta(seconds=settings.session_absolute_timeout),
            user_agent=request.headers.get("user-agent"),
        )
    except DomainError as exc:
        # a wrong current password is kept for throttling although the answer is an error
        await db_session.commit()
        return await _account_page(request, db_session, errors=error_messages(exc), status=exc.status_code)
    session_cookie = Cookie(
        key=session_cookie_name(settings),
        value=token,
        httponly=True,
        secure=settings.production,
        samesite="lax",
        path="/",
        max_age=settings.session_absolute_timeout,
    )
    return Redirect(path="/account?saved=password", status_code=303, cookies=[session_cookie])


routes = [account, account_preferences, account_password]

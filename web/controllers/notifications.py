"""Notifications in the app: the bell, the list, marking read, and each person's choices per kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.models import User
from core.pagination import Page
from notifications.models import Notification
from notifications.services import (
    CHOOSABLE_KINDS,
    Channels,
    mail_locale,
    mark_read,
    notifications_page,
    preferences,
    set_preferences,
    unread_count,
    visible_notification,
)
from web.deps import USER, AppClock, AppSettings, DbSession, signed_in
from web.flash import is_htmx
from web.forms import read_form
from web.i18n import LOCALES
from web.notification_params import NotificationText
from web.notification_text import describe, kind_explanation, kind_label
from web.settings import Settings


@dataclass(frozen=True)
class Item:
    notification: Notification
    text: NotificationText
    href: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def _item(notification: Notification) -> Item:
    link = notification.link
    href = link if link.startswith("/") and not link.startswith("//") else ""
    return Item(notification, describe(notification.kind, notification.params), href)


def _list_context(user: User, page: Page[Notification], unread: int) -> dict[str, Any]:
    return {
        "page": page,
        "items": [_item(n) for n in page.items],
        "unread": unread,
        "tz": user.timezone or "UTC",
        "base_url": "/notifications?",
    }


# --- the bell -------------------------------------------------------------------------------------


@get("/notifications/bell", opt=USER, name="notification_bell")
async def notification_bell(request: Request[Any, Any, Any], db_session: DbSession) -> Template:
    count = await unread_count(db_session, signed_in(request))
    return Template(template_name="notifications/_bell.html", context={"bell_count": count, "bell_oob": False})


# --- the list -------------------------------------------------------------------------------------


@get("/notifications", opt=USER, name="notifications")
async def notifications(
    request: Request[Any, Any, Any], db_session: DbSession, settings: AppSettings, page: FromQuery[int] = 1
) -> Template:
    user = signed_in(request)
    found = await notifications_page(db_session, user, max(1, page), settings.page_size)
    unread = await unread_count(db_session, user)
    return Template(template_name="notifications/list.html", context=_list_context(user, found, unread))


@post("/notifications/{notification_id:int}/read", opt=USER, name="notification_read")
async def notification_read(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, notification_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    await mark_read(db_session, user, clock.now(), notification_id)
    notification = await visible_notification(db_session, user, notification_id)
    if notification is None:
        raise NotFoundException()
    page = (await read_form(request)).page()
    if not is_htmx(request):
        return Redirect(path=f"/notifications?page={page}#notification-{notification_id}", status_code=303)
    unread = await unread_count(db_session, user)
    context = {
        "item": _item(notification),
        "tz": user.timezone or "UTC",
        "page": {"number": page},
        "unread": unread,
        "bell_count": unread,
        "bell_oob": True,
    }
    return Template(template_name="notifications/_read_answer.html", context=context)


@post("/notifications/read-all", opt=USER, name="notifications_read_all")
async def notifications_read_all(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, settings: AppSettings
) -> Response[Any]:
    user = signed_in(request)
    await mark_read(db_session, user, clock.now())
    page = (await read_form(request)).page()
    if not is_htmx(request):
        return Redirect(path=f"/notifications?page={page}", status_code=303)
    found = await notifications_page(db_session, user, page, settings.page_size)
    context = {**_list_context(user, found, 0), "bell_count": 0, "bell_oob": True}
    return Template(template_name="notifications/_list_answer.html", context=context)


# --- choices per kind -----------------------------------------------------------------------------


def _preferences_context(
    user: User, chosen: dict[Any, Channels], settings: Settings, *, saved: bool = False
) -> dict[str, Any]:
    return {
        "rows": [
            {
                "kind": kind.value,
                "label": kind_label(kind),
                "explanation": kind_explanation(kind),
                "chosen": chosen[kind],
            }
            for kind in CHOOSABLE_KINDS
        ],
        "email": user.email,
        "language": LOCALES[mail_locale(user.locale)],
        "mail_logged": not settings.smtp_host and user.is_admin,  # a note for whoever runs the server
        "saved": saved,
    }


@get("/account/notifications", opt=USER, name="notification_preferences")
async def notification_preferences(
    request: Request[Any, Any, Any], db_session: DbSession, settings: AppSettings, saved: FromQuery[bool] = False
) -> Template:
    user = signed_in(request)
    chosen = await preferences(db_session, user)
    return Template(
        template_name="notifications/preferences.html",
        context=_preferences_context(user, chosen, settings, saved=saved),
    )


@post("/account/notifications", opt=USER, name="notification_preferences_save")
async def notification_preferences_save(
    request: Request[Any, Any, Any], db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    user = signed_in(request)
    form = await read_form(request)
    chosen = {
        kind: Channels(in_app=form.flag(f"in_app_{kind.value}"), email=form.flag(f"email_{kind.value}"))
        for kind in CHOOSABLE_KINDS
    }
    await set_preferences(db_session, user, chosen)
    if not is_htmx(request):
        return Redirect(path="/account/notifications?saved=true", status_code=303)
    return Template(
        template_name="notifications/_preferences_form.html",
        context=_preferences_context(user, chosen, settings, saved=True),
    )


routes = [
    notification_bell,
    notifications,
    notification_read,
    notifications_read_all,
    notification_preferences,
    notification_preferences_save,
]

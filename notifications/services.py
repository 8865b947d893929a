"""Notifying people: one row per person and kind, e-mail through the outbox, each person's choices kept.

``notify`` runs inside the transaction of whatever caused it (an event handler, a scheduled
action), so a notification and its e-mail exist exactly when the change that caused them does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.pagination import Page, paginate
from notifications.models import MailState, Notification, NotificationKind, NotificationPreference, OutboxMail

DEFAULT_LOCALE = "en"
MAIL_LOCALES = ("en", "zh_CN")

# kinds a person may silence; the rest (none yet) always arrive in the app
CHOOSABLE_KINDS: tuple[NotificationKind, ...] = tuple(NotificationKind)


@dataclass(frozen=True)
class Channels:
    in_app: bool = True
    email: bool = True


def mail_locale(user_locale: str | None) -> str:
    return user_locale if user_locale in MAIL_LOCALES else DEFAULT_LOCALE


async def channels_for(session: AsyncSession, user_ids: list[int], kind: NotificationKind) -> dict[int, Channels]:
    """Each person's channels for ``kind`` (both on without a saved choice)."""
    rows = await session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == kind
        )
    )
    saved = {p.user_id: Channels(in_app=p.in_app, email=p.email) for p in rows.all()}
    return {uid: saved.get(uid, Channels()) for uid in user_ids}


async def notify(
    session: AsyncSession,
    now: datetime,
    user_ids: Iterable[int],
    kind: NotificationKind,
    params: dict[str, Any],
    *,
    link: str = "",
    campaign_id: int | None = None,
) -> list[Notification]:
    """Notifies active people by their choices; queues one e-mail each where they want e-mail.

    ``params`` must be JSON (strings, numbers, ISO times): the text is rendered from it later,
    in the reader's language.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return []
    users = (
        await session.execute(
            select(User.id, User.email, User.locale).where(User.id.in_(ids), User.is_active.is_(True))
        )
    ).all()
    channels = await channels_for(session, [u.id for u in users], kind)
    created: list[tuple[Notification, Any]] = []
    for user in users:
        chosen = channels[user.id]
        if not chosen.in_app and not chosen.email:
            continue
        notification = Notification(
            user_id=user.id,
            kind=kind,
            params=params,
            link=link,
            campaign_id=campaign_id,
            at=now,
            in_app=chosen.in_app,
        )
        session.add(notification)
        created.append((notification, user))
    await session.flush()
    for notification, user in created:
        if channels[user.id].email:
            session.add(
                OutboxMail(
                    notification_id=notification.id,
                    to_address=user.email,
                    locale=mail_locale(user.locale),
                    state=MailState.QUEUED,
                    attempts=0,
                    next_attempt_at=now,
                )
            )
    await session.flush()
    return [n for n, _user in created]


# --- reading --------------------------------------------------------------------------------


def _visible(user: User) -> Any:
    return (Notification.user_id == user.id) & Notification.in_app.is_(True)


async def visible_notification(session: AsyncSession, user: User, notification_id: int) -> Notification | None:
    """One of the user's notifications listed in the app; None for anyone else's (or unknown)."""
    found: Notification | None = await session.scalar(
        select(Notification).where(_visible(user), Notification.id == notification_id)
    )
    return found


async def unread_count(session: AsyncSession, user: User) -> int:
    unread = select(func.count(Notification.id)).where(_visible(user), Notification.read_at.is_(None))
    count = await session.scalar(unread)
    return count or 0


async def notifications_page(session: AsyncSession, user: User, page: int, per_page: int) -> Page[Notification]:
    stmt = select(Notification).where(_visible(user)).order_by(Notification.at.desc(), Notification.id.desc())
    return await paginate(session, stmt, number=page, size=per_page)


async def mark_read(session: AsyncSession, user: User, now: datetime, notification_id: int | None = None) -> int:
    """Marks one of the user's notifications (or all of them) read; returns how many changed."""
    stmt = update(Notification).where(_visible(user), Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    result = await session.execute(stmt.values(read_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def preferences(session: AsyncSession, user: User) -> dict[NotificationKind, Channels]:
    rows = await session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    saved = {p.kind: Channels(in_app=p.in_app, email=p.email) for p in rows.all()}
    return {kind: saved.get(kind, Channels()) for kind in CHOOSABLE_KINDS}


async def set_preferences(session: AsyncSession, user: User, chosen: dict[NotificationKind, Channels]) -> None:
    """Saves the person's choice for every kind in one statement that inserts or updates each row,
    so two saves at the same moment (two tabs, a double click) both succeed, the later one's
    choice standing, as if one came after the other."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = []
    for kind in CHOOSABLE_KINDS:
        channels = chosen.get(kind, Channels(in_app=False, email=False))
        rows.append({"user_id": user.id, "kind": kind, "in_app": channels.in_app, "email": channels.email})
    statement = insert(NotificationPreference).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[NotificationPreference.user_id, NotificationPreference.kind],
            set_={
                "in_app": statement.excluded.in_app,
                "email": statement.excluded.email,
                "updated_at": statement.excluded.updated_at,
            },
        ).execution_options(synchronize_session=False)
    )

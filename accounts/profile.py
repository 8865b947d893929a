"""What a person changes on their own account: password, time zone and language.

Rules chosen here (DOMAIN.md is silent on them):
- a new password needs the current one, typed twice the same, and follows the one length rule
  of every password (``accounts.passwords.password_error``); it must differ from the current one;
- a wrong current password counts as a failed sign-in of the account, so guessing it from a
  borrowed session is throttled like guessing at the sign-in page;
- a changed password ends every session of the person, and the browser that changed it gets a
  new one (a new token), so a stolen session dies with the old password;
- the time zone is an IANA name, or none: the browser's own zone is then used; the language is
  one of ``accounts.models.LOCALES``;
- both changes are audited (never the password or its hash).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import LOCALES, AuthSession, User
from accounts.passwords import hash_password, password_error, verify_password
from accounts.services import SIGN_IN_THROTTLED, start_session
from accounts.throttle import account_key, clear, give_back, reserve
from core.audit import apply_changes, record
from core.errors import N_, TooManyAttempts, ValidationFailed
from core.timezones import is_valid_timezone, zone_names

# the continents and oceans of the IANA database; leaves out aliases such as "US/Eastern" or "Etc/GMT+5"
_REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


@cache
def selectable_timezones() -> tuple[str, ...]:
    """The IANA zones a person picks from: UTC, then every zone of a region, sorted."""
    zones = sorted(z for z in zone_names() if z.split("/", 1)[0] in _REGIONS)
    return ("UTC", *zones)


@dataclass(frozen=True)
class Preferences:
    timezone: str | None  # None: the browser's zone
    locale: str | None


def preference_errors(timezone: str, locale: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if timezone and not is_valid_timezone(timezone):
        errors["timezone"] = N_("Choose a time zone from the list.")
    if locale not in LOCALES:
        errors["locale"] = N_("Choose a language from the list.")
    return errors


async def update_preferences(session: AsyncSession, user: User, now: datetime, *, timezone: str, locale: str) -> None:
    """Sets the person's time zone ("" for the browser's) and language; audited when anything changed."""
    if errors := preference_errors(timezone, locale):
        raise ValidationFailed(errors)
    account = await session.get(User, user.id)
    assert account is not None
    before, after = apply_changes(
        account, Preferences(timezone=timezone or None, locale=locale), ("timezone", "locale")
    )
    if after:
        await session.flush()
        await record(
            session, at=now, actor_id=user.id, action="user.preferences", subject=account, before=before, after=after
        )


async def change_password(
    session: AsyncSession,
    user: User,
    now: datetime,
    *,
    current: str,
    new: str,
    confirm: str,
    max_failures: int,
    window: timedelta,
    absolute_timeout: timedelta,
    user_agent: str | None,
) -> str:
    """Replaces the person's password, ends all their sessions and returns the token of a new one.

    A wrong current password is recorded as a failed sign-in of the account (the caller commits
    it even though the answer is an error); the fields' errors come as ``ValidationFailed``.
    """
    account = await session.get(User, user.id)
    assert account is not None
    key = account_key(account.email)
    reserved = await reserve(session, [(key, max_failures)], now=now, window=window)
    if reserved is None:
        raise TooManyAttempts(SIGN_IN_THROTTLED, field="current_password")
    errors: dict[str, str] = {}
    if await asyncio.to_thread(verify_password, account.password_hash, current):  # argon2: off the event loop
        await give_back(session, reserved)  # only failures count
    else:
        errors["current_password"] = N_("The current password is not correct.")
    if message := password_error(new):
        errors["new_password"] = message
    elif new == current and "current_password" not in errors:
        errors["new_password"] = N_("Choose a password different from the current one.")
    if new != confirm:
        errors["new_password_confirm"] = N_("The two new passwords are not the same.")
    if errors:
        raise ValidationFailed(errors)
    account.password_hash = await asyncio.to_thread(hash_password, new)
    await session.execute(delete(AuthSession).where(AuthSession.user_id == account.id))
    await clear(session, key)
    token = await start_session(
        session, user=account, now=now, absolute_timeout=absolute_timeout, user_agent=user_agent
    )
    # what changed is no one's business, not even the audit's: the row says that and when
    await record(session, at=now, actor_id=user.id, action="user.password", subject=account)
    return token

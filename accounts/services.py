"""Named operations on accounts: users, departments, sign-in, sessions, directory import."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.emails import email_error
from accounts.emails import normalise_email as normalise_email  # used by the other packages
from accounts.models import EMAIL_MAX, NAME_MAX, AuthSession, Department, User
from accounts.passwords import hash_password, needs_rehash, password_error, verify_password
from accounts.throttle import Limits, account_key, address_key, clear, give_back, purge_expired, reserve
from core.concurrency import add_unique, serialise
from core.errors import N_, Conflict, Invalid, TooManyAttempts, ValidationFailed


def validate_email(email: str) -> str | None:
    """An error message, or None when the (normalised) address is acceptable (accounts.emails)."""
    return email_error(email)


async def get_or_create_department(session: AsyncSession, name: str) -> Department | None:
    """The department of this name (in any case), created when there is none.

    Two requests naming the same new department at once (two accounts created, an import beside
    an edit) create it once: the lookup and the insert run one at a time per name."""
    name = name.strip()
    if not name:
        return None
    await serialise(session, f"department:{name.lower()}")
    lookup = select(Department).where(func.lower(Department.name) == name.lower())
    department = await session.scalar(lookup)
    if department is None:
        department = Department(name=name)
        if not await add_unique(session, department):  # inserted by a writer that does not serialise
            department = await session.scalar(lookup)
            assert department is not None
    return department


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str | None = None,
    department: str = "",
    is_admin: bool = False,
    is_executive: bool = False,
) -> User:
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if message := validate_email(email):
        errors["email"] = message
    name = name.strip()
    if not name:
        errors["name"] = N_("Enter a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = N_("The name is too long.")
    if password is not None and (message := password_error(password)):
        errors["password"] = message
    if errors:
        raise ValidationFailed(errors)
    taken = Conflict(N_("An account with this e-mail address already exists."), field="email")
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise taken
    dept = await get_or_create_department(session, department)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password else None,
        department_id=dept.id if dept else None,
        is_admin=is_admin,
        is_executive=is_executive,
    )
    if not await add_unique(session, user):  # created at the same moment by another request
        raise taken
    return user


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] | None = None


async def import_directory(session: AsyncSession, text: str) -> ImportReport:
    """Imports a staff directory CSV (email, name, department); updates existing accounts.

    Every row is checked first; nothing is written unless the whole file is valid.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().lower() for h in (reader.fieldnames or [])}
    if not {"email", "name"} <= headers:
        raise Invalid(N_("The file needs the columns email, name and department."), field="file")
    rows: list[tuple[str, str, str]] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        email = normalise_email(row.get("email", ""))
        if message := validate_email(email):
            errors.append((line, message))
        elif email in seen:
            errors.append((line, N_("This e-mail address appears twice in the file.")))
        elif not row.get("name"):
            errors.append((line, N_("Enter a name.")))
        elif len(row["name"]) > NAME_MAX:
            errors.append((line, N_("The name is too long.")))
        seen.add(email)
        rows.append((email, row.get("name", ""), row.get("department", "")))
    report = ImportReport(errors=errors)
    if errors:
        return report
    # the departments' locks all at once, in one order (see ``get_or_create_department``): two imports
    # naming the same departments in other orders would otherwise each wait for the other
    await serialise(session, *(f"department:{d.strip().lower()}" for _e, _n, d in rows if d.strip()))
    existing = {
        u.email: u for u in (await session.scalars(select(User).where(User.email.in_([r[0] for r in rows])))).all()
    }
    departments: dict[str, Department | None] = {}
    for email, name, dept_name in rows:
        key = dept_name.lower()
        if key not in departments:
            departments[key] = await get_or_create_department(session, dept_name)
        dept = departments[key]
        if (user := existing.get(email)) is not None:
            user.name = name
            user.department_id = dept.id if dept else user.department_id
            report.updated += 1
        else:
            session.add(User(email=email, name=name, department_id=dept.id if dept else None))
            report.created += 1
    await session.flush()
    return report


# --- sign-in and sessions ---------------------------------------------------------------

SIGN_IN_FAILED = N_("The e-mail address or password is not correct.")
SIGN_IN_THROTTLED = N_("Too many failed attempts. Please wait a few minutes and try again.")
# control characters and lone surrogates: not in any stored e-mail, and PostgreSQL refuses NUL
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def could_be_account(email: str) -> bool:
    """False for what no account can have; such input never reaches the database."""
    return len(email) <= EMAIL_MAX and _UNSTORABLE.search(email) is None


async def authenticate(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    address: str,
    now: datetime,
    limits: Limits,
) -> User:
    """The user for these credentials; throttled per account and per address.

    Every failure answers with one generic message, every throttled attempt with another.

    The attempt is counted and the session committed before the password is checked, so
    parallel attempts on any app instance cannot get past the limits. Unknown e-mails are
    counted and checked against a dummy hash like any other, so neither the answer nor its
    time tells whether an account exists.
    """
    email = normalise_email(email)
    keys = [(address_key(address), limits.address)]
    if possible := could_be_account(email):
        keys.insert(0, (account_key(email), limits.account))  # account first: the order locks are taken in
    reserved = await reserve(session, keys, now=now, window=limits.window)
    user = await session.scalar(select(User).where(User.email == email)) if possible and reserved else None
    user_id, stored_hash, active = (user.id, user.password_hash, user.is_active) if user else (None, None, False)
    await session.commit()  # the reservation counts for everyone before the slow check
    if reserved is None:
        raise TooManyAttempts(SIGN_IN_THROTTLED)
    verified = await asyncio.to_thread(verify_password, stored_hash, password)
    if user_id is None or not active or not verified:
        raise Invalid(SIGN_IN_FAILED, field="password")
    # a correct password is no failure: the account starts afresh, the address gets its attempt back
    if possible:
        await clear(session, reserved[0].key)
    await give_back(session, reserved[-1:])
    await purge_expired(session, now=now, window=limits.window)
    signed_in = await session.get_one(User, user_id)
    if stored_hash and needs_rehash(stored_hash):
        signed_in.password_hash = await asyncio.to_thread(hash_password, password)
    return signed_in


async def start_session(
    session: AsyncSession, *, user: User, now: datetime, absolute_timeout: timedelta, user_agent: str | None
) -> str:
    """A new random session token (never reused, so a fixated id is worthless)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            last_seen_at=now,
            expires_at=now + absolute_timeout,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    await session.flush()
    return token


# session activity is recorded at most this often, so most requests only read
ACTIVITY_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLookup:
    """What a session token stands for, found by reading only; ``needs_write`` says whether
    ``record_session`` has something to write (the activity, or the end of a stale session)."""

    user: User | None
    session_id: int | None = None
    stale: bool = False  # expired, idle too long, or its account deactivated: to be deleted
    touch: bool = False  # active, and its last activity recorded over ACTIVITY_INTERVAL ago

    @property
    def needs_write(self) -> bool:
        return self.stale or self.touch


async def find_session(
    session: AsyncSession, *, token: str, now: datetime, idle_timeout: timedelta, activity: bool = True
) -> SessionLookup:
    """The signed-in user of a token (None when it is unknown, expired or idle too long), in one
    read; nothing is written. ``activity=False`` (background polling such as the notification
    bell) does not count as activity, so an open tab does not keep a session alive past its idle
    timeout."""
    auth = await session.scalar(
        select(AuthSession)
        .options(joinedload(AuthSession.user, innerjoin=True))
        .where(AuthSession.token_hash == _token_hash(token))
    )
    if auth is None:
        return SessionLookup(user=None)
    if now >= auth.expires_at or now - auth.last_seen_at >= idle_timeout or not auth.user.is_active:
        return SessionLookup(user=None, session_id=auth.id, stale=True)
    touch = activity and now - auth.last_seen_at > ACTIVITY_INTERVAL
    return SessionLookup(user=auth.user, session_id=auth.id, touch=touch)


async def record_session(session: AsyncSession, lookup: SessionLookup, *, now: datetime) -> None:
    """Writes what ``find_session`` found to write: deletes a stale session, or records activity
    (conditionally, so parallel requests of one browser write it once)."""
    if lookup.session_id is None:
        return
    if lookup.stale:
        await session.execute(delete(AuthSession).where(AuthSession.id == lookup.session_id))
    elif lookup.touch:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == lookup.session_id, AuthSession.last_seen_at < now - ACTIVITY_INTERVAL)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))


async def end_all_sessions(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))

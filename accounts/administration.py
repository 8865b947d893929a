"""An administrator creates and changes accounts, each change audited.

Rules: a name is required (at most ``NAME_MAX`` characters) and a department name is at most
``DEPARTMENT_MAX``; an administrator cannot take away their own administrator rights nor
deactivate themself, so the platform never loses its last way in by accident; deactivating an
account ends every session of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import NAME_MAX, User
from accounts.services import create_user, end_all_sessions, get_or_create_department
from core.audit import record
from core.errors import N_, NotFound, ValidationFailed

DEPARTMENT_MAX = 120
DEPARTMENT_TOO_LONG = N_("The department name is too long.")
ACCOUNT_NOT_FOUND = N_("We could not find that account.")


@dataclass
class AccountInput:
    """What the administrator's account form holds."""

    name: str
    department: str = ""
    is_admin: bool = False
    is_executive: bool = False
    is_active: bool = True


def snapshot(user: User, department: str) -> dict[str, Any]:
    """What the audit keeps of an account."""
    return {
        "email": user.email,
        "name": user.name,
        "department": department,
        "is_admin": user.is_admin,
        "is_executive": user.is_executive,
        "is_active": user.is_active,
    }


async def account(session: AsyncSession, user_id: int) -> User:
    """The account with its department, or 404."""
    user = await session.scalar(select(User).where(User.id == user_id).options(joinedload(User.department)))
    if user is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return user


async def create_account(
    session: AsyncSession, actor: User, now: datetime, email: str, data: AccountInput, password: str | None
) -> User:
    """A new account (``create_user``'s rules), audited as the administrator's."""
    if len(data.department) > DEPARTMENT_MAX:
        raise ValidationFailed({"department": DEPARTMENT_TOO_LONG})
    user = await create_user(
        session,
        email=email,
        name=data.name,
        password=password,
        department=data.department,
        is_admin=data.is_admin,
        is_executive=data.is_executive,
    )
    after = snapshot(user, data.department)
    await record(session, at=now, actor_id=actor.id, action="user.create", subject=user, after=after)
    return user


def _update_errors(actor: User, user: User, data: AccountInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = N_("Enter a name.")
    elif len(data.name) > NAME_MAX:
        errors["name"] = N_("The name is too long.")
    if len(data.department) > DEPARTMENT_MAX:
        errors["department"] = DEPARTMENT_TOO_LONG
    if user.id == actor.id and not data.is_admin:
        errors["is_admin"] = N_("You cannot remove your own administrator rights.")
    if user.id == actor.id and not data.is_active:
        errors["is_active"] = N_("You cannot deactivate your own account.")
    return errors


async def update_account(session: AsyncSession, actor: User, now: datetime, user: User, data: AccountInput) -> User:
    """Name, department, platform roles and whether the account may sign in (see the module)."""
    if errors := _update_errors(actor, user, data):
        raise ValidationFailed(errors)
    before = snapshot(user, user.department.name if user.department else "")
    department = await get_or_create_department(session, data.department)
    user.name = data.name
    user.department_id = department.id if department else None
    user.is_admin = data.is_admin
    user.is_executive = data.is_executive
    user.is_active = data.is_active
    await session.flush()
    if before["is_active"] and not user.is_active:
        await end_all_sessions(session, user.id)
    after = snapshot(user, department.name if department else "")
    if after != before:
        await record(session, at=now, actor_id=actor.id, action="user.update", subject=user, before=before, after=after)
    return user

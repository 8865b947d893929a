"""Small helpers shared by controllers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.clock import Clock
from web.settings import Settings

PUBLIC: dict[str, Any] = {"access": "public"}
USER: dict[str, Any] = {"access": "user"}
ADMIN: dict[str, Any] = {"access": "admin"}
EXECUTIVE: dict[str, Any] = {"access": "executive"}


def signed_in(request: Request[Any, Any, Any]) -> User:
    user: User | None = request.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return user


def form_value(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip() if value is not None else ""


# Name-based dependencies, declared explicitly (Litestar 2.23+): the parameter name is the key.
DbSession = NamedDependency[AsyncSession]  # parameter name: db_session
AppClock = NamedDependency[Clock]  # parameter name: clock
AppSettings = NamedDependency[Settings]  # parameter name: settings

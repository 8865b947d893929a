"""What every notification's words are made of: the text type and readers of its stored params."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from web.i18n import format_datetime


@dataclass(frozen=True)
class NotificationText:
    title: str
    body: str


def text(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    return "" if value is None else str(value)


def number(params: Mapping[str, Any], key: str) -> int:
    try:
        return int(params.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def when(iso: Any, timezone: Any) -> str:
    """An ISO UTC time in the campaign's zone, with the zone named: "Mar 12, 2026, 5:00:00 PM (Europe/Paris)"."""
    tz = str(timezone or "UTC")
    try:
        ZoneInfo(tz)
    except (ValueError, KeyError, OSError):
        tz = "UTC"
    try:
        value = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso or "")
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(value, tz)

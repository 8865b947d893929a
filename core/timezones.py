"""IANA time zone names: which ones exist (campaigns, accounts and pages all ask)."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # scans the zone files: once per process


def is_valid_timezone(name: str) -> bool:
    if not name or name not in zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True

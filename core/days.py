"""A calendar day as a date input sends it. Pure."""

from __future__ import annotations

import re
from datetime import date

DAY_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(raw: str, years: range | None = None) -> date | None:
    """The day typed as ``YYYY-MM-DD`` (spaces around it allowed), in ``years`` when given; None
    for anything else, so each form says what it expects next to the field."""
    text = raw.strip()
    if not DAY_FORM.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if years is None or day.year in years else None

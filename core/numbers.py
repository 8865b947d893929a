"""Whole numbers typed by people or sent in addresses, read within what the database can store.

``int()`` takes far more than a person means by a number: any Unicode decimal digits (``١٢``),
underscores (``1_000``) and numbers of any size, which PostgreSQL's ``bigint`` (and SQLite's
integer) cannot hold; ``str.isdigit`` also passes superscripts (``²``) that ``int()`` refuses.
Everything that reads a number from a form, a query or a path goes through ``parse_int``.
"""

from __future__ import annotations

import math

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1
# the most digits a 64-bit integer has: longer text is refused before it is converted
_MAX_DIGITS = 19


def in_int64(value: int) -> bool:
    """Whether ``value`` fits a signed 64-bit column (``bigint``)."""
    return INT64_MIN <= value <= INT64_MAX


def parse_int(raw: str | None, *, low: int = INT64_MIN, high: int = INT64_MAX) -> int | None:
    """The integer written in ``raw`` (ASCII digits, an optional sign, surrounding spaces), or None
    when it is empty, not such a number, or outside ``low..high`` (by default the 64-bit range)."""
    text = (raw or "").strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits.lstrip("0")) > _MAX_DIGITS:
        return None
    value = int(text)
    return value if low <= value <= high and in_int64(value) else None


def is_finite_number(value: float) -> bool:
    """Neither NaN nor an infinity: ``float()`` reads ``nan`` and ``inf``, no column should hold them."""
    return math.isfinite(value)

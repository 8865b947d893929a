"""Translations per request: the active locale lives in a context variable.

Domain packages mark their messages with ``core.errors.N_``; everything is translated here,
at the moment it is shown, so two users can read two languages at the same time.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_format_percent
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "en"
LOCALES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}

_current_locale: ContextVar[str] = ContextVar("kaizen_locale", default=DEFAULT_LOCALE)


@cache
def _translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current_locale.get()


def html_lang() -> str:
    return get_locale().replace("_", "-")


def gettext(message: str, **params: Any) -> str:
    text = _translations(get_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = _translations(get_locale()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header, or English."""
    if not accept_language:
        return DEFAULT_LOCALE
    preferred = []
    for part in accept_language.split(","):
        tag, _sep, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if tag:
            preferred.append((weight, tag.strip().replace("-", "_")))
    ordered = [tag for _w, tag in sorted(preferred, key=lambda p: -p[0])]
    found = Locale.negotiate(ordered, list(LOCALES), sep="_")
    if found is not None:
        return "zh_CN" if found.language == "zh" else DEFAULT_LOCALE
    # zh, zh_TW, zh_Hant...: any Chinese reader is better served by Chinese than by English
    if any(tag.lower().startswith("zh") for tag in ordered):
        return "zh_CN"
    return DEFAULT_LOCALE


def format_datetime(value: datetime | None, tz: str = "UTC", fmt: str = "medium") -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, format=fmt, tzinfo=ZoneInfo(tz), locale=get_locale())


def format_number(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return format_decimal(
        round(value, digits), format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=get_locale()
    )


def format_share(percent: float | None) -> str:
    """A share of 100 %, in the reader's locale, with one decimal at most: "33.3%", "50%"."""
    if percent is None:
        return "—"
    return babel_format_percent(round(percent, 1) / 100, format="#,##0.#%", locale=get_locale())

"""Translations per request: the active locale lives in a context variable.

Domain packages mark their messages with ``core.errors.N_``; everything is translated here,
at the moment it is shown, so two users can read two languages at the same time.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone_location
from babel.numbers import NumberPattern, format_decimal, parse_pattern
from babel.numbers import format_percent as babel_format_percent
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "en"
LOCALES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}

_current_locale: ContextVar[str] = ContextVar("kaizen_locale", default=DEFAULT_LOCALE)
# the viewer's own time zone (their setting, else their browser's): times are also shown in it
_viewer_zone: ContextVar[str | None] = ContextVar("kaizen_viewer_zone", default=None)


@cache
def _number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@cache
def _translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


@cache
def babel_locale(locale: str) -> Locale:
    """The Babel locale of one of ours, parsed once per process (not on every formatted value)."""
    return Locale.parse(locale)


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
    return _negotiate(accept_language)


@lru_cache(maxsize=256)  # browsers send a handful of distinct headers: parsed once each
def _negotiate(accept_language: str) -> str:
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


def set_viewer_zone(zone: str | None) -> None:
    _viewer_zone.set(zone)


def get_viewer_zone() -> str | None:
    return _viewer_zone.get()


@cache
def _moment_pattern(locale: str) -> str:
    """The language's medium date with its short time, without seconds: "Mar 10, 2026, 10:00 AM"."""
    lang = babel_locale(locale)
    return str(lang.datetime_formats["medium"]).format(
        lang.time_formats["short"].pattern, lang.date_formats["medium"].pattern
    )


def _utc_offset(value: datetime, zone: ZoneInfo) -> str:
    """ "UTC+1", "UTC+5:30", "UTC−3": which instant a wall-clock time means, also across a clock change."""
    offset = value.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(value: datetime, tz: str) -> str:
    """The zone of a time in words: its city in the reader's language and the offset then in force."""
    if tz in ("UTC", "Etc/UTC"):
        return "UTC"
    return gettext("%(city)s, %(offset)s", city=_city(tz, get_locale()), offset=_utc_offset(value, ZoneInfo(tz)))


@lru_cache(maxsize=1024)
def _city(tz: str, locale: str) -> str:
    """A zone's city in a language: the same answer every time, so looked up once."""
    return str(get_timezone_location(tz, locale=babel_locale(locale), return_city=True))


def format_moment(value: datetime | None, tz: str = "UTC") -> str:
    """One time in one zone, in the one format of the reader's language, with that zone named."""
    if value is None:
        return ""
    locale = get_locale()
    pattern = _moment_pattern(locale)
    text = babel_format_datetime(value, format=pattern, tzinfo=ZoneInfo(tz), locale=babel_locale(locale))
    return gettext("%(datetime)s (%(zone)s)", datetime=text, zone=zone_label(value, tz))


def viewer_zone_for(tz: str) -> str | None:
    """The viewer's zone when it differs from ``tz`` (the time is then shown in both), else None."""
    viewer = get_viewer_zone()
    return viewer if viewer and viewer != tz else None


def format_when(value: datetime | None, tz: str = "UTC") -> str:
    """A time in the campaign's zone, and in the viewer's when that differs."""
    if value is None:
        return ""
    text = format_moment(value, tz)
    viewer = viewer_zone_for(tz)
    return (
        gettext("%(when)s · your time: %(viewer)s", when=text, viewer=format_moment(value, viewer)) if viewer else text
    )


def format_datetime(value: datetime | None, tz: str = "UTC") -> str:
    """Every time a person reads: see format_when."""
    return format_when(value, tz)


def format_number(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    pattern = _number_pattern(f"#,##0.{'0' * digits}" if digits else "#,##0")
    return format_decimal(round(value, digits), format=pattern, locale=babel_locale(get_locale()))


def format_share(percent: float | None) -> str:
    """A share of 100 %, in the reader's locale, with one decimal at most: "33.3%", "50%"."""
    if percent is None:
        return "—"
    return babel_format_percent(
        round(percent, 1) / 100, format=_number_pattern("#,##0.#%"), locale=babel_locale(get_locale())
    )

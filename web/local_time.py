"""Times typed into ``<input type=datetime-local>``: read in the campaign's zone, clock changes explained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from campaigns.deadlines import clock_gap, is_ambiguous, local_to_utc, utc_to_local
from web.i18n import babel_locale, get_locale, gettext

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# far enough for any campaign, near enough that zone arithmetic and grace never leave datetime's range
YEARS = range(2000, 2200)


@dataclass(frozen=True)
class LocalTime:
    """``value`` in UTC, or None with ``error`` (translated) saying why; ``note`` explains an ambiguous time."""

    value: datetime | None
    error: str | None = None
    note: str | None = None


def _clock(value: datetime) -> str:
    return format_time(value, format="short", locale=babel_locale(get_locale()))


def _day(value: datetime) -> str:
    return format_date(value, format="long", locale=babel_locale(get_locale()))


def ambiguity_note(local: datetime, timezone: str) -> str | None:
    """Which instant a wall-clock time that happens twice means: the later one."""
    if not is_ambiguous(local, timezone):
        return None
    taken = local.replace(tzinfo=ZoneInfo(timezone), fold=1)
    offset = taken.utcoffset() or timedelta()
    hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return gettext(
        "%(time)s happens twice on %(date)s in %(zone)s, as the clocks go back; "
        "the later one (UTC%(offset)s) is taken.",
        time=_clock(local),
        date=_day(local),
        zone=timezone,
        offset=f"{'+' if offset >= timedelta() else '-'}{hours}" + (f":{minutes:02d}" if minutes else ""),
    )


def read_local_time(raw: str, timezone: str) -> LocalTime:
    """A form's datetime-local value as UTC; an error for one that is not a time or that the zone skips."""
    if not raw:
        return LocalTime(None, gettext("Enter a date and time."))
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return LocalTime(None, gettext("Enter a valid date and time."))
    if value.year not in YEARS:
        return LocalTime(
            None, gettext("Enter a date from the year %(first)s to %(last)s.", first=YEARS[0], last=YEARS[-1])
        )
    if value.tzinfo is not None:
        return LocalTime(value.astimezone(UTC))
    if (gap := clock_gap(value, timezone)) is not None:
        return LocalTime(
            None,
            gettext(
                "%(time)s does not exist in %(zone)s: on %(date)s the clocks go forward from %(starts)s to "
                "%(ends)s. Choose %(before)s, %(ends)s or any time outside the gap.",
                time=_clock(value),
                zone=timezone,
                date=_day(value),
                starts=_clock(gap.starts),
                ends=_clock(gap.ends),
                before=_clock(gap.starts - timedelta(minutes=1)),
            ),
        )
    return LocalTime(local_to_utc(value, timezone), note=ambiguity_note(value, timezone))


def to_local_input(value: datetime, timezone: str) -> str:
    """An aware time as a datetime-local field shows it, in the campaign's zone."""
    return utc_to_local(value, timezone).strftime(LOCAL_FORMAT)


def stored_time_note(value: datetime, timezone: str) -> str | None:
    """The ambiguity note of a stored time, for the field that shows it."""
    return ambiguity_note(utc_to_local(value, timezone).replace(tzinfo=None), timezone)

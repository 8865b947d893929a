"""Pure rules of incubation projects (no I/O): the life of a project, money and KPI amounts,
dates typed by people, and when a milestone is overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from core import days
from incubation.models import ProjectStatus

BUDGET_MAX = Decimal("999999999999.99")
VALUE_MAX = Decimal("9999999999999999.99")
HOURS_MAX = Decimal("168")
# the years a typed day may fall in (a far-off one is a typo, and would overflow time arithmetic)
YEARS = range(1970, 2201)

TRANSITIONS: dict[ProjectStatus, tuple[ProjectStatus, ...]] = {
    ProjectStatus.PROPOSED: (ProjectStatus.APPROVED, ProjectStatus.DECLINED),
    ProjectStatus.APPROVED: (ProjectStatus.RUNNING, ProjectStatus.STOPPED),
    ProjectStatus.RUNNING: (ProjectStatus.IMPLEMENTED, ProjectStatus.STOPPED),
    ProjectStatus.IMPLEMENTED: (),
    ProjectStatus.STOPPED: (),
    ProjectStatus.DECLINED: (),
}
# a move to these needs a reason, kept on the project and in the audit log
NEEDS_REASON = frozenset({ProjectStatus.DECLINED, ProjectStatus.STOPPED})
# the statuses in which milestones are worked on (and can be overdue)
ACTIVE = frozenset({ProjectStatus.APPROVED, ProjectStatus.RUNNING})
FINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


def can_move(current: ProjectStatus, target: ProjectStatus) -> bool:
    return target in TRANSITIONS[current]


def next_statuses(status: ProjectStatus) -> tuple[ProjectStatus, ...]:
    return TRANSITIONS[status]


def _decimal(raw: str) -> Decimal | None:
    text = raw.strip().replace(" ", "").replace(",", "").replace("\u00a0", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_budget(raw: str) -> Decimal | None:
    """A money amount typed by a person ("12 500.50", "12,500.5"); None when it is not one."""
    value = _decimal(raw)
    if value is None or value < 0 or value > BUDGET_MAX or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def parse_value(raw: str) -> Decimal | None:
    """A measured or KPI value (may be negative), at most two decimals; None when it is not one."""
    value = _decimal(raw)
    if value is None or abs(value) > VALUE_MAX or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def parse_hours(raw: str) -> Decimal | None:
    """Hours per week per member: 0 to 168, at most one decimal."""
    value = _decimal(raw)
    if value is None or value < 0 or value > HOURS_MAX or value != value.quantize(Decimal("0.1")):
        return None
    return value.quantize(Decimal("0.1"))


def parse_day(raw: str) -> date | None:
    """A day as the date input sends it (YYYY-MM-DD)."""
    return days.parse_day(raw, YEARS)


def overdue_at(due_on: date, timezone: str) -> datetime:
    """The moment a milestone becomes overdue: the end of its due day in the campaign's time zone (UTC)."""
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return datetime.combine(due_on + timedelta(days=1), time(0), zone).astimezone(UTC)


def is_overdue(due_on: date, done: bool, status: ProjectStatus, now: datetime, timezone: str = "UTC") -> bool:
    """Not done, in a project being worked on, and its due day is over."""
    return not done and status in ACTIVE and now >= overdue_at(due_on, timezone)

"""core/audit_view.py: action labels, the before/after as rows, the period of a filter."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from core.audit_view import (
    ACTION_LABELS,
    DATE_INVALID,
    NOTHING,
    PERIOD_REVERSED,
    action_msgid,
    as_text,
    changes,
    read_period,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "campaigns", "teams", "judging", "incubation", "automation", "notifications")

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
MAPS = st.none() | st.dictionaries(st.text(max_size=8), JSON, max_size=5)


def test_every_action_code_a_service_records_has_a_label() -> None:
    """The codes written literally (``action="…"``, the constants, and ``"a" if … else "b"``), plus
    the ones built from a status (``f"team.{status}"``)."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for match in re.finditer(r"action=(\"[a-z_.]+\"(?: if [^,\n]+ else \"[a-z_.]+\")?)", source):
                found |= set(re.findall(r"\"([a-z_.]+)\"", match.group(1)))
            found |= set(re.findall(r"_ACTION = \"([a-z_.]+)\"", source))
    from incubation.models import ProjectStatus
    from teams.models import TeamStatus

    found |= {f"team.{s.value}" for s in TeamStatus} | {f"incubation.{s.value}" for s in ProjectStatus}
    found |= {"campaign.publish", "campaign.close", "phase.open", "phase.close", "phase.reopen"}  # passed on
    print(f"action codes: {len(found)}")
    assert sorted(found - set(ACTION_LABELS)) == []


def test_a_code_without_a_label_reads_as_itself() -> None:
    assert action_msgid("phase.close") == "Phase closed"
    assert action_msgid("brand.new") == "brand.new"


@given(MAPS, MAPS)
def test_changes_name_every_field_once_with_its_old_and_new_value(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> None:
    rows = changes(before, after)
    names = [row.field for row in rows]
    assert len(names) == len(set(names))
    assert set(names) == set(before or {}) | set(after or {})
    for row in rows:
        assert row.old == (as_text((before or {})[row.field]) if row.field in (before or {}) else NOTHING)
        assert row.new == (as_text((after or {})[row.field]) if row.field in (after or {}) else NOTHING)


@given(JSON)
def test_a_value_reads_back_from_its_text(value: Any) -> None:
    text = as_text(value)
    assert (text if isinstance(value, str) else json.loads(text)) == value


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2199, 12, 30)), st.integers(0, 400))
def test_a_period_covers_whole_days_in_the_zone(first: date, days: int) -> None:
    last = min(first + timedelta(days=days), date(2199, 12, 30))
    period = read_period(first.isoformat(), last.isoformat(), "Asia/Shanghai")
    assert period.errors == {}
    assert period.start == datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(hours=8)
    assert period.end is not None and period.end - period.start == timedelta(days=(last - first).days + 1)


def test_a_bad_or_reversed_period_is_explained_by_field() -> None:
    assert read_period("", "", "UTC").errors == {} and read_period("", "", "UTC").start is None
    assert read_period("2026-02-30", "tomorrow", "UTC").errors == {"since": DATE_INVALID, "until": DATE_INVALID}
    assert read_period("20260301", "", "UTC").errors == {"since": DATE_INVALID}  # the form's format only
    assert read_period("1999-12-31", "", "UTC").errors == {"since": DATE_INVALID}
    assert read_period("2026-03-10", "2026-03-09", "UTC").errors == {"until": PERIOD_REVERSED}
    one_day = read_period("2026-03-10", "2026-03-10", "Europe/Berlin")
    assert one_day.start == datetime(2026, 3, 9, 23, tzinfo=UTC)
    assert one_day.end == datetime(2026, 3, 10, 23, tzinfo=UTC)

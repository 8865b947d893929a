from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns.deadlines import accepts_writes, effective_close, local_to_utc
from campaigns.models import Phase, PhaseKind, PhaseStatus
from core.timezones import is_valid_timezone

OPEN = datetime(2026, 3, 1, 9, tzinfo=UTC)
CLOSE = datetime(2026, 3, 8, 17, tzinfo=UTC)


def phase(grace: int = 0, status: PhaseStatus = PhaseStatus.OPEN) -> Phase:
    return Phase(
        kind=PhaseKind.SUBMISSION, name="S", opens_at=OPEN, closes_at=CLOSE, grace_minutes=grace, status=status
    )


def test_closes_at_is_exclusive() -> None:
    assert accepts_writes(phase(), CLOSE - timedelta(microseconds=1))
    assert not accepts_writes(phase(), CLOSE)


def test_grace_and_extension_move_the_close() -> None:
    assert effective_close(phase(grace=15)) == CLOSE + timedelta(minutes=15)
    assert accepts_writes(phase(grace=15), CLOSE + timedelta(minutes=14))
    later = CLOSE + timedelta(days=1)
    assert accepts_writes(phase(), CLOSE + timedelta(hours=1), extension_until=later)
    assert not accepts_writes(phase(), later, extension_until=later)


def test_closed_by_hand_refuses_even_before_the_time() -> None:
    assert not accepts_writes(phase(status=PhaseStatus.CLOSED), CLOSE - timedelta(days=1))


def test_opens_at_is_inclusive_for_pending_phases() -> None:
    assert accepts_writes(phase(status=PhaseStatus.PENDING), OPEN)
    assert not accepts_writes(phase(status=PhaseStatus.PENDING), OPEN - timedelta(seconds=1))


def test_time_zones() -> None:
    assert is_valid_timezone("Asia/Shanghai") and not is_valid_timezone("Mars/Olympus")
    assert local_to_utc(datetime(2026, 3, 10, 18, 0), "Asia/Shanghai") == datetime(2026, 3, 10, 10, tzinfo=UTC)

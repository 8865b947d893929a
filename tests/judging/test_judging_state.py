"""Where judging stands for a judge (``judging.phases.judging_state``): a pure rule over the phase's
times and status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from campaigns.deadlines import accepts_writes
from campaigns.models import Phase, PhaseKind, PhaseStatus
from judging.phases import judging_state

START = datetime(2026, 1, 1, tzinfo=UTC)
minutes = st.integers(min_value=-10_000, max_value=10_000)


def _phase(status: PhaseStatus, opens: int, length: int, grace: int) -> Phase:
    opens_at = START + timedelta(minutes=opens)
    return Phase(
        kind=PhaseKind.JUDGING,
        status=status,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(minutes=length),
        grace_minutes=grace,
    )


@given(
    status=st.sampled_from(PhaseStatus),
    opens=minutes,
    length=st.integers(min_value=1, max_value=10_000),
    grace=st.integers(min_value=0, max_value=120),
    at=minutes,
)
def test_open_exactly_when_scorecards_are_written_and_pending_only_before_the_opening(
    status: PhaseStatus, opens: int, length: int, grace: int, at: int
) -> None:
    phase, now = _phase(status, opens, length, grace), START + timedelta(minutes=at)
    state = judging_state(phase, now)
    assert (state == "open") == accepts_writes(phase, now)
    if state == "pending":
        assert now < phase.opens_at and status is not PhaseStatus.CLOSED
    if status is PhaseStatus.CLOSED:
        assert state == "closed"


def test_a_phase_not_opened_yet_is_pending_then_open_then_closed_after_its_grace() -> None:
    phase = _phase(PhaseStatus.PENDING, 0, 60, 10)
    assert judging_state(phase, START - timedelta(minutes=1)) == "pending"
    assert judging_state(phase, START) == "open"
    assert judging_state(phase, START + timedelta(minutes=69)) == "open"
    assert judging_state(phase, START + timedelta(minutes=70)) == "closed"

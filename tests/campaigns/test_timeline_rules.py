"""The pure timeline rules: order, overlap, the judged submission phase, display state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns.deadlines import Slot, default_judged_phase, in_time_order, phase_state, timeline_errors
from campaigns.models import Phase, PhaseKind, PhaseStatus

T0 = datetime(2026, 4, 1, 9, tzinfo=UTC)
D = timedelta(days=1)


def slot(ref: int | None, kind: PhaseKind, start: int, end: int, judges: int | None = None) -> Slot:
    return Slot(ref=ref, kind=kind, opens_at=T0 + start * D, closes_at=T0 + end * D, judges_phase_id=judges)


TIMELINE = [
    slot(1, PhaseKind.REGISTRATION, 0, 5),
    slot(2, PhaseKind.SUBMISSION, 5, 12),
    slot(3, PhaseKind.JUDGING, 12, 19, judges=2),
]


def test_a_well_formed_phase_has_no_errors() -> None:
    assert timeline_errors(slot(None, PhaseKind.RESULTS, 19, 40), TIMELINE) == {}


def test_phases_may_touch_because_closes_at_is_exclusive() -> None:
    assert timeline_errors(slot(None, PhaseKind.RESULTS, 19, 20), TIMELINE) == {}


def test_closes_must_be_after_opens() -> None:
    errors = timeline_errors(slot(None, PhaseKind.RESULTS, 25, 25), TIMELINE)
    assert {field: error.message for field, error in errors.items()} == {
        "closes_at": "The phase must close after it opens."
    }
    assert "closes_at" in timeline_errors(slot(None, PhaseKind.RESULTS, 25, 24), TIMELINE)


def test_overlap_is_reported_on_the_side_that_overlaps() -> None:
    assert "opens_at" in timeline_errors(slot(None, PhaseKind.RESULTS, 18, 30), TIMELINE)
    assert "closes_at" in timeline_errors(slot(None, PhaseKind.REGISTRATION, -3, 1), TIMELINE)
    inside = timeline_errors(slot(None, PhaseKind.RESULTS, 6, 7), TIMELINE)
    assert "opens_at" in inside


def test_an_edited_phase_is_not_compared_with_itself() -> None:
    others = [s for s in TIMELINE if s.ref != 2]
    assert timeline_errors(slot(2, PhaseKind.SUBMISSION, 5, 11), others) == {}


def test_a_judging_phase_needs_an_earlier_submission_phase() -> None:
    assert "judges_phase_id" in timeline_errors(slot(None, PhaseKind.JUDGING, 20, 25), TIMELINE)
    assert "judges_phase_id" in timeline_errors(slot(None, PhaseKind.JUDGING, 20, 25, judges=1), TIMELINE)
    assert timeline_errors(slot(None, PhaseKind.JUDGING, 20, 25, judges=2), TIMELINE) == {}
    before = timeline_errors(slot(None, PhaseKind.JUDGING, -5, -1, judges=2), TIMELINE)
    assert "opens_at" in before


def test_a_judged_submission_phase_stays_a_submission_before_its_judging() -> None:
    others = [s for s in TIMELINE if s.ref != 2]
    assert "kind" in timeline_errors(slot(2, PhaseKind.REGISTRATION, 5, 12), others)
    assert "closes_at" in timeline_errors(slot(2, PhaseKind.SUBMISSION, 20, 22), others)


def test_default_judged_phase_is_the_latest_earlier_submission() -> None:
    slots = [*TIMELINE, slot(4, PhaseKind.SUBMISSION, 19, 26)]
    assert default_judged_phase(T0 + 19 * D, slots) == TIMELINE[1]
    assert default_judged_phase(T0 + 26 * D, slots) == slots[3]
    assert default_judged_phase(T0 + 4 * D, slots) is None


def test_positions_follow_time() -> None:
    shuffled = [TIMELINE[2], slot(None, PhaseKind.RESULTS, 19, 30), TIMELINE[0], TIMELINE[1]]
    assert [s.ref for s in in_time_order(shuffled)] == [1, 2, 3, None]


def test_phase_state_for_display() -> None:
    phase = Phase(kind=PhaseKind.SUBMISSION, name="S", opens_at=T0, closes_at=T0 + D, status=PhaseStatus.PENDING)
    assert phase_state(phase, T0 - D) is PhaseStatus.PENDING
    assert phase_state(phase, T0) is PhaseStatus.OPEN
    assert phase_state(phase, T0 + D) is PhaseStatus.CLOSED
    phase.status = PhaseStatus.CLOSED
    assert phase_state(phase, T0) is PhaseStatus.CLOSED
    phase.status = PhaseStatus.OPEN
    assert phase_state(phase, T0 - D) is PhaseStatus.OPEN

"""What a timeline schedules: pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from automation.plan import (
    PHASE_ADVANCE,
    PHASE_CLOSE,
    PHASE_OPEN,
    REMIND_JUDGING,
    REMIND_SUBMISSION,
    RESULTS_PUBLISH,
    planned_actions,
    reminder_hours,
)
from campaigns.models import AdvancementRule, Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _phase(pid: int, kind: PhaseKind, start: int, end: int, status: PhaseStatus = PhaseStatus.PENDING) -> Phase:
    return Phase(
        id=pid, kind=kind, name=kind.value, opens_at=T0 + start * DAY, closes_at=T0 + end * DAY,
        grace_minutes=0, status=status,
    )  # fmt: skip


def _campaign(status: CampaignStatus = CampaignStatus.PUBLISHED, hours: str = "24,1") -> Campaign:
    return Campaign(id=1, title="C", status=status, reminder_hours=hours, results_published_at=None)


def _timeline() -> list[Phase]:
    return [
        _phase(1, PhaseKind.REGISTRATION, 0, 5, PhaseStatus.OPEN),
        _phase(2, PhaseKind.SUBMISSION, 5, 12),
        _phase(3, PhaseKind.JUDGING, 12, 19),
        _phase(4, PhaseKind.RESULTS, 19, 40),
    ]


def test_a_published_timeline_plans_every_transition_and_reminder() -> None:
    planned = {(p.kind, p.subject_id, p.offset_minutes): p.due_at for p in planned_actions(_campaign(), _timeline())}
    assert planned == {
        (PHASE_CLOSE, 1, 0): T0 + 5 * DAY,  # registration is open already: no open action
        (PHASE_OPEN, 2, 0): T0 + 5 * DAY,
        (PHASE_CLOSE, 2, 0): T0 + 12 * DAY,
        (REMIND_SUBMISSION, 2, 1440): T0 + 11 * DAY,
        (REMIND_SUBMISSION, 2, 60): T0 + 12 * DAY - timedelta(hours=1),
        (PHASE_OPEN, 3, 0): T0 + 12 * DAY,
        (PHASE_CLOSE, 3, 0): T0 + 19 * DAY,
        (REMIND_JUDGING, 3, 1440): T0 + 18 * DAY,
        (REMIND_JUDGING, 3, 60): T0 + 19 * DAY - timedelta(hours=1),
        (RESULTS_PUBLISH, 4, 0): T0 + 19 * DAY,
        (PHASE_CLOSE, 4, 0): T0 + 40 * DAY,
    }


def test_a_judging_phase_with_a_rule_advances_just_after_its_close_and_manual_plans_nothing() -> None:
    phases = _timeline()
    phases[2].grace_minutes = 10
    phases[2].advancement_rule = AdvancementRule.TOP_N
    phases[2].advancement_value = 3
    planned = {(p.kind, p.subject_id): p.due_at for p in planned_actions(_campaign(), phases)}
    close = T0 + 19 * DAY + timedelta(minutes=10)
    assert planned[(PHASE_CLOSE, 3)] == close
    assert planned[(PHASE_ADVANCE, 3)] == close + timedelta(seconds=1)  # claimed after the close
    phases[2].advancement_applied_at = close  # applied by hand already: nothing left to plan
    assert (PHASE_ADVANCE, 3) not in {(p.kind, p.subject_id) for p in planned_actions(_campaign(), phases)}
    phases[2].advancement_applied_at = None
    phases[2].advancement_rule = AdvancementRule.MANUAL
    assert PHASE_ADVANCE not in {p.kind for p in planned_actions(_campaign(), phases)}


def test_grace_delays_the_close_not_the_reminders() -> None:
    phases = _timeline()
    phases[1].grace_minutes = 30
    planned = {(p.kind, p.subject_id, p.offset_minutes): p.due_at for p in planned_actions(_campaign(), phases)}
    assert planned[(PHASE_CLOSE, 2, 0)] == T0 + 12 * DAY + timedelta(minutes=30)
    assert planned[(REMIND_SUBMISSION, 2, 60)] == T0 + 12 * DAY - timedelta(hours=1)


def test_drafts_and_closed_campaigns_plan_nothing() -> None:
    assert planned_actions(_campaign(CampaignStatus.DRAFT), _timeline()) == []
    assert planned_actions(_campaign(CampaignStatus.CLOSED), _timeline()) == []


def test_a_closed_phase_plans_nothing_and_published_results_are_not_published_again() -> None:
    campaign = _campaign(hours="")
    campaign.results_published_at = T0
    phases = _timeline()
    phases[1].status = PhaseStatus.CLOSED
    kinds = {(p.kind, p.subject_id) for p in planned_actions(campaign, phases)}
    assert not any(subject == 2 for _kind, subject in kinds)
    assert (RESULTS_PUBLISH, 4) not in kinds
    assert not any(kind.startswith("remind") for kind, _s in kinds)


def test_reminder_hours_are_read_leniently() -> None:
    assert reminder_hours("24,1") == [24, 1]
    assert reminder_hours(" 1, 48 ,x,0,999,1") == [48, 1]
    assert reminder_hours("") == []


@given(st.lists(st.integers(min_value=-5, max_value=1000), max_size=8))
def test_reminder_hours_are_unique_in_range_and_descending(values: list[int]) -> None:
    hours = reminder_hours(",".join(map(str, values)))
    assert hours == sorted(set(hours), reverse=True)
    assert all(1 <= h <= 720 for h in hours)
    assert set(hours) == {v for v in values if 1 <= v <= 720}

"""The advancement rule applied by the scheduler just after a judging phase closes, exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from automation.plan import PHASE_ADVANCE, PHASE_CLOSE
from campaigns.models import AdvancementRule, Phase, PhaseStatus
from core.audit import AuditEntry
from core.scheduling import ActionState
from judging.advancing import apply_advancement
from judging.models import Advancement
from notifications.models import Notification, NotificationKind
from teams.models import Team, TeamStatus
from tests.automation.conftest import count, plan
from tests.conftest import NOW, Sweeper
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user

SECOND = timedelta(seconds=1)


async def _scenario(db: AsyncSession, rule: AdvancementRule = AdvancementRule.TOP_N) -> tuple[Scenario, list[Team]]:
    organizer = await make_user(db, "org@example.com")
    judge = await make_user(db, "judge@example.com")
    s = await make_campaign(db, stage="judging", organizer=organizer, judges=[judge])
    s.judging.required_judges = 1
    s.judging.advancement_rule = rule
    s.judging.advancement_value = None if rule is AdvancementRule.MANUAL else 1
    teams = []
    for name, values in [("Alpha", [5, 5, 10]), ("Beta", [3, 3, 5])]:
        team = await make_team(db, s, await make_user(db, f"{name.lower()}@example.com"), name=name)
        await make_scorecard(db, s, await make_entry(db, team, s.submission), judge, values)
        teams.append(team)
    await db.commit()
    await plan(db, s.campaign.id)
    return s, teams


async def _advance_audits(db: AsyncSession) -> int:
    return await count(db, select(AuditEntry).where(AuditEntry.action == "phase.advance").subquery())


async def test_advancement_follows_the_close_once(db: AsyncSession, sweeper: Sweeper) -> None:
    s, (_alpha, beta) = await _scenario(db)
    close = s.judging.closes_at
    applied = await sweeper.at(close)
    assert [(a.kind, a.state) for a in applied if a.subject_id == s.judging.id and a.kind.startswith("phase.")] == [
        (PHASE_CLOSE, ActionState.DONE)
    ]  # the results phase opening at the same instant is not this test's business
    applied = await sweeper.at(close + SECOND)
    assert [(a.kind, a.subject_id, a.state) for a in applied] == [(PHASE_ADVANCE, s.judging.id, ActionState.DONE)]
    assert await sweeper.at(close + timedelta(hours=1)) == []
    assert await _advance_audits(db) == 1
    beta_now = await db.get(Team, beta.id, populate_existing=True)
    assert beta_now is not None and beta_now.status is TeamStatus.ELIMINATED
    assert await count(db, select(Advancement).subquery()) == 2
    told = await count(db, select(Notification).where(Notification.kind == NotificationKind.TEAM_ELIMINATED).subquery())
    assert told == 1


async def test_after_a_restart_it_catches_up_after_the_close(db: AsyncSession, sweeper: Sweeper) -> None:
    s, _teams = await _scenario(db)
    applied = await sweeper.at(s.judging.closes_at + timedelta(hours=5))  # nothing ran at the close
    kinds = [(a.kind, a.state) for a in applied if a.subject_id == s.judging.id and a.kind.startswith("phase.")]
    assert kinds == [(PHASE_CLOSE, ActionState.DONE), (PHASE_ADVANCE, ActionState.DONE)]
    phase = await db.get(Phase, s.judging.id, populate_existing=True)
    assert phase is not None and phase.status is PhaseStatus.CLOSED and phase.advancement_applied_at is not None
    await db.commit()
    assert await sweeper.at(s.judging.closes_at + timedelta(hours=6)) == []
    assert await _advance_audits(db) == 1


async def test_applied_by_hand_before_the_close_the_scheduler_does_nothing(db: AsyncSession, sweeper: Sweeper) -> None:
    s, _teams = await _scenario(db)
    org = await db.scalar(select(User).where(User.email == "org@example.com"))
    assert org is not None
    await apply_advancement(db, org, NOW, s.judging)
    await db.commit()
    await plan(db, s.campaign.id)  # replanning drops the pending action
    applied = await sweeper.at(s.judging.closes_at + SECOND)
    assert PHASE_ADVANCE not in [a.kind for a in applied]
    assert await _advance_audits(db) == 1


async def test_a_manual_rule_is_never_applied_by_the_scheduler(db: AsyncSession, sweeper: Sweeper) -> None:
    s, _teams = await _scenario(db, AdvancementRule.MANUAL)
    applied = await sweeper.at(s.judging.closes_at + timedelta(hours=1))
    assert PHASE_ADVANCE not in [a.kind for a in applied]
    assert await count(db, select(Advancement).subquery()) == 0

"""Two workers against one database, a hundred due actions: each happens exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automation.sync import replan
from core.audit import AuditEntry
from core.clock import FrozenClock
from core.engine import make_engine
from core.scheduling import ActionState, ScheduledAction, run_due
from notifications.models import Notification, NotificationKind, OutboxMail
from tests.factories import make_campaign, make_team, make_user

CAMPAIGNS = 25


async def _counted(db: AsyncSession, stmt: Select[tuple[Any, int]]) -> dict[Any, int]:
    return {key: number for key, number in (await db.execute(stmt)).all()}


async def test_two_workers_apply_a_hundred_due_actions_exactly_once(db: AsyncSession, database_url: str) -> None:
    due_at = None
    for c in range(CAMPAIGNS):
        scenario = await make_campaign(db, stage="registration", title=f"Campaign {c}")
        for t in range(2):
            people = [await make_user(db, f"c{c}t{t}m{m}@example.com") for m in range(2)]
            await make_team(db, scenario, people[0], members=people[1:], name=f"Team {t}")
        await replan(db, scenario.campaign.id)
        # a minute after the 1-hour reminder: registration closed, submission open, 24 h reminder moot
        due_at = scenario.submission.closes_at - timedelta(hours=1) + timedelta(minutes=1)
    await db.commit()
    assert due_at is not None
    clock = FrozenClock(due_at)

    engines = [make_engine(database_url) for _ in range(2)]
    try:
        makers = [async_sessionmaker(engine, expire_on_commit=False) for engine in engines]
        results = await asyncio.gather(*(run_due(maker, clock.now, f"worker-{i}") for i, maker in enumerate(makers)))
    finally:
        for engine in engines:
            await engine.dispose()

    applied = [action.id for batch in results for action in batch]
    assert len(applied) == len(set(applied)) == 4 * CAMPAIGNS  # no action applied by both workers
    states = await _counted(db, select(ScheduledAction.state, func.count()).group_by(ScheduledAction.state))
    audits = await _counted(
        db,
        select(AuditEntry.action, func.count())
        .where(AuditEntry.action.in_(["phase.open", "phase.close"]))
        .group_by(AuditEntry.action),
    )
    notes = await _counted(db, select(Notification.kind, func.count()).group_by(Notification.kind))
    mails = await db.scalar(select(func.count(OutboxMail.id)))
    await db.commit()
    assert audits == {"phase.open": CAMPAIGNS, "phase.close": CAMPAIGNS}
    assert notes == {NotificationKind.PHASE_OPENED: 4 * CAMPAIGNS, NotificationKind.SUBMISSION_REMINDER: 4 * CAMPAIGNS}
    assert mails == 8 * CAMPAIGNS
    assert states[ActionState.DONE] == 3 * CAMPAIGNS and states[ActionState.SKIPPED] == CAMPAIGNS
    assert states[ActionState.PENDING] == 7 * CAMPAIGNS  # not due yet: judging, results, closes
    share = Counter(a.worker for batch in results for a in batch)
    print(f"\ntwo workers: {len(applied)} due actions, applied once each; by worker {dict(share)}; "
          f"{mails} mails queued once each")  # fmt: skip

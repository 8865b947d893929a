"""Judging progress by judge and by entry, in a constant number of queries."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from judging.models import ScorecardStatus
from judging.progress import PAGE_SIZE, entry_progress, judge_progress, phase_card_rows
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user


async def build(db: AsyncSession, teams: int) -> Scenario:
    org = await make_user(db, "org@example.com")
    judges = [await make_user(db, f"judge{i}@example.com", name=f"Judge {i}") for i in range(3)]
    scenario = await make_campaign(db, organizer=org, judges=judges, stage="judging")
    for t in range(teams):
        cap = await make_user(db, f"cap{t}@example.com")
        entry = await make_entry(db, await make_team(db, scenario, cap, name=f"Team {t:02d}"), scenario.submission)
        for judge in judges[:2]:
            await assign(db, scenario.judging, entry, judge)
        await make_scorecard(db, scenario, entry, judges[0], [3, 3, 3])
        await make_scorecard(db, scenario, entry, judges[1], [3], final=False)
    await db.commit()
    return scenario


async def test_counts_by_judge_and_by_entry(db: AsyncSession) -> None:
    scenario = await build(db, 3)

    judges = await judge_progress(db, scenario.judging)
    got = [
        (p.judge.name, p.assigned, p.draft, p.final, p.unfinished, p.last_activity is not None) for p in judges.items
    ]
    assert got == [
        ("Judge 0", 3, 0, 3, 0, True),
        ("Judge 1", 3, 3, 0, 3, True),
        ("Judge 2", 0, 0, 0, 0, False),
    ]
    entries = await entry_progress(db, scenario.judging)
    assert [(e.entry.team.name, e.final, [s for _j, s in e.judges]) for e in entries.items] == [
        (f"Team {t:02d}", 1, [ScorecardStatus.FINAL, ScorecardStatus.DRAFT]) for t in range(3)
    ]
    cards = await phase_card_rows(db, scenario.judging)
    assert len(cards) == 6 and sum(1 for c in cards if c.total is not None) == 3


async def add_teams(db: AsyncSession, scenario: Scenario, start: int, count: int) -> None:
    judge = await make_user(db, f"extra{start}@example.com")
    for t in range(start, start + count):
        cap = await make_user(db, f"cap{t}@example.com")
        entry = await make_entry(db, await make_team(db, scenario, cap, name=f"Team {t:02d}"), scenario.submission)
        await assign(db, scenario.judging, entry, judge)
        await make_scorecard(db, scenario, entry, judge, [1, 2, 3])
    await db.commit()


async def test_queries_do_not_grow_with_the_data(db: AsyncSession) -> None:
    scenario = await build(db, 2)
    engine = db.bind.sync_engine
    counts = []
    for start, more in ((100, 0), (200, PAGE_SIZE + 5)):
        await add_teams(db, scenario, start, more)
        counted: list[str] = []

        def listener(*args: object, counted: list[str] = counted) -> None:
            counted.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", listener)
        await judge_progress(db, scenario.judging)
        await entry_progress(db, scenario.judging)
        await phase_card_rows(db, scenario.judging)
        event.remove(engine, "before_cursor_execute", listener)
        counts.append(len(counted))
    print(f"progress queries: {counts}")
    assert counts[0] == counts[1] <= 12

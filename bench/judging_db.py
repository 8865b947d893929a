"""``phase_ranking`` against a fresh SQLite file holding a simulated campaign (used by
``bench/judging_quality.py --db``): the time to load and rank, per normalisation mode, and the
number of SQL statements."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from accounts.models import User
from campaigns.models import NormalisationMode, Phase
from judging.models import Score, Scorecard, ScorecardStatus
from judging.ranking import phase_ranking
from judging.scoring import Card, CriterionSpec
from teams.models import Entry, EntryStatus, Team
from tests.conftest import NOW
from tests.factories import make_campaign


async def _load(db: AsyncSession, cards: Sequence[Card], criteria: Sequence[CriterionSpec], k: int) -> int:
    s = await make_campaign(
        db,
        stage="judging",
        challenges=10,
        criteria=[(f"C{c.id}", c.weight, c.scale_min, c.scale_max) for c in criteria],
    )
    s.judging.required_judges = k
    await db.flush()
    entries = sorted({c.entry_id for c in cards})
    judges = sorted({c.judge_id for c in cards})
    base = 1_000_000  # ids clear of the factory's rows
    users = [{"id": base + j, "email": f"judge{j}@bench.test", "name": f"Judge {j}"} for j in judges]
    users += [{"id": 2 * base + e, "email": f"captain{e}@bench.test", "name": f"Captain {e}"} for e in entries]
    await db.execute(insert(User), users)
    challenges = [c.id for c in s.challenges]
    await db.execute(
        insert(Team),
        [
            {
                "id": base + e,
                "campaign_id": s.campaign.id,
                "challenge_id": challenges[e % len(challenges)],
                "name": f"Team {e}",
                "name_key": f"team {e}",
                "captain_id": 2 * base + e,
            }
            for e in entries
        ],
    )
    await db.execute(
        insert(Entry),
        [
            {"id": base + e, "team_id": base + e, "phase_id": s.submission.id, "status": EntryStatus.SUBMITTED}
            for e in entries
        ],
    )
    cards_rows = [
        {
            "id": base + i,
            "phase_id": s.judging.id,
            "entry_id": base + c.entry_id,
            "judge_id": base + c.judge_id,
            "status": ScorecardStatus.FINAL,
            "finalised_at": NOW,
        }
        for i, c in enumerate(cards)
    ]
    await db.execute(insert(Scorecard), cards_rows)
    by_position = {c.id: made.id for c, made in zip(criteria, s.criteria, strict=True)}
    await db.execute(
        insert(Score),
        [
            {"scorecard_id": base + i, "criterion_id": by_position[cid], "value": value}
            for i, c in enumerate(cards)
            for cid, value in c.scores.items()
        ],
    )
    await db.commit()
    return s.judging.id


async def time_phase_ranking(cards: Sequence[Card], criteria: Sequence[CriterionSpec], k: int) -> None:
    from web import migrate

    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    start = time.perf_counter()
    async with sessions() as db:
        phase_id = await _load(db, cards, criteria, k)
    print(f"  SQLite loaded with {len(cards)} scorecards in {time.perf_counter() - start:.1f} s")
    statements: list[int] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(1))
    for mode in NormalisationMode:
        async with sessions() as db:
            phase = await db.get(Phase, phase_id)
            assert phase is not None
            phase.normalisation = mode
            await db.commit()
            statements.clear()
            start = time.perf_counter()
            ranking = await phase_ranking(db, phase)
            elapsed = time.perf_counter() - start
        ranked = sum(1 for row in ranking.rows if row.rank is not None)
        print(
            f"  phase_ranking on SQLite, mode {mode.value:<13} {elapsed:7.3f} s "
            f"({len(statements)} statements, {ranked} entries ranked)"
        )
    await engine.dispose()

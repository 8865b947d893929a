"""One judge's writes on one entry are serialised (PostgreSQL row locks; SQLite serialises writers):
an autosave that reaches the server while "Finalise" is being committed waits for it, then sees a
final scorecard: the same fields change nothing, other fields are refused; the final scorecard is
never changed behind its audit row."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from core.audit import AuditEntry
from core.errors import Conflict
from judging.models import Scorecard, ScorecardStatus
from judging.scorecards import finalise_scorecard, save_scores
from tests.conftest import NOW
from tests.factories import assign, make_campaign, make_entry, make_team, make_user
from tests.teams.test_deadline_boundary import TIMEOUT, backend_pid, postgres_only, wait_until_blocked, writers


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = writers(database_url, 4)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.mark.parametrize("same_fields", [True, False])
async def test_an_autosave_waits_for_the_finalisation_in_flight(
    db: AsyncSession, database_url: str, maker: async_sessionmaker[AsyncSession], same_fields: bool
) -> None:
    postgres_only(database_url)
    judge = await make_user(db, "ann@example.com")
    scenario = await make_campaign(db, stage="judging", judges=[judge])
    entry = await make_entry(
        db, await make_team(db, scenario, await make_user(db, "cap@example.com")), scenario.submission
    )
    await assign(db, scenario.judging, entry, judge)
    await db.commit()
    ids = [c.id for c in scenario.criteria]
    final = dict(zip(ids, (5, 3, 5), strict=True))
    late = final if same_fields else dict(zip(ids, (1, 1, 1), strict=True))
    autosaver_pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def autosave() -> str:
        async with maker() as session:
            autosaver_pid.set_result(await backend_pid(session))
            try:
                await save_scores(session, judge, scenario.judging.id, entry.id, late, "Typed", "", NOW)
            except Conflict as exc:
                await session.rollback()
                return exc.message
            await session.commit()
            return "saved"

    async with asyncio.timeout(TIMEOUT), maker() as finaliser, maker() as observer:
        finaliser_pid = await backend_pid(finaliser)
        await finalise_scorecard(finaliser, judge, scenario.judging.id, entry.id, final, "Typed", "", NOW)
        saving = asyncio.create_task(autosave())  # the finalisation's transaction is still open
        await wait_until_blocked(observer, await autosaver_pid, finaliser_pid)
        assert not saving.done()
        await finaliser.commit()
        outcome = await saving

    assert outcome == ("saved" if same_fields else "This scorecard is final and can no longer be changed.")
    card = await db.scalar(select(Scorecard).options(selectinload(Scorecard.scores)))
    audits = await db.scalar(select(func.count()).where(AuditEntry.action == "scorecard.finalised"))
    await db.commit()
    assert card is not None and card.status is ScorecardStatus.FINAL and card.feedback == "Typed"
    assert {s.criterion_id: s.value for s in card.scores} == final
    assert audits == 1

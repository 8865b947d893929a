"""Two people at once on PostgreSQL: a timeline transition and a publication serialise on the
campaign's row, so the one that waits decides on what the other committed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from campaigns.models import Campaign, Phase, PhaseKind, PhaseStatus
from campaigns.phase_transitions import reopen_phase
from core.errors import Conflict
from judging.awards import publish_results
from judging.models import Award
from tests.conftest import NOW
from tests.factories import DAY, make_campaign, make_team, make_user
from tests.teams.test_deadline_boundary import TIMEOUT, backend_pid, postgres_only, wait_until_blocked, writers


async def test_results_wait_for_a_reopening_in_flight_and_refuse(db: AsyncSession, database_url: str) -> None:
    postgres_only(database_url)
    organizer = await make_user(db, "org@example.com")
    captain = await make_user(db, "cap@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="results", timezone="UTC")
    scenario.campaign.results_published_at = None
    await db.execute(delete(Phase).where(Phase.id == scenario.phases[PhaseKind.RESULTS].id))
    team = await make_team(db, scenario, captain)
    approved = Award(
        campaign_id=scenario.campaign.id,
        name="Gold",
        team_id=team.id,
        approved_at=NOW - DAY,
        approved_by_id=organizer.id,
    )
    db.add(approved)
    await db.commit()
    cid, judging_id, organizer_id = scenario.campaign.id, scenario.judging.id, organizer.id
    engine = writers(database_url, 4)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with asyncio.timeout(TIMEOUT), maker() as first, maker() as second, maker() as observer:
        # one organizer reopens judging and has not committed yet
        phase = await first.get(Phase, judging_id)
        actor = await first.get(User, organizer_id)
        assert phase is not None and actor is not None
        await reopen_phase(first, actor, NOW, phase, NOW + DAY, 0)
        # another publishes the results meanwhile: it waits for the campaign's lock ...
        other = await second.get(User, organizer_id)
        campaign = await second.get(Campaign, cid)
        assert other is not None and campaign is not None
        publishing = asyncio.create_task(publish_results(second, other, NOW, campaign))
        await wait_until_blocked(observer, await backend_pid(second), await backend_pid(first))
        await first.commit()
        # ... and then sees judging running again: refused
        with pytest.raises(Conflict, match="still open"):
            await publishing
        await second.rollback()
    await engine.dispose()
    campaign_now = await db.scalar(select(Campaign).where(Campaign.id == cid).execution_options(populate_existing=True))
    judging = await db.scalar(select(Phase).where(Phase.id == judging_id).execution_options(populate_existing=True))
    assert campaign_now is not None and campaign_now.results_published_at is None
    assert judging is not None and judging.status is PhaseStatus.OPEN

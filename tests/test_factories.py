from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import PhaseStatus
from tests import factories as f


async def test_a_submission_stage_campaign_has_its_submission_phase_open(db: AsyncSession) -> None:
    organizer = await f.make_user(db, "org@example.com")
    scenario = await f.make_campaign(db, organizer=organizer, stage="submission")
    alice = await f.make_user(db, "alice@example.com")
    team = await f.make_team(db, scenario, alice)
    entry = await f.make_entry(db, team, scenario.submission)
    await db.commit()
    assert scenario.submission.status is PhaseStatus.OPEN
    assert scenario.judging.status is PhaseStatus.PENDING
    assert entry.submitted_version == 1
    assert len(scenario.criteria) == 3

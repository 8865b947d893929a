"""The ranking version of a campaign goes up when an audited change of it commits, and only then."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record
from core.versions import current
from tests.conftest import NOW
from tests.factories import make_campaign


async def test_an_audited_change_bumps_the_version_when_it_commits(db: AsyncSession) -> None:
    s = await make_campaign(db)
    await db.commit()
    campaign_id = s.campaign.id
    before = await current(db, campaign_id)
    await record(db, at=NOW, actor_id=None, action="test.change", subject=s.campaign, campaign_id=campaign_id)
    await record(db, at=NOW, actor_id=None, action="test.change", subject=s.campaign, campaign_id=campaign_id)
    await db.rollback()
    assert await current(db, campaign_id) == before  # rolled back: no bump
    await db.refresh(s.campaign)
    await record(db, at=NOW, actor_id=None, action="test.change", subject=s.campaign, campaign_id=campaign_id)
    await record(db, at=NOW, actor_id=None, action="test.change", subject=s.campaign, campaign_id=campaign_id)
    await db.commit()
    assert await current(db, campaign_id) == before + 1  # once per committed transaction
    await db.refresh(s.campaign)
    await record(db, at=NOW, actor_id=None, action="user.thing", subject=s.campaign)  # no campaign named
    await db.commit()
    assert await current(db, campaign_id) == before + 1

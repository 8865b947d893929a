"""The scheduler wired into the app: a start catches up on what fell due while nothing ran."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Phase, PhaseKind, PhaseStatus
from core.clock import FrozenClock
from tests.automation.conftest import plan
from tests.factories import make_campaign
from web.app import create_app
from web.settings import Settings


async def test_an_app_start_applies_what_fell_due_once(
    db: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    scenario = await make_campaign(db, stage="registration")
    registration = scenario.phases[PhaseKind.REGISTRATION]
    await plan(db, scenario.campaign.id)
    clock.set(registration.closes_at + timedelta(minutes=5))  # the server was down at the deadline

    app = create_app(dataclasses.replace(settings, scheduler_enabled=True), clock=clock)
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/health")).status_code == 200
        phase = await db.get(Phase, registration.id, populate_existing=True)
        await db.commit()
        assert phase is not None and phase.status is PhaseStatus.CLOSED
        scheduler = app.state.scheduler
        # in the app's own event loop: its pool's connections belong there (not to the test's loop)
        with client.portal() as portal:
            assert portal.call(scheduler.sweep) == 0  # nothing left, nothing twice

"""Judging in a real browser: set-up, automatic assignment, scoring with the keyboard only,
and advancement applied by the organizer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import AdvancementRule
from judging.models import Advancement, AdvancementOutcome, Assignment, Score, Scorecard, ScorecardStatus
from tests import factories as f
from tests.browser.test_journey import sign_in

pytestmark = pytest.mark.browser


async def test_organizer_assigns_judge_scores_by_keyboard_organizer_advances(
    db: AsyncSession, live_server: str, page: Any
) -> None:
    now = datetime.now(UTC)
    organizer = await f.make_user(db, "org@example.com", name="Olga Organizer")
    judge = await f.make_user(db, "judge@example.com", name="Jin Judge")
    captain = await f.make_user(db, "alice@example.com", name="Alice")
    scenario = await f.make_campaign(db, organizer=organizer, judges=[judge], stage="judging", now=now)
    team = await f.make_team(db, scenario, captain, name="Pickers United")
    entry = await f.make_entry(db, team, scenario.submission, now=now, title="Pick-to-light shelves")
    await db.commit()
    base = f"{live_server}/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}"

    # the organizer sets the phase up: one judge per entry, the best team advances
    await sign_in(page, live_server, "org@example.com")
    await page.goto(f"{base}/setup")
    await page.fill("#f-required_judges", "1")
    await page.check("input[name=advancement_rule][value=top_n]")
    await page.fill("#f-advancement_value", "1")
    async with page.expect_navigation():
        await page.click("form[action$='/setup'] button[type=submit]")
    await db.commit()  # a fresh snapshot: the server committed in between
    await db.refresh(scenario.judging)
    assert scenario.judging.required_judges == 1
    assert scenario.judging.advancement_rule is AdvancementRule.TOP_N

    # and assigns automatically
    await page.goto(f"{base}/assignments")
    async with page.expect_navigation():
        await page.click("form[action$='/assignments/auto'] button[type=submit]")
    await db.commit()
    assigned = (await db.scalars(select(Assignment.judge_id).where(Assignment.entry_id == entry.id))).all()
    assert assigned == [judge.id]
    await db.commit()

    # the judge scores without the mouse: j moves to the next criterion, a digit picks a level
    await sign_in(page, live_server, "judge@example.com")
    await page.goto(f"{live_server}/judging/{scenario.judging.id}/entries/{entry.id}")
    for level in ("5", "3", "5"):
        await page.keyboard.press("j")
        await page.keyboard.press(level)
    # 100·(3·1 + 2·0.5 + 1·0.5)/6 = 75.0, answered by the autosave
    await page.locator(".score-total", has_text="75.0").wait_for()
    await page.fill("#f-feedback", "Clear and cheap.")
    async with page.expect_navigation():
        await page.keyboard.press("Control+Enter")
    assert page.url == f"{live_server}/judging"  # back to the queue
    await db.commit()
    card = await db.scalar(select(Scorecard).where(Scorecard.entry_id == entry.id))
    assert card is not None and card.status is ScorecardStatus.FINAL
    values = await db.scalars(select(Score.value).where(Score.scorecard_id == card.id).order_by(Score.criterion_id))
    assert list(values) == [5, 3, 5]
    await db.commit()

    # the organizer applies the advancement rule by hand before the phase closes
    await sign_in(page, live_server, "org@example.com")
    await page.goto(f"{base}/advancement")
    async with page.expect_navigation():
        await page.click("form[action$='/advancement/apply'] button[type=submit]")
    await db.commit()
    outcome = await db.scalar(select(Advancement).where(Advancement.team_id == team.id))
    assert outcome is not None and outcome.outcome is AdvancementOutcome.ADVANCE
    assert "Pickers United" in await page.inner_text("main")

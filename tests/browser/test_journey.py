"""The key steps of a campaign in a real browser: sign in, form a team, submit, score, publish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import PhaseStatus
from judging.models import Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, Team
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


async def sign_in(page: Any, server: str, email: str) -> None:
    await page.context.clear_cookies()
    await page.goto(server + "/sign-in")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_url(server + "/")


async def test_team_submits_and_judge_scores_in_the_browser(db: AsyncSession, live_server: str, page: Any) -> None:
    now = datetime.now(UTC)
    organizer = await f.make_user(db, "org@example.com", name="Olga Organizer")
    judge = await f.make_user(db, "judge@example.com", name="Jin Judge")
    await f.make_user(db, "alice@example.com", name="Alice")
    await f.make_user(db, "exec@example.com", name="Erin Executive", executive=True)
    scenario = await f.make_campaign(db, organizer=organizer, judges=[judge], stage="submission", now=now)
    scenario.judging.required_judges = 1
    await db.commit()
    campaign_id = scenario.campaign.id

    # a participant forms a team and submits the entry
    await sign_in(page, live_server, "alice@example.com")
    await page.goto(f"{live_server}/campaigns/{campaign_id}")
    await page.click(f"a[href='/campaigns/{campaign_id}/teams/new?challenge={scenario.challenges[0].id}']")
    await page.fill("input[name=name]", "Pickers United")
    await page.click("form[action$='/teams'] button[type=submit]")
    await page.wait_for_url("**/teams/*")
    team = await db.scalar(select(Team).where(Team.name == "Pickers United"))
    assert team is not None
    await db.commit()
    await page.goto(f"{live_server}/teams/{team.id}/entry")
    await page.fill("#f-title", "Pick-to-light shelves")
    await page.fill("#f-summary", "Lights show which bin to pick from.")
    await page.fill("#f-solution", "Cheap LEDs on every shelf.")
    await page.fill("#f-prototype_url", "https://example.com/prototype")
    async with page.expect_navigation():
        await page.click("#entry-form button[type=submit]:not([formaction])")
    entry = await db.scalar(select(Entry).where(Entry.team_id == team.id))
    assert entry is not None and entry.status is EntryStatus.SUBMITTED and entry.title == "Pick-to-light shelves"
    # end the read snapshot before writing: a snapshot older than the server's last commit (a late
    # autosave) cannot become a write transaction on SQLite ("database is locked")
    await db.commit()

    # time passes: submission closes, judging opens, the organizer assigns the judge
    scenario.submission.closes_at = now - timedelta(minutes=1)
    scenario.submission.status = PhaseStatus.CLOSED
    scenario.judging.opens_at = now - timedelta(minutes=1)
    scenario.judging.status = PhaseStatus.OPEN
    db.add_all([scenario.submission, scenario.judging])
    await f.assign(db, scenario.judging, entry, judge)
    await db.commit()

    # the judge scores it with the rubric and finalises
    await sign_in(page, live_server, "judge@example.com")
    await page.goto(f"{live_server}/judging")
    await page.click("text=Pick-to-light shelves")
    for criterion, value in zip(scenario.criteria, (5, 3, 5), strict=True):
        await page.check(f"input[name=c{criterion.id}][value='{value}']")
    # the autosave answers with the running weighted total: 100·(3·1 + 2·0.5 + 1·0.5)/6 = 75.0
    await page.locator(".score-total", has_text="75.0").wait_for()
    await page.fill("#f-feedback", "Clear and cheap. Measure the error rate before and after.")
    async with page.expect_navigation():
        await page.click("#scorecard button[type=submit]:not([formaction])")
    card = await db.scalar(select(Scorecard).where(Scorecard.entry_id == entry.id))
    assert card is not None and card.status is ScorecardStatus.FINAL
    assert card.feedback.startswith("Clear and cheap")

    # the organizer gives the award and publishes the results
    await sign_in(page, live_server, "org@example.com")
    await page.goto(f"{live_server}/campaigns/{campaign_id}/results")
    assert "Pickers United" in await page.inner_text("main")
    await page.fill("#f-name", "Best idea")
    await page.select_option("#f-team_id", str(team.id))
    async with page.expect_navigation():
        await page.click(f"form[action='/campaigns/{campaign_id}/awards'] button[type=submit]")

    # an executive approves the award, then the organizer publishes
    await sign_in(page, live_server, "exec@example.com")
    await page.goto(f"{live_server}/campaigns/{campaign_id}/awards/approval")
    assert "Best idea" in await page.inner_text("main")
    async with page.expect_navigation():
        await page.click("form.approve-award button[type=submit]")
    assert "Approved" in await page.inner_text("main")
    # not while judging is open: the button says why
    await sign_in(page, live_server, "org@example.com")
    await page.goto(f"{live_server}/campaigns/{campaign_id}/results")
    publish = page.locator(f"form[action='/campaigns/{campaign_id}/results/publish'] button[type=submit]")
    assert await publish.is_disabled()
    assert "Judging phase “Judging” is still open" in await page.inner_text("#publish-blockers")
    # the organizer closes judging on the timeline, then publishes
    await page.goto(f"{live_server}/campaigns/{campaign_id}/timeline")
    judging = page.locator(f"#phase-{scenario.judging.id}")
    await judging.locator("button:has-text('Close now')").click()
    await judging.locator("summary:has-text('Reopen')").wait_for()  # closed: only reopening is left
    await page.goto(f"{live_server}/campaigns/{campaign_id}/results")
    async with page.expect_navigation():
        await publish.click()
    assert "The results are published" in await page.inner_text("main")

    # the team now sees its award and the judge's feedback
    await sign_in(page, live_server, "alice@example.com")
    await page.goto(f"{live_server}/teams/{team.id}/result")
    body = await page.inner_text("main")
    assert "Best idea" in body and "Measure the error rate before and after." in body

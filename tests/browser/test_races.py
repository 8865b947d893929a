"""Autosave beside the buttons that send the whole form, in a real browser: pressing "Finalise" or
"Submit" straight after typing loses nothing and raises no error, and the parts of the entry page
that show the saved state follow each autosave.

The autosave is held back in the browser for half a second (``page.route``), so that the button is
always pressed while it is on its way: the button's request must wait for it (htmx ``hx-sync``)
instead of leaving the page under it."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from judging.models import Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, EntryVersion
from tests import factories as f
from tests.browser.test_journey import sign_in

pytestmark = pytest.mark.browser
AUTOSAVE_HELD = 0.5  # seconds


class Traffic:
    """Every answer the page got and every request it gave up (an aborted XHR)."""

    def __init__(self, page: Any) -> None:
        self.answers: list[tuple[str, str, int]] = []
        self.failed: list[str] = []
        page.on("response", lambda r: self.answers.append((r.request.method, r.url, r.status)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.method} {r.url} {r.failure}"))

    def posts(self) -> list[tuple[str, int]]:
        return [(url.rsplit("/", 1)[-1], status) for method, url, status in self.answers if method == "POST"]


async def hold_back(page: Any, pattern: str) -> None:
    async def slow(route: Any) -> None:
        await asyncio.sleep(AUTOSAVE_HELD)
        await route.continue_()

    await page.route(pattern, slow)


def server_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


async def test_judge_types_feedback_and_finalises_at_once(
    db: AsyncSession, live_server: str, page: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    now = datetime.now(UTC)
    judge = await f.make_user(db, "judge@example.com", name="Jin Judge")
    captain = await f.make_user(db, "alice@example.com", name="Alice")
    scenario = await f.make_campaign(db, judges=[judge], stage="judging", now=now)
    team = await f.make_team(db, scenario, captain, name="Pickers United")
    entry = await f.make_entry(db, team, scenario.submission, now=now, title="Pick-to-light shelves")
    await f.assign(db, scenario.judging, entry, judge)
    # every criterion is scored already: only the feedback is left
    await f.make_scorecard(db, scenario, entry, judge, [4, 3, 7], final=False, feedback="", now=now)
    await db.commit()

    await sign_in(page, live_server, "judge@example.com")
    await page.goto(f"{live_server}/judging/{scenario.judging.id}/entries/{entry.id}")
    traffic = Traffic(page)
    await hold_back(page, "**/scores")
    typed = "Clear, cheap and tested on one aisle: try a second warehouse next."
    await page.fill("#f-feedback", typed)
    # the click takes the focus from the text box: its "change" sends an autosave, then the form goes
    async with page.expect_navigation():
        await page.click("button:has-text('Finalise scorecard')")
    assert page.url == f"{live_server}/judging"
    await page.get_by_role("status").filter(has_text="is final").wait_for()

    card = await db.scalar(
        select(Scorecard).where(Scorecard.entry_id == entry.id).execution_options(populate_existing=True)
    )
    await db.commit()
    assert card is not None and card.status is ScorecardStatus.FINAL
    assert card.feedback == typed
    # the autosave was answered before "Finalise" was sent, and nothing was refused or cut off
    assert traffic.posts() == [("scores", 200), ("finalise", 200)]
    assert traffic.failed == []
    assert server_errors(caplog) == []


async def test_entry_page_follows_the_autosave_and_submit_waits_for_it(
    db: AsyncSession, live_server: str, page: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    now = datetime.now(UTC)
    captain = await f.make_user(db, "alice@example.com", name="Alice")
    scenario = await f.make_campaign(db, stage="submission", now=now)
    team = await f.make_team(db, scenario, captain, name="Pickers United")
    await db.commit()

    await sign_in(page, live_server, "alice@example.com")
    await page.goto(f"{live_server}/teams/{team.id}/entry")
    state, versions = page.locator("#entry-state"), page.locator("#versions")
    assert "No entry yet" in await state.inner_text()
    assert "Nothing saved yet" in await versions.inner_text()
    traffic = Traffic(page)

    # the first autosave: status, saved-at note, versions and "Submit" follow it
    await page.fill("#f-title", "Pick-to-light shelves")
    await page.locator("#save-status").filter(has_text="Saved at").wait_for()
    assert "Draft" in await state.inner_text() and "No entry yet" not in await state.inner_text()
    assert "1 version saved." in await versions.inner_text()
    assert await versions.locator("tbody tr").count() == 1
    assert await page.locator("#submit-area button").inner_text() == "Submit the entry"

    # typing, then "Submit" at once while the autosave is on its way: both land, in order
    await hold_back(page, "**/entry/save")
    await page.fill("#f-summary", "Lights show the picker the right bin.")
    await page.wait_for_timeout(1600)  # the autosave's delay (1.5 s) has passed: it is on its way now
    await page.fill("#f-summary", "Lights show the picker the right bin, and the next one.")
    async with page.expect_navigation():
        await page.click("#submit-area button")
    await page.get_by_role("status").filter(has_text="Your entry is submitted").wait_for()
    assert "Submitted" in await state.inner_text()
    assert await page.locator("#submit-area button").inner_text() == "Submit again"

    entry = await db.scalar(select(Entry).where(Entry.team_id == team.id).execution_options(populate_existing=True))
    assert entry is not None and entry.status is EntryStatus.SUBMITTED
    submitted = await db.scalar(
        select(EntryVersion).where(EntryVersion.entry_id == entry.id, EntryVersion.number == entry.submitted_version)
    )
    await db.commit()
    assert submitted is not None and submitted.summary == "Lights show the picker the right bin, and the next one."
    posts = traffic.posts()
    assert posts[-2:] == [("save", 200), ("submit", 200)], posts
    assert all(status == 200 for _, status in posts)
    assert traffic.failed == []
    assert server_errors(caplog) == []

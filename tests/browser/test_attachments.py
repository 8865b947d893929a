"""Attachments in a real browser over a real server: an htmx upload in place (typed text kept), a
file too large for the limit answered with the message (not a reset connection), removal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import PASSWORD
from tests.teams import files
from web.settings import Settings

pytestmark = pytest.mark.browser
MAX_BYTES = 4096


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, upload_max_bytes=MAX_BYTES, upload_max_count=3)


async def test_upload_in_place_too_large_and_remove(
    db: AsyncSession, live_server: str, page: Any, settings: Settings, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    ann = await f.make_user(db, "ann@example.com", name="Ann")
    scenario = await f.make_campaign(db, stage="submission", now=now)
    team = await f.make_team(db, scenario, ann, name="Lights")
    await db.commit()
    plan = tmp_path / "计划.pdf"
    plan.write_bytes(files.PDF)
    huge = tmp_path / "huge.txt"
    huge.write_bytes(files.text_of_size(40 * MAX_BYTES))

    await page.goto(live_server + "/sign-in")
    await page.fill("input[name=email]", "ann@example.com")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_url(live_server + "/")
    await page.goto(f"{live_server}/teams/{team.id}/entry")

    # text typed but not saved yet stays where it is while a file goes up (htmx swaps the section)
    await page.fill("#f-title", "Typed, not saved")
    await page.set_input_files("#f-file", str(plan))
    await page.click("#attachments .upload-form button[type=submit]")
    await page.locator("#attachments a", has_text="计划.pdf").wait_for()
    assert await page.input_value("#f-title") == "Typed, not saved"

    # far past the limit: the server reads and drops the body, the browser shows the message
    await page.set_input_files("#f-file", str(huge))
    await page.click("#attachments .upload-form button[type=submit]")
    await page.locator("#e-file").wait_for()
    assert "The file is too large: a file can be at most 4 KB." in await page.inner_text("#e-file")
    assert await page.input_value("#f-title") == "Typed, not saved"

    # removing asks first (a disclosure), then the file goes
    await page.click("#attachments details.confirm-remove summary")
    await page.click("#attachments details.confirm-remove button[type=submit]")
    await page.locator("#attachments", has_text="No files yet.").wait_for()
    assert [p.name for p in settings.upload_dir.iterdir()] == []
    await page.screenshot(path=str(tmp_path / "attachments.png"), full_page=True)


async def test_files_changed_after_submitting_are_marked_until_submitted_again(
    db: AsyncSession, live_server: str, page: Any, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    ann = await f.make_user(db, "ann@example.com", name="Ann")
    scenario = await f.make_campaign(db, stage="submission", now=now)
    team = await f.make_team(db, scenario, ann, name="Lights")
    await db.commit()
    plan, photo = tmp_path / "plan.pdf", tmp_path / "photo.png"
    plan.write_bytes(files.PDF)
    photo.write_bytes(files.png())

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(live_server + "/sign-in")
    await page.fill("input[name=email]", "ann@example.com")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_url(live_server + "/")
    entry_url = f"{live_server}/teams/{team.id}/entry"
    await page.goto(entry_url)
    for field, text in (("title", "Pick to light"), ("summary", "Lights"), ("problem", "Picks"), ("solution", "Lamps")):
        await page.fill(f"#f-{field}", text)
    await page.set_input_files("#f-file", str(plan))
    await page.click("#attachments .upload-form button[type=submit]")
    await page.locator("#attachments a", has_text="plan.pdf").wait_for()
    async with page.expect_navigation():  # htmx follows the answer's redirect to the entry page
        await page.click("#submit-area button[type=submit]")
    await page.locator("#submit-area button", has_text="Submit again").wait_for()

    await page.set_input_files("#f-file", str(photo))
    await page.click("#attachments .upload-form button[type=submit]")
    row = page.locator("#attachments tr", has_text="photo.png")
    await row.locator(".badge", has_text="Not submitted yet").wait_for()
    plan_row = page.locator("#attachments tr", has_text="plan.pdf")
    await plan_row.locator("details.confirm-remove summary").click()
    assert "Judges still see it" in await plan_row.locator("details.confirm-remove p").inner_text()
    await plan_row.locator("details.confirm-remove button[type=submit]").click()
    removed = page.locator("#attachments .removed-files")
    await removed.wait_for()
    assert "plan.pdf" in await removed.inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.locator("#attachments").screenshot(path=str(tmp_path / "files-after-submitting.png"))

    # submitted again: the removed file is gone, the new one is part of the submitted version
    async with page.expect_navigation():
        await page.click("#submit-area button[type=submit]")
    await page.locator("#attachments tr", has_text="photo.png").wait_for()
    assert await page.locator("#attachments .removed-files").count() == 0
    assert await page.locator("#attachments .badge", has_text="Not submitted yet").count() == 0

"""Autosave beside "Finalise" and "Submit", through HTTP: the button's request carries every field
and saves it with the action in one transaction; an autosave that arrives after it changes nothing
and is not refused; every part of the page that shows the saved state comes with the autosave's
answer; a client that hangs up mid-request is one log line, never a server error."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from judging.models import ScorecardStatus
from teams.models import Entry, EntryVersion
from tests.conftest import Browser
from tests.factories import make_campaign, make_team, make_user
from tests.judging.test_scorecard_form import arrange, card_of, values_of


async def test_finalise_carries_what_was_typed_and_saves_it_with_the_finalisation(
    db: AsyncSession, browser: Browser
) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")
    # the last autosave the server saw had two criteria and no feedback
    assert (await browser.post(f"{world.base}/scores", world.scores(5, 3), htmx=True)).status_code == 200

    # "Finalise" (htmx) sends the whole form: the third score and the feedback typed since
    response = await browser.post(
        f"{world.base}/finalise", world.scores(5, 3, 5, feedback="Typed just now", private_note="n"), htmx=True
    )
    assert response.status_code == 200 and response.headers["hx-redirect"] == "/judging"
    card = await card_of(db, world, "ann")
    assert card is not None and card.status is ScorecardStatus.FINAL
    assert values_of(world, card) == [5, 3, 5] and (card.feedback, card.private_note) == ("Typed just now", "n")
    queue = (await browser.get("/judging")).text
    assert "Your scorecard for Pick by light is final." in queue

    # the autosave sent as the text box lost the focus arrives after it: the same fields, nothing to do
    late = await browser.post(
        f"{world.base}/scores", world.scores(5, 3, 5, feedback="Typed just now", private_note="n"), htmx=True
    )
    assert late.status_code == 200 and 'id="scorecard-status" hx-swap-oob="true"' in late.text
    assert "Final" in late.text
    # so does a second "Finalise" (a double click, a re-sent form): one finalisation, one audit row
    again = await browser.post(
        f"{world.base}/finalise", world.scores(5, 3, 5, feedback="Typed just now", private_note="n")
    )
    assert again.status_code == 303 and again.headers["location"] == "/judging"
    audits = await db.scalar(select(func.count()).where(AuditEntry.action == "scorecard.finalised"))
    await db.commit()
    assert audits == 1
    # an autosave that would change a final scorecard is still refused
    changed = await browser.post(f"{world.base}/scores", world.scores(1, 1, 1), htmx=True)
    assert changed.status_code == 409 and "can no longer be changed" in changed.text


async def test_score_form_status_follows_the_autosave(db: AsyncSession, browser: Browser) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")
    page = (await browser.get(world.base)).text
    assert '<span id="scorecard-status"><span class="badge not-started">Not started</span></span>' in page
    # the form queues "Finalise" behind an autosave on its way, and holds its fields while it is sent
    assert 'hx-sync="this:queue last"' in page and 'hx-sync="closest form:queue last"' in page
    assert "data-autosave-form" in page

    saved = await browser.post(f"{world.base}/scores", world.scores(4), htmx=True)
    assert saved.status_code == 200
    text = saved.text
    assert '<span id="scorecard-status" hx-swap-oob="true"><span class="badge draft">Draft</span></span>' in text
    assert "Saved as a draft at" in text and "1 of 3 criteria" in text


async def entry_world(db: AsyncSession) -> tuple[int, int]:
    captain = await make_user(db, "cap@example.com")
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, captain)
    await db.commit()
    return team.id, scenario.submission.id


def entry_form(phase_id: int, **fields: str) -> dict[str, str]:
    return {"phase_id": str(phase_id), "title": "", "summary": "", "problem": "", "solution": "", **fields}


async def test_entry_autosave_answers_with_every_part_of_the_saved_state(db: AsyncSession, browser: Browser) -> None:
    team_id, phase_id = await entry_world(db)
    await browser.sign_in("cap@example.com")
    page = (await browser.get(f"/teams/{team_id}/entry")).text
    assert "No entry yet" in page and "Nothing saved yet." in page
    assert f'hx-post="/teams/{team_id}/entry/submit"' in page and 'hx-sync="closest form:queue last"' in page

    saved = await browser.post(f"/teams/{team_id}/entry/save", entry_form(phase_id, title="Pick by light"), htmx=True)
    assert saved.status_code == 200
    text = saved.text
    assert "Saved at Mar 10, 2026, 10:00\u202fAM (Berlin, UTC+1)" in text  # 09:00 UTC in Berlin
    state = text[text.index('<div id="entry-state" hx-swap-oob="true">') :]
    assert '<span class="badge draft">Draft</span>' in state[: state.index("</div>")]
    versions = text[text.index('<section class="card" id="versions"') :]
    assert 'hx-swap-oob="true"' in versions[:200] and "1 version saved." in versions
    assert '<td class="num short" data-label="Version">1</td>' in versions
    assert '<span id="submit-area" class="row" hx-swap-oob="true">' in text
    assert '<p class="field-error" id="e-title" role="alert" hx-swap-oob="true"></p>' in text

    # a second save of other text: two versions; the same text again: still two
    await browser.post(
        f"/teams/{team_id}/entry/save", entry_form(phase_id, title="Pick by light", summary="S"), htmx=True
    )
    same = await browser.post(
        f"/teams/{team_id}/entry/save", entry_form(phase_id, title="Pick by light", summary="S"), htmx=True
    )
    assert "2 versions saved." in same.text


async def test_entry_submit_saves_what_was_typed_and_refusals_keep_it(db: AsyncSession, browser: Browser) -> None:
    team_id, phase_id = await entry_world(db)
    await browser.sign_in("cap@example.com")
    # the autosave saw a title only; "Submit" (htmx) carries the summary typed since
    await browser.post(f"/teams/{team_id}/entry/save", entry_form(phase_id, title="Pick by light"), htmx=True)

    no_title = await browser.post(f"/teams/{team_id}/entry/submit", entry_form(phase_id, summary="Half"), htmx=True)
    assert no_title.status_code == 422 and "<html" not in no_title.text
    assert "Not submitted: please check the highlighted fields. Your text is saved as a draft." in no_title.text
    slot = '<p class="field-error" id="e-title" role="alert" hx-swap-oob="true">'
    assert f"{slot}Give the entry a title before submitting it.</p>" in no_title.text
    assert "2 versions saved." in no_title.text  # the refused text is kept

    done = await browser.post(
        f"/teams/{team_id}/entry/submit", entry_form(phase_id, title="Pick by light", summary="Whole"), htmx=True
    )
    assert done.status_code == 200 and done.headers["hx-redirect"] == f"/teams/{team_id}/entry?phase={phase_id}"
    entry = await db.scalar(select(Entry).execution_options(populate_existing=True))
    assert entry is not None and entry.submitted_version == 3
    submitted = await db.scalar(select(EntryVersion).where(EntryVersion.number == 3))
    await db.commit()
    assert submitted is not None and submitted.submitted and submitted.summary == "Whole"
    page = (await browser.get(done.headers["hx-redirect"])).text
    assert "Your entry is submitted: judges see version 3." in page and "Submit again" in page


async def _post_from_a_client_that_hangs_up(app: Litestar, browser: Browser, path: str) -> list[dict[str, Any]]:
    """Sends a POST whose client disconnects before its body arrives; returns what the app sent."""
    await browser.get("/sign-in")  # the CSRF cookie
    cookies = "; ".join(f"{k}={v}" for k, v in browser.client.cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver.local"),
            (b"origin", b"http://testserver.local"),
            (b"cookie", cookies.encode()),
            (b"x-csrftoken", browser.client.cookies["kaizen_csrf"].encode()),
            (b"hx-request", b"true"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"40"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # in the test client's own event loop, where the app's database connections live
    portal = browser.client.blocking_portal
    await asyncio.to_thread(portal.call, app, scope, receive, send)  # type: ignore[arg-type]
    return sent


async def test_a_client_that_hangs_up_is_one_log_line_not_a_server_error(
    db: AsyncSession, browser: Browser, app: Litestar, caplog: pytest.LogCaptureFixture
) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")
    caplog.set_level(logging.INFO)
    sent = await _post_from_a_client_that_hangs_up(app, browser, f"{world.base}/scores")

    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 499  # nobody reads it; not a 500, and nothing was committed
    records = [r for r in caplog.records if r.name == "kaizen.web"]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.INFO, f"client went away during POST {world.base}/scores (InternalServerException)")
    ]
    assert all(r.exc_info is None for r in caplog.records)
    assert await card_of(db, world, "ann") is None

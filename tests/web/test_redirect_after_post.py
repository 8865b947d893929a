"""Redirect-after-post: an action answers with a 303 to the page that shows its outcome, with a
flash message shown once; a button that cannot succeed is disabled with the reason beside it; a
reload never repeats an action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar, post
from litestar.datastructures import State
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import AdvancementRule, Phase, PhaseKind, PhaseStatus
from core.clock import FrozenClock
from core.errors import Conflict
from judging.models import Award
from judging.publication import AWARDS_UNAPPROVED, JUDGING_OPEN, NO_AWARDS, Blocker, publication_blockers
from notifications.models import Notification
from tests.conftest import NOW, Browser
from tests.factories import DAY, make_campaign, make_entry, make_scorecard, make_team, make_user
from web.errors import EXCEPTION_HANDLERS
from web.flash import FLASH_COOKIE, FlashMiddleware
from web.settings import Settings

# --- what blocks publication, pure ---------------------------------------------------------------


def _phase(
    kind: PhaseKind, opens: int, closes: int, *, status: PhaseStatus = PhaseStatus.PENDING, grace: int = 0
) -> Phase:
    return Phase(
        id=opens + 100,
        kind=kind,
        name=kind.value.capitalize(),
        opens_at=NOW + opens * DAY,
        closes_at=NOW + closes * DAY,
        status=status,
        grace_minutes=grace,
    )


def test_publication_blockers_list_every_reason_in_order() -> None:
    open_judging = _phase(PhaseKind.JUDGING, -1, 2, status=PhaseStatus.OPEN)
    results = _phase(PhaseKind.RESULTS, 2, 9)
    assert publication_blockers(0, 0, [open_judging, results], NOW) == [
        Blocker(NO_AWARDS),
        Blocker(JUDGING_OPEN, {"phase": "Judging"}),
    ]
    assert publication_blockers(3, 2, [results], NOW) == [Blocker(AWARDS_UNAPPROVED, {"num": 2})]
    assert publication_blockers(3, 0, [open_judging, results], NOW + 2 * DAY) == []


@pytest.mark.parametrize(
    ("opens", "closes", "status", "grace", "at", "blocked"),
    [
        (-1, 2, PhaseStatus.OPEN, 0, timedelta(0), True),  # running
        (-3, -1, PhaseStatus.OPEN, 60, timedelta(days=-1) + timedelta(minutes=59), True),  # in its grace period
        (-3, -1, PhaseStatus.OPEN, 60, timedelta(days=-1) + timedelta(minutes=60), False),  # grace over
        (-1, 2, PhaseStatus.CLOSED, 0, timedelta(0), False),  # closed early by hand
        (1, 2, PhaseStatus.PENDING, 0, timedelta(0), False),  # not begun
    ],
)
def test_a_judging_phase_blocks_while_its_judges_can_still_score(
    opens: int, closes: int, status: PhaseStatus, grace: int, at: timedelta, blocked: bool
) -> None:
    judging = _phase(PhaseKind.JUDGING, opens, closes, status=status, grace=grace)
    assert bool(publication_blockers(1, 0, [judging], NOW + at)) is blocked
    # any phase still running blocks (phases run one at a time); a results phase never does
    running = publication_blockers(
        1, 0, [_phase(PhaseKind.SUBMISSION, opens, closes, status=status, grace=grace)], NOW + at
    )
    assert bool(running) is blocked
    assert publication_blockers(1, 0, [_phase(PhaseKind.RESULTS, opens, closes, status=status)], NOW + at) == []


# --- the flash message ---------------------------------------------------------------------------


async def test_a_flash_message_is_shown_once_and_a_forged_one_never(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="judging")
    await db.commit()
    await browser.sign_in("org@example.com")
    results = f"/campaigns/{scenario.campaign.id}/results"
    response = await browser.post(f"{results}/publish")
    assert response.status_code == 303 and response.headers["location"] == results
    cookie = response.cookies.get(FLASH_COOKIE)
    assert cookie, "the outcome travels in its cookie"
    assert "httponly" in response.headers["set-cookie"].lower()

    first = await browser.get(results)
    assert first.text.count("Give at least one award before publishing the results.") == 2  # flash + reason
    assert FLASH_COOKIE in first.headers.get("set-cookie", "")  # deleted with the page that showed it
    second = await browser.get(results)
    assert second.text.count("Give at least one award before publishing the results.") == 1  # the reason only

    # a message cannot be planted: an unsigned or altered cookie shows nothing
    payload, _, signature = cookie.partition(".")
    for forged in (payload, f"{payload}.{'0' * len(signature)}", f"{payload[:-2]}xx.{signature}"):
        browser.client.cookies.set(FLASH_COOKIE, forged)
        page = await browser.get(results)
        assert 'class="flash error outcome"' not in page.text, forged
    browser.client.cookies.delete(FLASH_COOKIE)


async def test_an_htmx_form_gets_a_client_redirect_with_its_flash(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="judging")
    await db.commit()
    await browser.sign_in("org@example.com")
    results = f"/campaigns/{scenario.campaign.id}/results"
    response = await browser.post(f"{results}/publish", htmx=True)
    assert response.status_code == 200 and response.headers["hx-redirect"] == results
    assert "Give at least one award" in (await browser.get(results)).text


# --- buttons that cannot succeed -----------------------------------------------------------------


async def test_buttons_that_cannot_succeed_are_disabled_with_the_reason(
    db: AsyncSession, browser: Browser, clock: FrozenClock
) -> None:
    organizer = await make_user(db, "org@example.com")
    judge = await make_user(db, "judge@example.com")
    scenario = await make_campaign(db, organizer=organizer, judges=[judge], stage="judging")
    # an automatic rule without a value: applying it cannot succeed
    scenario.judging.advancement_rule, scenario.judging.advancement_value = AdvancementRule.TOP_N, None
    team = await make_team(db, scenario, await make_user(db, "cap@example.com"))
    entry = await make_entry(db, team, scenario.submission)
    await make_scorecard(db, scenario, entry, judge, [4, 4, 8])
    await db.commit()
    await browser.sign_in("org@example.com")
    base = f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}"

    page = (await browser.get(f"{base}/advancement")).text
    assert 'disabled aria-describedby="apply-blocked"' in page
    assert "The phase&#39;s advancement rule has no valid value: fix it in the phase&#39;s settings." in page
    refused = await browser.post(f"{base}/advancement/apply")
    assert refused.headers["location"] == f"{base}/advancement"
    assert "has no valid value" in (await browser.landing(refused)).text
    assert (await db.get(Phase, scenario.judging.id, populate_existing=True)).advancement_applied_at is None  # type: ignore[union-attr]
    await db.commit()

    # reminders: possible while judging is open, not once it has closed
    assert 'aria-describedby="remind-blocked"' not in (await browser.get(f"{base}/progress")).text
    clock.set(scenario.judging.closes_at)
    await browser.sign_in("org@example.com")  # days later: a new session
    page = (await browser.get(f"{base}/progress")).text
    assert 'disabled aria-describedby="remind-blocked"' in page
    assert "Judging is not open, so there is nothing to remind judges of." in page
    refused = await browser.post(f"{base}/progress/remind")
    assert refused.headers["location"] == f"{base}/progress"
    assert "Judging is not open" in (await browser.landing(refused)).text
    assert await db.scalar(select(func.count(Notification.id))) == 0
    await db.commit()


async def test_publishing_refused_then_done_never_twice(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    judge = await make_user(db, "judge@example.com")
    scenario = await make_campaign(db, organizer=organizer, judges=[judge], stage="judging")
    scenario.judging.required_judges = 1
    team = await make_team(db, scenario, await make_user(db, "cap@example.com"), name="Blue")
    await make_scorecard(db, scenario, await make_entry(db, team, scenario.submission), judge, [4, 4, 8])
    db.add(Award(campaign_id=scenario.campaign.id, name="Best idea", team_id=team.id, approved_at=NOW))
    await db.commit()
    await browser.sign_in("org@example.com")
    results = f"/campaigns/{scenario.campaign.id}/results"

    # judging is open: the button says so, and the service refuses it anyway
    page = (await browser.get(results)).text
    assert "Judging phase “Judging” is still open: the results cannot be published before it closes." in page
    refused = await browser.landing(await browser.post(f"{results}/publish"))
    assert refused.url.path == results and "Judging phase “Judging” is still open" in refused.text

    scenario.judging.status = PhaseStatus.CLOSED
    await db.commit()
    done = await browser.post(f"{results}/publish")
    assert done.status_code == 303 and done.headers["location"] == results  # never left on the POST URL
    assert "The results are published" in (await browser.landing(done)).text
    again = await browser.landing(await browser.post(f"{results}/publish"))
    assert "The results were already published." in again.text


# --- the safety net: a refusal no handler answered -----------------------------------------------


@post("/refuse", opt={"access": "public"})
async def _refusing() -> None:
    raise Conflict("Refused for a reason.")


async def test_a_refusal_no_handler_answered_goes_back_to_its_page(settings: Settings) -> None:
    app = Litestar(
        route_handlers=[_refusing],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[FlashMiddleware()],
        state=State({"settings": settings}),
    )
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        back = await client.post(
            "/refuse", headers={"referer": "http://testserver.local/somewhere?page=2"}, follow_redirects=False
        )
        assert back.status_code == 303 and back.headers["location"] == "/somewhere?page=2"
        assert back.cookies.get(FLASH_COOKIE)
        # another site's page, or none: the error, as before (asked as JSON here: this app has no templates)
        for referer in ({"referer": "http://elsewhere.example/x"}, {}):
            plain: Any = await client.post("/refuse", headers={**referer, "accept": "application/json"})
            assert plain.status_code == 409 and plain.json()["detail"] == "Refused for a reason."

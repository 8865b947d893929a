"""The timeline as a state machine: one phase at a time, in order, real times recorded, explicit reopen.

Each rule is checked at every path that moves a phase: the organizer's buttons (HTTP), timeline
edits, the scheduler's sweep (also catching up late), and a random walk over all of them.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.deadlines import effective_close, is_live
from campaigns.models import Campaign, Phase, PhaseKind, PhaseStatus
from campaigns.phase_transitions import close_phase, open_phase, reopen_phase
from campaigns.timeline import ConfirmationNeeded
from campaigns.timeline_editing import PhaseInput, update_phase
from campaigns.transitions import ClosingTimes, closing_refusal, closing_times, plan_opening, reopen_errors
from core.actors import SCHEDULER
from core.audit import AuditEntry
from core.clock import FrozenClock
from core.errors import Conflict, DomainError
from core.scheduling import ScheduledAction
from judging.publication import publication_blockers
from tests.automation.conftest import plan
from tests.conftest import NOW, Browser, Sweeper
from tests.factories import DAY, make_campaign, make_user
from web.local_time import ambiguity_note

HOUR = timedelta(hours=1)
LOCAL = "%Y-%m-%dT%H:%M"
T0 = datetime(2026, 4, 1, 9, tzinfo=UTC)


def phase(ident: int, start: int, end: int, status: PhaseStatus = PhaseStatus.PENDING, grace: int = 0) -> Phase:
    return Phase(
        id=ident,
        kind=PhaseKind.SUBMISSION,
        name=f"P{ident}",
        opens_at=T0 + start * DAY,
        closes_at=T0 + end * DAY,
        grace_minutes=grace,
        status=status,
    )


# --- the pure rules -------------------------------------------------------------------------------


def test_only_the_next_phase_may_open() -> None:
    first, second, third = phase(1, 1, 2), phase(2, 2, 3), phase(3, 3, 4)
    timeline = [first, second, third]
    assert plan_opening(timeline, first, T0).refusal is None
    refusal = plan_opening(timeline, third, T0).refusal
    assert refusal is not None and refusal.params == {"name": "P1"}
    # once the first has run, the second is next; an early opening is recorded as now
    first.status = PhaseStatus.CLOSED
    opening = plan_opening(timeline, second, T0)
    assert opening.refusal is None and opening.opens_at == T0 and opening.running == []


def test_opening_names_the_running_phase_and_closes_the_overdue_ones() -> None:
    running, target = phase(1, -1, 1, PhaseStatus.OPEN), phase(2, 1, 2)
    opening = plan_opening([running, target], target, T0)
    assert opening.running == [running] and opening.overdue == []
    late = phase(1, -3, -1, PhaseStatus.OPEN)  # its close passed while no scheduler ran
    opening = plan_opening([late, target], target, T0)
    assert opening.running == [] and opening.overdue == [late]
    in_grace = phase(1, -2, 0, PhaseStatus.OPEN, grace=30)  # closed at T0, writes until T0 + 30 min
    assert plan_opening([in_grace, target], target, T0 + HOUR / 4).running == [in_grace]


def test_a_closed_phase_or_one_past_its_close_does_not_open() -> None:
    assert plan_opening([phase(1, 0, 1, PhaseStatus.CLOSED)], phase(1, 0, 1, PhaseStatus.CLOSED), T0).refusal
    past = phase(1, -2, -1)
    refusal = plan_opening([past], past, T0).refusal
    assert refusal is not None and refusal.params == {"when": past.closes_at}


def test_closing_by_hand_records_the_real_time() -> None:
    running = phase(1, -1, 1, PhaseStatus.OPEN, grace=15)
    assert closing_times(running, T0) == ClosingTimes(T0, 0)  # early: now, and no grace after it
    in_grace = phase(1, -2, 0, PhaseStatus.OPEN, grace=15)
    assert closing_times(in_grace, T0 + timedelta(minutes=4, seconds=10)) == ClosingTimes(T0, 4)  # ends by now
    late = phase(1, -3, -1, PhaseStatus.OPEN, grace=15)
    assert closing_times(late, T0) == ClosingTimes(late.closes_at, 15)  # a late close keeps the times that held
    assert closing_refusal(phase(1, 1, 2), T0) is not None  # nothing to close before it began
    assert closing_refusal(phase(1, -1, 2), T0) is None  # begun by the clock, not yet by the scheduler


def test_reopen_only_before_the_next_phase_and_ending_before_it() -> None:
    closed, following = phase(1, -2, -1, PhaseStatus.CLOSED), phase(2, 1, 2)
    timeline = [closed, following]
    assert reopen_errors(timeline, closed, T0 + HOUR, 0, T0) == {}
    assert set(reopen_errors(timeline, closed, T0 - HOUR, 0, T0)) == {"closes_at"}  # in the past
    too_late = reopen_errors(timeline, closed, T0 + DAY, 1, T0)  # grace included, it overlaps the next
    assert too_late["closes_at"].params == {"name": "P2", "when": following.opens_at}
    started = reopen_errors([closed, phase(2, -1, 2, PhaseStatus.OPEN)], closed, T0 + HOUR, 0, T0)
    assert started["__all__"].params == {"name": "P2"}
    assert "__all__" in reopen_errors(timeline, following, T0 + HOUR, 0, T0)  # not closed


# --- the organizer's buttons ------------------------------------------------------------------------


async def _phases(db: AsyncSession, campaign_id: int) -> list[Phase]:
    rows = await db.scalars(
        select(Phase)
        .where(Phase.campaign_id == campaign_id)
        .order_by(Phase.position)
        .execution_options(populate_existing=True)
    )
    found = list(rows.all())
    await db.commit()
    return found


async def _audits(db: AsyncSession, action: str) -> list[AuditEntry]:
    rows = list((await db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))).all())
    await db.commit()
    return rows


async def test_open_now_in_turn_never_leaves_two_phases_open(db: AsyncSession, browser: Browser) -> None:
    """The reported case: "Open now" on registration, submission, judging left all three open."""
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="registration")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid = scenario.campaign.id
    registration, submission, judging = (scenario.phases[k] for k in list(PhaseKind)[:3])

    # judging is not next: refused, naming the phase that comes first
    refused = await browser.post(f"/campaigns/{cid}/phases/{judging.id}/open", htmx=True)
    assert refused.status_code == 409 and "“Submission” comes first" in refused.text
    # submission is next, but registration still runs: the organizer is asked, naming it
    asked = await browser.post(f"/campaigns/{cid}/phases/{submission.id}/open", htmx=True)
    assert asked.status_code == 409
    box = asked.text.split(f'id="confirm-open-{submission.id}"', 1)[1].split("</form>", 1)[0]
    assert "“Registration” is still running" in box and 'name="confirm" value="1"' in box
    assert "Yes, close it and open “Submission”" in box
    assert [p.status for p in await _phases(db, cid)][:2] == [PhaseStatus.OPEN, PhaseStatus.PENDING]

    opened = await browser.post(f"/campaigns/{cid}/phases/{submission.id}/open", {"confirm": "1"}, htmx=True)
    assert opened.status_code == 200
    phases = await _phases(db, cid)
    assert [p.status.value for p in phases] == ["closed", "open", "pending", "pending"]
    assert phases[0].closes_at == NOW and phases[0].grace_minutes == 0  # the real times
    assert phases[1].opens_at == NOW
    confirmed = await browser.post(f"/campaigns/{cid}/phases/{judging.id}/open", {"confirm": "1"})
    assert confirmed.status_code == 303
    phases = await _phases(db, cid)
    assert [p.status for p in phases][:3] == [PhaseStatus.CLOSED, PhaseStatus.CLOSED, PhaseStatus.OPEN]
    assert sum(p.status is PhaseStatus.OPEN for p in phases) == 1
    assert len(await _audits(db, "phase.open")) == 2 and len(await _audits(db, "phase.close")) == 2

    # the page shows what happened: opened and closed now; the chart's "now" marker within the timeline
    page = await browser.get(f"/campaigns/{cid}/timeline")
    item = page.text.split(f'id="phase-{judging.id}"', 1)[1].split("</li>", 1)[0]
    assert "Opened" in item and f'datetime="{NOW.isoformat()}"' in item
    assert 'class="tl-now"' in page.text
    # buttons that cannot work are not offered: nothing on a closed phase while a later one runs
    closed_item = page.text.split(f'id="phase-{registration.id}"', 1)[1].split("</li>", 1)[0]
    assert "Open now" not in closed_item and "Close now" not in closed_item and "Reopen" not in closed_item


async def test_close_now_records_the_time_and_the_entry_page_says_so(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid, submission = scenario.campaign.id, scenario.submission
    assert (await browser.post(f"/campaigns/{cid}/phases/{submission.id}/close")).status_code == 303
    closed = (await _phases(db, cid))[1]
    assert closed.status is PhaseStatus.CLOSED and closed.closes_at == NOW
    row = (await _audits(db, "phase.close"))[-1]
    assert row.before["closes_at"] == (NOW + 2 * DAY).isoformat() and row.after["closes_at"] == NOW.isoformat()  # type: ignore[index]
    page = await browser.get(f"/campaigns/{cid}")
    item = page.text.split(f'id="phase-{submission.id}"', 1)[1].split("</li>", 1)[0]
    assert "Closed" in item and f'datetime="{NOW.isoformat()}"' in item
    # a phase that has not begun has nothing to close
    results = scenario.phases[PhaseKind.RESULTS]
    refused = await browser.post(f"/campaigns/{cid}/phases/{results.id}/close", htmx=True)
    assert refused.status_code == 409 and "nothing to close" in refused.text


async def test_reopen_is_explicit_audited_and_bounded_by_the_next_phase(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="UTC")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid, submission, judging = scenario.campaign.id, scenario.submission, scenario.judging
    await browser.post(f"/campaigns/{cid}/phases/{submission.id}/close")
    url = f"/campaigns/{cid}/phases/{submission.id}/reopen"

    # the open button does not bring a closed phase back
    again = await browser.post(f"/campaigns/{cid}/phases/{submission.id}/open", htmx=True)
    assert again.status_code == 409 and "use “Reopen”" in again.text

    past = await browser.post(url, {"closes_at": (NOW - HOUR).strftime(LOCAL), "grace_minutes": "0"}, htmx=True)
    assert past.status_code == 422 and "must be in the future" in past.text
    assert f'value="{(NOW - HOUR).strftime(LOCAL)}"' in past.text  # what was typed stays
    overlap = await browser.post(url, {"closes_at": (judging.opens_at).strftime(LOCAL), "grace_minutes": "5"})
    assert overlap.status_code == 422 and "before “Judging” opens" in overlap.text
    bad_grace = await browser.post(url, {"closes_at": (NOW + DAY).strftime(LOCAL), "grace_minutes": "lots"})
    assert bad_grace.status_code == 422 and "minutes from 0 to 10080" in bad_grace.text

    ok = await browser.post(url, {"closes_at": (NOW + DAY).strftime(LOCAL), "grace_minutes": "10"})
    assert ok.status_code == 303
    reopened = (await _phases(db, cid))[1]
    assert reopened.status is PhaseStatus.OPEN and reopened.closes_at == NOW + DAY and reopened.grace_minutes == 10
    (row,) = await _audits(db, "phase.reopen")
    assert row.actor_id == organizer.id
    assert row.before == {"status": "closed", "closes_at": NOW.isoformat(), "grace_minutes": 0}
    assert row.after["closes_at"] == (NOW + DAY).isoformat() and row.after["status"] == "open"  # type: ignore[index]

    # once the next phase has begun (and still while it runs), reopening is refused, naming it
    await browser.post(f"/campaigns/{cid}/phases/{submission.id}/close")
    await browser.post(f"/campaigns/{cid}/phases/{judging.id}/open")
    refused = await browser.post(url, {"closes_at": (NOW + DAY).strftime(LOCAL), "grace_minutes": "0"}, htmx=True)
    assert refused.status_code == 409 and "“Judging” is running" in refused.text
    await browser.post(f"/campaigns/{cid}/phases/{judging.id}/close")
    refused = await browser.post(url, {"closes_at": (NOW + DAY).strftime(LOCAL), "grace_minutes": "0"}, htmx=True)
    assert refused.status_code == 409 and "“Judging” has already begun" in refused.text
    assert (await _phases(db, cid))[1].status is PhaseStatus.CLOSED


async def test_reopen_refused_after_advancement_or_publication(db: AsyncSession, clock: FrozenClock) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="results")
    await db.commit()
    judging = scenario.judging
    with pytest.raises(Conflict, match="results are published"):
        await reopen_phase(db, organizer, clock.now(), judging, clock.now() + DAY, 0)
    scenario = await make_campaign(db, organizer=organizer, stage="results", title="Unpublished")
    scenario.campaign.results_published_at = None
    scenario.judging.advancement_applied_at = NOW - DAY
    await db.commit()
    with pytest.raises(Conflict, match="advancement"):
        await reopen_phase(db, organizer, clock.now(), scenario.judging, clock.now() + DAY, 0)


# --- adding and editing ---------------------------------------------------------------------------------


def _new_phase(name: str, opens: datetime, closes: datetime, kind: str = "results") -> dict[str, str]:
    return {
        "kind": kind,
        "name": name,
        "opens_at": opens.strftime(LOCAL),
        "closes_at": closes.strftime(LOCAL),
        "grace_minutes": "0",
        "judges_phase_id": "",
        "required_judges": "3",
    }


async def test_a_past_phase_is_not_added_silently(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="results", timezone="UTC")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid = scenario.campaign.id
    url = f"/campaigns/{cid}/phases"
    results = scenario.phases[PhaseKind.RESULTS]
    # wholly in the past: refused, with the reason next to the closing time
    past = await browser.post(url, _new_phase("Old", NOW - 60 * DAY, NOW - 50 * DAY, "registration"))
    assert past.status_code == 422
    error = past.text.split('id="new-closes_at-error"', 1)[1].split("</p>", 1)[0]
    assert "would be over already" in error
    assert 'value="Old"' in past.text
    # begun already, ends ahead: it opens at once, so the organizer confirms
    await browser.post(f"/campaigns/{cid}/phases/{results.id}/close")
    form = _new_phase("Encore", NOW, NOW + DAY)
    asked = await browser.post(url, form)
    assert asked.status_code == 409 and "opens as soon as you save it" in asked.text
    assert 'id="confirm-add"' in asked.text and 'value="Encore"' in asked.text
    assert len(await _phases(db, cid)) == 4
    added = await browser.post(url, {**form, "confirm": "1"})
    assert added.status_code == 303
    assert len(await _phases(db, cid)) == 5
    # a draft campaign is a plan: no such questions there
    draft = await make_campaign(db, organizer=organizer, stage="draft", title="Plan", timezone="UTC")
    await db.commit()
    old = _new_phase("Old", NOW - 9 * DAY, NOW - 8 * DAY)
    planned = await browser.post(f"/campaigns/{draft.campaign.id}/phases", old)
    assert planned.status_code == 303


async def test_the_opening_of_a_started_phase_is_history(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="UTC")
    await db.commit()
    await browser.sign_in(organizer.email)
    submission = scenario.submission
    form = _new_phase("Submission", submission.opens_at - DAY, submission.closes_at, "submission")
    response = await browser.post(f"/campaigns/{scenario.campaign.id}/phases/{submission.id}", {**form, "confirm": "1"})
    assert response.status_code == 422
    error = response.text.split(f'id="p{submission.id}-opens_at-error"', 1)[1].split("</p>", 1)[0]
    assert "cannot change any more" in error
    page = await browser.get(f"/campaigns/{scenario.campaign.id}/timeline")
    field = page.text.split(f'id="p{submission.id}-opens_at"', 1)[1].split(">", 1)[0]
    assert "readonly" in field


# --- clock changes ---------------------------------------------------------------------------------------


async def test_a_skipped_time_is_explained_and_a_doubled_one_named(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="draft", timezone="Europe/Berlin")
    await db.commit()
    await browser.sign_in(organizer.email)
    url = f"/campaigns/{scenario.campaign.id}/phases"
    gap = {**_new_phase("Late", NOW, NOW), "opens_at": "2026-03-28T09:00", "closes_at": "2026-03-29T02:30"}
    response = await browser.post(url, gap)
    assert response.status_code == 422
    error = response.text.split('id="new-closes_at-error"', 1)[1].split("</p>", 1)[0].replace("\u202f", " ")
    assert "2:30 AM does not exist in Europe/Berlin" in error
    assert "from 2:00 AM to 3:00 AM" in error and "Choose 1:59 AM, 3:00 AM" in error
    assert 'value="2026-03-29T02:30"' in response.text  # kept as typed
    # 02:30 on 25 October happens twice: the later instant (UTC+1) is taken, and said
    doubled = {**_new_phase("Autumn", NOW, NOW), "opens_at": "2026-10-20T09:00", "closes_at": "2026-10-25T02:30"}
    assert (await browser.post(url, doubled)).status_code == 303
    autumn = (await _phases(db, scenario.campaign.id))[-1]
    assert autumn.closes_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    page = (await browser.get(f"/campaigns/{scenario.campaign.id}/timeline")).text.replace("\u202f", " ")
    assert "Oct 25, 2026, 2:30 AM (Berlin, UTC+1)" in page
    hint = page.split(f'id="p{autumn.id}-closes_at"', 1)[1].split("</small>", 1)[0]
    assert "happens twice" in hint and "the later one (UTC+1) is taken" in hint


# --- the scheduler -----------------------------------------------------------------------------------------


async def test_the_scheduler_closes_a_missed_phase_before_opening_the_next(
    db: AsyncSession, sweeper: Sweeper, clock: FrozenClock
) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    submission, judging = scenario.submission, scenario.judging
    await plan(db, scenario.campaign.id)
    # nothing ran from before the submission's close until well after judging opened: catch-up
    await sweeper.at(judging.opens_at + HOUR)
    phases = await _phases(db, scenario.campaign.id)
    assert [p.status for p in phases][1:3] == [PhaseStatus.CLOSED, PhaseStatus.OPEN]
    assert phases[1].closes_at == submission.closes_at  # a late close keeps the times that held
    closes = await _audits(db, "phase.close")
    assert closes[-1].after["late_by_seconds"] == 3600  # type: ignore[index]


async def test_the_scheduler_never_opens_beside_a_running_phase(db: AsyncSession, clock: FrozenClock) -> None:
    """Timelines saved before grace counted towards overlap may still overlap: the scheduler refuses."""
    scenario = await make_campaign(db, stage="submission")
    submission, judging = scenario.submission, scenario.judging
    submission.grace_minutes = 120
    await db.commit()
    with pytest.raises(Conflict, match="still running"):
        await open_phase(db, SCHEDULER, judging.opens_at + HOUR, judging)
    # once the running phase's own end has passed, it is closed first, late, and the next opens
    after = effective_close(submission) + HOUR
    assert await open_phase(db, SCHEDULER, after, judging)
    await db.commit()
    phases = await _phases(db, scenario.campaign.id)
    assert [p.status for p in phases][1:3] == [PhaseStatus.CLOSED, PhaseStatus.OPEN]


# --- a random walk over every path ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
async def test_random_walk_keeps_one_phase_at_a_time(
    db: AsyncSession, sweeper: Sweeper, clock: FrozenClock, seed: int
) -> None:
    """Organizer buttons, reopenings and scheduler sweeps in random order, the clock moving on: at
    every step at most one phase runs, none is open twice, and the recorded times never overlap."""
    rng = random.Random(seed)
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="registration")
    cid, organizer_id = scenario.campaign.id, organizer.id
    await plan(db, cid)
    now = NOW
    refused = applied = 0
    for _step in range(40):
        now += timedelta(minutes=rng.choice([1, 30, 6 * 60, 2 * 24 * 60]))
        clock.set(now)
        phases = await _phases(db, cid)
        target = rng.choice(phases)
        move = rng.choice(["open", "confirm", "close", "reopen", "sweep"])
        try:
            if move == "sweep":
                await sweeper.at(now)
            else:
                campaign = await db.get(Campaign, cid)
                assert campaign is not None
                if move == "open":
                    await open_phase(db, organizer, now, target)
                elif move == "confirm":
                    await open_phase(db, organizer, now, target, confirmed=True)
                elif move == "close":
                    await close_phase(db, organizer, now, target)
                else:
                    await reopen_phase(db, organizer, now, target, now + rng.choice([HOUR, DAY, 9 * DAY]), 0)
                await db.commit()
                applied += 1
        except (ConfirmationNeeded, DomainError):
            await db.rollback()  # expires what the session holds: load the organizer again
            organizer = await db.get(User, organizer_id) or organizer
            refused += 1
        await _assert_one_at_a_time(await _phases(db, cid), now)
    print(f"seed {seed}: {applied} applied, {refused} refused")
    assert applied > 0


async def _assert_one_at_a_time(phases: list[Phase], now: datetime) -> None:
    assert sum(is_live(p, now) for p in phases) <= 1, [(p.name, p.status) for p in phases]
    assert sum(p.status is PhaseStatus.OPEN for p in phases) <= 1
    for p in phases:
        if p.status is PhaseStatus.OPEN:
            assert p.opens_at <= now
        if p.status is PhaseStatus.CLOSED and p.opens_at <= now:
            assert p.closes_at <= now + timedelta(minutes=1), p.name
    ran = sorted((p for p in phases if p.status is not PhaseStatus.PENDING), key=lambda p: p.opens_at)
    for earlier, later in itertools.pairwise(ran):
        assert earlier.closes_at <= later.opens_at, (earlier.name, later.name)


async def test_buttons_that_cannot_work_are_not_offered(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    draft = await make_campaign(db, organizer=organizer, stage="draft", title="Plan")
    judging = await make_campaign(db, organizer=organizer, stage="judging", title="Running")
    await db.commit()
    await browser.sign_in(organizer.email)
    page = (await browser.get(f"/campaigns/{draft.campaign.id}/timeline")).text
    box = page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Open now" not in box and "Close now" not in box and "Reopen" not in box
    assert "once the campaign is published" in page
    # the results phase opens with the results: its button leads to the results page
    page = (await browser.get(f"/campaigns/{judging.campaign.id}/timeline")).text
    results = judging.phases[PhaseKind.RESULTS]
    item = page.split(f'id="phase-{results.id}"', 1)[1].split("</li>", 1)[0]
    assert "Open now" not in item and f'href="/campaigns/{judging.campaign.id}/results"' in item
    refused = await browser.post(f"/campaigns/{judging.campaign.id}/phases/{results.id}/open", htmx=True)
    assert refused.status_code == 409 and "opens when the results are published" in refused.text


async def test_a_skipped_step_says_why_on_the_timeline_page(
    db: AsyncSession, browser: Browser, sweeper: Sweeper
) -> None:
    """Catching up past a whole phase: its opening is skipped with a note naming its closing time."""
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="UTC")
    judging = scenario.judging
    await plan(db, scenario.campaign.id)
    await sweeper.at(effective_close(judging) + HOUR)
    await browser.sign_in(organizer.email)
    page = await browser.get(f"/campaigns/{scenario.campaign.id}/timeline")
    assert page.status_code == 200
    note = f"closing time ({judging.closes_at:%b} {judging.closes_at.day}, {judging.closes_at.year}"
    steps = page.text.split('id="automatic-steps"', 1)[1]
    assert note in steps and "has passed, so it cannot open" in steps


async def test_changing_a_phase_kind_replans_its_steps(db: AsyncSession, clock: FrozenClock) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="UTC")
    await plan(db, scenario.campaign.id)
    results = scenario.phases[PhaseKind.RESULTS]
    data = PhaseInput(
        kind=PhaseKind.REGISTRATION, name="Demo day", opens_at=results.opens_at, closes_at=results.closes_at
    )
    await update_phase(db, organizer, clock.now(), scenario.campaign, results, data)
    await db.commit()
    kinds = (await db.scalars(select(ScheduledAction.kind).where(ScheduledAction.subject_id == results.id))).all()
    assert "phase.open" in kinds and "results.publish" not in kinds


async def test_a_results_phase_does_not_reopen(db: AsyncSession, clock: FrozenClock) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="results", timezone="UTC")
    scenario.campaign.results_published_at = None
    results = scenario.phases[PhaseKind.RESULTS]
    results.status = PhaseStatus.CLOSED
    await db.commit()
    with pytest.raises(Conflict, match="results phase opens when the results are published"):
        await reopen_phase(db, organizer, clock.now(), results, clock.now() + DAY, 0)


def test_a_phase_still_to_come_blocks_publication() -> None:
    ahead, results = phase(1, 1, 2), phase(2, 3, 4)
    results.kind = PhaseKind.RESULTS
    blockers = publication_blockers(1, 0, [ahead, results], T0)
    assert [b.params for b in blockers] == [{"phase": "P1"}]
    ahead.status = PhaseStatus.CLOSED
    assert publication_blockers(1, 0, [ahead, results], T0) == []


def test_the_doubled_hour_of_a_half_hour_zone_names_its_offset() -> None:
    note = ambiguity_note(datetime(2026, 11, 1, 1, 30), "America/St_Johns")
    assert note is not None and "(UTC-3:30)" in note

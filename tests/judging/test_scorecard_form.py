"""The score form of an assigned judge: access, autosave with the running total, finalise, deadline, secrecy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from accounts.models import User
from core.audit import AuditEntry
from core.clock import FrozenClock
from judging.models import Scorecard, ScorecardStatus
from teams.models import Entry, EntryVersion
from tests.conftest import Browser
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user

SENTINEL = "SENTINEL-7f3a-other-judge-feedback"


@dataclass
class World:
    scenario: Scenario
    entry: Entry
    people: dict[str, User]

    @property
    def base(self) -> str:
        return f"/judging/{self.scenario.judging.id}/entries/{self.entry.id}"

    def scores(self, *values: int | None, **extra: str) -> dict[str, str]:
        data = {f"c{c.id}": str(v) for c, v in zip(self.scenario.criteria, values, strict=False) if v is not None}
        return {**data, **extra}


async def arrange(db: AsyncSession) -> World:
    people = {
        name: await make_user(db, f"{name}@example.com", name=name.capitalize())
        for name in ("org", "ann", "bob", "cid", "cap")
    }
    scenario = await make_campaign(
        db, organizer=people["org"], stage="judging", judges=[people["ann"], people["bob"], people["cid"]]
    )
    team = await make_team(db, scenario, people["cap"], name="Blue Team")
    entry = await make_entry(db, team, scenario.submission, title="Pick by light")
    # the team kept editing after the deadline: the judges must see version 1, as submitted
    entry.title = "Unsubmitted later draft"
    db.add(
        EntryVersion(
            entry_id=entry.id, number=2, submitted=False, saved_at=entry.submitted_at, title="Unsubmitted later draft"
        )
    )
    await assign(db, scenario.judging, entry, people["ann"])
    await assign(db, scenario.judging, entry, people["bob"])
    await make_scorecard(
        db, scenario, entry, people["bob"], [1, 1, 0], final=True, feedback=SENTINEL, private_note=SENTINEL + "-note"
    )
    await db.commit()
    return World(scenario, entry, people)


async def card_of(db: AsyncSession, world: World, judge: str) -> Scorecard | None:
    card = await db.scalar(
        select(Scorecard)
        .where(Scorecard.entry_id == world.entry.id, Scorecard.judge_id == world.people[judge].id)
        .options(selectinload(Scorecard.scores))
        .execution_options(populate_existing=True)
    )
    await db.commit()
    return card


def values_of(world: World, card: Scorecard) -> list[int | None]:
    by_criterion = {s.criterion_id: s.value for s in card.scores}
    return [by_criterion.get(c.id) for c in world.scenario.criteria]


async def test_form_shows_submitted_version_and_rubric(db: AsyncSession, browser: Browser) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")
    page = await browser.get(world.base)
    assert page.status_code == 200
    text = page.text
    assert "Pick by light" in text and "Unsubmitted later draft" not in text
    assert "The solution." in text and "https://example.com/demo" in text
    for criterion in world.scenario.criteria:
        assert criterion.name in text and criterion.guidance in text
        assert f'name="c{criterion.id}"' in text
    assert "<fieldset" in text and "<legend>" in text
    assert 'hx-trigger="change"' in text and f'hx-post="{world.base}/scores"' in text
    assert "Finalise scorecard" in text


async def test_nobody_but_the_assigned_judge_gets_in(db: AsyncSession, browser: Browser) -> None:
    world = await arrange(db)
    # cid is a judge of the campaign but not assigned; cap is the team's captain; org organizes
    for email in ("cid@example.com", "cap@example.com", "org@example.com"):
        await browser.sign_in(email)
        assert (await browser.get(world.base)).status_code == 404, email
        assert (await browser.post(f"{world.base}/scores", world.scores(5, 3, 5), htmx=True)).status_code == 404
        assert (await browser.post(f"{world.base}/finalise", world.scores(5, 3, 5))).status_code == 404
        await browser.sign_out()
    # the right judge, the wrong phase
    await browser.sign_in("ann@example.com")
    wrong = f"/judging/{world.scenario.submission.id}/entries/{world.entry.id}"
    assert (await browser.get(wrong)).status_code == 404
    for judge in ("cid", "cap", "org", "ann"):
        assert await card_of(db, world, judge) is None


async def test_autosave_creates_a_draft_and_shows_the_running_total(db: AsyncSession, browser: Browser) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")

    first = await browser.post(f"{world.base}/scores", world.scores(5, 3), htmx=True)
    assert first.status_code == 200
    # over Impact and Feasibility only: 100 · (3·1 + 2·0.5) / 5 = 80
    assert "80.0" in first.text and "Saved as a draft" in first.text
    assert "2 of 3 criteria" in first.text
    card = await card_of(db, world, "ann")
    assert card is not None and card.status is ScorecardStatus.DRAFT
    assert values_of(world, card) == [5, 3, None]

    second = await browser.post(
        f"{world.base}/scores", world.scores(5, 3, 5, feedback="Nice prototype", private_note="Ask for data"), htmx=True
    )
    assert second.status_code == 200
    # 100 · (3·1 + 2·0.5 + 1·0.5) / 6 = 75
    assert "75.0" in second.text
    card = await card_of(db, world, "ann")
    assert card is not None and values_of(world, card) == [5, 3, 5]
    assert (card.feedback, card.private_note) == ("Nice prototype", "Ask for data")

    page = (await browser.get(world.base)).text
    assert "75.0" in page and "Nice prototype" in page
    assert f'name="c{world.scenario.criteria[2].id}" value="5" checked' in page


async def test_a_score_off_the_scale_is_refused_next_to_its_criterion(db: AsyncSession, browser: Browser) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")
    impact = world.scenario.criteria[0]
    for bad in ("6", "zero"):
        response = await browser.post(
            f"{world.base}/scores", world.scores(None, 3, **{f"c{impact.id}": bad}), htmx=True
        )
        assert response.status_code == 422
        assert f'id="err-c{impact.id}"' in response.text
        assert "Choose a score on this criterion" in response.text
        # the running total counts only the valid score: 100 · 2·0.5 / 2 = 50
        assert "50.0" in response.text
    assert await card_of(db, world, "ann") is None


async def test_finalise_needs_every_criterion_and_keeps_the_draft(db: AsyncSession, browser: Browser) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")

    response = await browser.post(f"{world.base}/finalise", world.scores(4, None, 7, feedback="Half done"))
    assert response.status_code == 422
    assert "Missing: Feasibility" in response.text
    assert "Half done" in response.text
    card = await card_of(db, world, "ann")
    assert card is not None and card.status is ScorecardStatus.DRAFT
    assert values_of(world, card) == [4, None, 7] and card.feedback == "Half done"


async def test_finalise_then_no_more_changes(db: AsyncSession, browser: Browser, clock: FrozenClock) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")

    response = await browser.post(f"{world.base}/finalise", world.scores(5, 3, 5, feedback="Well done"))
    assert response.status_code == 303
    card = await card_of(db, world, "ann")
    assert card is not None and card.status is ScorecardStatus.FINAL
    assert card.finalised_at == clock.now()
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "scorecard.finalised"))
    await db.commit()
    assert audit is not None and audit.actor_id == world.people["ann"].id
    assert audit.after is not None and audit.after["total"] == 75.0

    page = await browser.get(world.base)
    assert "You finalised this scorecard" in page.text and "Finalise scorecard" not in page.text
    again = await browser.post(f"{world.base}/scores", world.scores(1, 1, 1), htmx=True)
    assert again.status_code == 409 and "can no longer be changed" in again.text
    again = await browser.post(f"{world.base}/finalise", world.scores(1, 1, 1))
    assert again.status_code == 409
    card = await card_of(db, world, "ann")
    assert card is not None and values_of(world, card) == [5, 3, 5]


async def test_after_the_judging_deadline_nothing_changes_and_nothing_typed_is_lost(
    db: AsyncSession, browser: Browser, clock: FrozenClock
) -> None:
    world = await arrange(db)
    closes = clock.now() + timedelta(hours=1)  # within the sign-in session's idle timeout
    world.scenario.judging.closes_at = closes
    await db.commit()
    await browser.sign_in("ann@example.com")
    assert (await browser.post(f"{world.base}/scores", world.scores(2), htmx=True)).status_code == 200

    clock.set(closes)  # closes_at is exclusive
    late = await browser.post(f"{world.base}/scores", world.scores(5), htmx=True)
    assert late.status_code == 409 and "Judging closed at" in late.text

    typed = "My long and careful feedback"
    response = await browser.post(f"{world.base}/finalise", world.scores(5, 3, 5, feedback=typed))
    assert response.status_code == 409
    assert "Judging closed at" in response.text
    assert typed in response.text
    assert f'name="c{world.scenario.criteria[1].id}" value="3" checked' in response.text
    card = await card_of(db, world, "ann")
    assert card is not None and card.status is ScorecardStatus.DRAFT and values_of(world, card) == [2, None, None]

    # one second earlier it would have been accepted
    clock.set(closes - timedelta(seconds=1))
    assert (await browser.post(f"{world.base}/finalise", world.scores(5, 3, 5))).status_code == 303


async def test_another_judges_words_never_reach_this_judge(db: AsyncSession, browser: Browser) -> None:
    world = await arrange(db)
    await browser.sign_in("ann@example.com")
    pages: list[Any] = [
        await browser.get("/judging"),
        await browser.get(world.base),
        await browser.post(f"{world.base}/scores", world.scores(5), htmx=True),
        await browser.post(f"{world.base}/scores", world.scores(9), htmx=True),
        await browser.post(f"{world.base}/finalise", world.scores(5)),
        await browser.post(f"{world.base}/finalise", world.scores(5, 3, 5)),
        await browser.get(world.base),
    ]
    print(f"pages checked for the sentinel: {len(pages)}")
    for response in pages:
        assert SENTINEL not in response.text
    # nor does Bob's total (0.0) show up as a score on Ann's page
    assert "0.0 <small" not in pages[1].text

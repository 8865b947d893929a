"""Reopening a locked rubric: final scorecards back to draft, audited with the reason, refused once
advancement is applied or results are published; the judges are told; pages in constant queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import AuditEntry
from core.errors import Conflict, NotFound, ValidationFailed
from judging.models import Score, Scorecard, ScorecardStatus
from judging.rubric import CriterionInput, delete_criterion, rubric_locked, update_criterion
from judging.rubric_reset import reopen_rubric, reset_preview
from judging.scorecards import IncompleteScorecard, finalise_scorecard
from notifications.models import Notification, NotificationKind
from teams.models import Entry
from tests.conftest import NOW, Browser, QueryCounter
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user
from web.notification_text import describe

REASON = "The Originality scale was too wide to tell entries apart"


@dataclass
class World:
    s: Scenario
    org: User
    ann: User
    bob: User
    entries: list[Entry]
    url: str


async def arrange(db: AsyncSession) -> World:
    org = await make_user(db, "org@example.com", name="Olga Organizer")
    ann = await make_user(db, "ann@example.com", name="Ann")
    bob = await make_user(db, "bob@example.com", name="Bob")
    s = await make_campaign(db, organizer=org, judges=[ann, bob], stage="judging")
    entries = []
    for i in range(2):
        team = await make_team(db, s, await make_user(db, f"cap{i}@example.com"), name=f"Team {i}")
        entries.append(await make_entry(db, team, s.submission, title=f"Idea {i}"))
    for entry in entries:
        await assign(db, s.judging, entry, ann)
    await assign(db, s.judging, entries[0], bob)
    # Ann finalised both (criteria: Impact 1..5, Feasibility 1..5, Originality 0..10); Bob has a draft
    await make_scorecard(db, s, entries[0], ann, [4, 4, 6], feedback="Sharp idea.", private_note="Ask about cost.")
    await make_scorecard(db, s, entries[1], ann, [2, 3, 9])
    await make_scorecard(db, s, entries[0], bob, [3], final=False)
    await db.commit()
    return World(s, org, ann, bob, entries, f"/campaigns/{s.campaign.id}/phases/{s.judging.id}/rubric")


async def fresh(db: AsyncSession, stmt: Any) -> list[Any]:
    found = list((await db.scalars(stmt.execution_options(populate_existing=True))).all())
    await db.commit()
    return found


async def cards(db: AsyncSession, w: World) -> list[Scorecard]:
    return await fresh(db, select(Scorecard).where(Scorecard.phase_id == w.s.judging.id).order_by(Scorecard.id))


async def audit(db: AsyncSession, action: str) -> list[AuditEntry]:
    return await fresh(db, select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))


async def scores_of(db: AsyncSession, card: Scorecard) -> dict[int, int]:
    rows = await fresh(db, select(Score).where(Score.scorecard_id == card.id))
    return {s.criterion_id: s.value for s in rows}


# --- the service -------------------------------------------------------------------------------


async def test_reset_returns_every_final_scorecard_to_draft_audited(db: AsyncSession) -> None:
    w = await arrange(db)
    impact, feasibility, originality = w.s.criteria
    assert await rubric_locked(db, w.s.judging.id)
    preview = await reset_preview(db, w.s.campaign, w.s.judging, NOW)
    assert (preview.final, preview.judges, preview.refusal, preview.judging_open) == (2, 1, None, True)

    for blank in ("", "   "):
        with pytest.raises(ValidationFailed) as missing:
            await reopen_rubric(db, w.org, NOW, w.s.judging, blank)
        assert "Give the reason" in missing.value.errors["reason"]
    with pytest.raises(ValidationFailed) as too_long:
        await reopen_rubric(db, w.org, NOW, w.s.judging, "x" * 1001)
    assert "1000 characters" in too_long.value.errors["reason"]
    await db.commit()

    reopened = await reopen_rubric(db, w.org, NOW, w.s.judging, f"  {REASON}  ")
    await db.commit()
    assert reopened == 2
    ann_1, ann_2, bob_1 = await cards(db, w)
    for card in (ann_1, ann_2, bob_1):
        assert card.status is ScorecardStatus.DRAFT and card.finalised_at is None
    # scores, feedback and the private note are kept
    assert await scores_of(db, ann_1) == {impact.id: 4, feasibility.id: 4, originality.id: 6}
    assert (ann_1.feedback, ann_1.private_note) == ("Sharp idea.", "Ask about cost.")
    assert not await rubric_locked(db, w.s.judging.id)

    [summary] = await audit(db, "rubric.reset")
    assert (summary.actor_id, summary.subject_type, summary.subject_id) == (w.org.id, "phase", w.s.judging.id)
    assert summary.reason == REASON and summary.campaign_id == w.s.campaign.id
    assert summary.after is not None and summary.after["reopened"] == 2 and summary.after["judges"] == 1
    assert sorted(summary.after["scorecard_ids"]) == sorted([ann_1.id, ann_2.id])
    per_card = await audit(db, "scorecard.reopened")
    assert [a.subject_id for a in per_card] == [ann_1.id, ann_2.id]
    assert per_card[0].before is not None and per_card[0].before["status"] == "final"
    assert per_card[0].before["scores"] == {str(impact.id): 4, str(feasibility.id): 4, str(originality.id): 6}
    assert per_card[0].after == {"status": "draft", "finalised_at": None}
    assert all(a.reason == REASON for a in per_card)

    # Ann is told, once, how many; Bob (whose card was a draft) is not
    notes = await fresh(db, select(Notification).where(Notification.kind == NotificationKind.JUDGING_REMINDER))
    assert [(n.user_id, n.params["reopened"], n.link) for n in notes] == [(w.ann.id, 2, "/judging")]
    text = describe(notes[0].kind, notes[0].params)
    assert "2 scorecards to finalise again" in text.title
    assert "finalise them again" in text.body and "Judging closes on" in text.body

    # the rubric can change now: a narrower scale drops the scores outside it, a deleted criterion its scores
    narrower = CriterionInput(name="Originality", weight=1.0, scale_min=0, scale_max=5)
    await update_criterion(db, w.org, NOW, w.s.judging, originality.id, narrower)
    await delete_criterion(db, w.org, NOW, w.s.judging, feasibility.id)
    await db.commit()
    assert await scores_of(db, ann_1) == {impact.id: 4}
    assert await scores_of(db, ann_2) == {impact.id: 2}
    assert await scores_of(db, bob_1) == {impact.id: 3}
    # so Ann must score the changed criterion before she can finalise again; then the rubric locks again
    with pytest.raises(IncompleteScorecard) as incomplete:
        await finalise_scorecard(db, w.ann, w.s.judging.id, w.entries[0].id, {}, "Sharp idea.", "", NOW)
    assert incomplete.value.missing == ["Originality"]
    await finalise_scorecard(db, w.ann, w.s.judging.id, w.entries[0].id, {originality.id: 3}, "Sharp idea.", "", NOW)
    await db.commit()
    assert await rubric_locked(db, w.s.judging.id)


async def test_reset_refused_once_advancement_is_applied(db: AsyncSession) -> None:
    w = await arrange(db)
    w.s.judging.advancement_applied_at = NOW - timedelta(hours=1)
    await db.commit()
    preview = await reset_preview(db, w.s.campaign, w.s.judging, NOW)
    assert preview.refusal is not None and "Advancement has already been applied" in preview.refusal
    with pytest.raises(Conflict) as refused:
        await reopen_rubric(db, w.org, NOW, w.s.judging, REASON)
    assert "Advancement has already been applied" in refused.value.message
    await db.commit()
    assert [c.status for c in await cards(db, w)] == [ScorecardStatus.FINAL] * 2 + [ScorecardStatus.DRAFT]
    assert await audit(db, "rubric.reset") == [] and await audit(db, "scorecard.reopened") == []


async def test_reset_refused_once_results_are_published(db: AsyncSession) -> None:
    w = await arrange(db)
    w.s.campaign.results_published_at = NOW - timedelta(days=1)
    await db.commit()
    with pytest.raises(Conflict) as refused:
        await reopen_rubric(db, w.org, NOW, w.s.judging, REASON)
    assert "results of this campaign are published" in refused.value.message
    await db.commit()
    assert [c.status for c in await cards(db, w)][:2] == [ScorecardStatus.FINAL] * 2


async def test_reset_needs_an_organizer_and_a_final_scorecard(db: AsyncSession) -> None:
    w = await arrange(db)
    with pytest.raises(NotFound):
        await reopen_rubric(db, w.ann, NOW, w.s.judging, REASON)
    await db.commit()
    assert await reopen_rubric(db, w.org, NOW, w.s.judging, REASON) == 2
    await db.commit()
    with pytest.raises(Conflict) as nothing:
        await reopen_rubric(db, w.org, NOW, w.s.judging, REASON)
    assert "No scorecard of this phase is final" in nothing.value.message
    await db.commit()
    assert len(await audit(db, "rubric.reset")) == 1


# --- through the pages -------------------------------------------------------------------------


async def test_organizer_reopens_through_the_confirmation_page(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    await browser.sign_in("org@example.com")
    page = await browser.get(w.url)
    assert "The rubric is locked" in page.text and "Reopen the rubric for changes" in page.text
    assert f'href="{w.url}/reset"' in page.text

    confirm = await browser.get(f"{w.url}/reset")
    assert confirm.status_code == 200
    assert "2 scorecards of this phase are final." in confirm.text
    assert "1 judge is concerned." in confirm.text
    assert "Reopen the rubric and return 2 scorecards to draft" in confirm.text

    empty = await browser.post(f"{w.url}/reset", {"reason": "  "})
    assert empty.status_code == 422 and "Give the reason for reopening the rubric" in empty.text
    assert 'aria-invalid="true"' in empty.text
    long_reason = "Too wide " * 120
    too_long = await browser.post(f"{w.url}/reset", {"reason": long_reason})
    assert too_long.status_code == 422 and "Keep the reason within 1000 characters." in too_long.text
    assert long_reason.strip() in too_long.text  # what was typed is kept
    assert [c.status for c in await cards(db, w)][:2] == [ScorecardStatus.FINAL] * 2

    done = await browser.post(f"{w.url}/reset", {"reason": REASON})
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}?reopened=2"
    page = await browser.get(done.headers["location"])
    assert "2 scorecards were reopened, and their judges are asked to finalise them again." in page.text
    assert "Last reopened" in page.text and "Olga Organizer" in page.text and REASON in page.text
    assert "The rubric is locked" not in page.text and "Add criterion" in page.text
    # the rubric is editable again
    edit = {"name": "Surprise", "guidance": "", "weight": "1", "scale_min": "1", "scale_max": "5", "descriptors": ""}
    assert (await browser.post(w.url, edit)).status_code == 303
    # the confirmation page now says there is nothing to reopen
    again = await browser.get(f"{w.url}/reset")
    assert "No scorecard of this phase is final" in again.text and "return 0 scorecards" not in again.text
    [summary] = await audit(db, "rubric.reset")
    assert summary.reason == REASON

    # Ann's queue marks both scorecards as reopened; Bob's draft was never final
    await browser.sign_out()
    await browser.sign_in("ann@example.com")
    queue = await browser.get("/judging")
    assert queue.text.count("Reopened: finalise again") == 2
    assert "2 of your scorecards went back to draft" in queue.text
    notes = await browser.get("/notifications")
    assert "2 scorecards to finalise again" in notes.text
    await browser.sign_out()
    await browser.sign_in("bob@example.com")
    assert "Reopened: finalise again" not in (await browser.get("/judging")).text


async def test_pages_refuse_after_advancement_and_for_outsiders(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    await make_user(db, "other@example.com")
    await make_campaign(db, organizer=await make_user(db, "elsewhere@example.com"), stage="judging", title="B")
    w.s.judging.advancement_applied_at = NOW - timedelta(hours=1)
    await db.commit()
    for email in ("ann@example.com", "elsewhere@example.com", "other@example.com"):
        await browser.sign_in(email)
        assert (await browser.get(f"{w.url}/reset")).status_code == 404
        assert (await browser.post(f"{w.url}/reset", {"reason": REASON})).status_code == 404
        await browser.sign_out()

    await browser.sign_in("org@example.com")
    page = await browser.get(w.url)
    assert "Advancement has already been applied" in page.text
    assert f'href="{w.url}/reset"' not in page.text
    confirm = await browser.get(f"{w.url}/reset")
    assert "Advancement has already been applied" in confirm.text and 'name="reason"' not in confirm.text
    refused = await browser.post(f"{w.url}/reset", {"reason": REASON})
    assert refused.headers["location"] == f"{w.url}/reset"
    assert "Advancement has already been applied" in (await browser.landing(refused)).text
    assert [c.status for c in await cards(db, w)][:2] == [ScorecardStatus.FINAL] * 2
    assert await audit(db, "rubric.reset") == []
    # a phase that is not a judging phase has no rubric to reopen
    other = f"/campaigns/{w.s.campaign.id}/phases/{w.s.submission.id}/rubric/reset"
    assert (await browser.get(other)).status_code == 404


async def test_pages_run_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    w = await arrange(db)

    async def reset_and_measure() -> list[int]:
        await browser.sign_in("org@example.com")
        assert (await browser.post(f"{w.url}/reset", {"reason": REASON})).status_code == 303
        counts = []
        for url in (w.url, f"{w.url}/reset"):
            queries.reset()
            assert (await browser.get(url)).status_code == 200
            counts.append(queries.count)
        await browser.sign_out()
        await browser.sign_in("ann@example.com")
        queries.reset()
        page = await browser.get("/judging")
        assert page.status_code == 200 and "Reopened: finalise again" in page.text
        counts.append(queries.count)
        await browser.sign_out()
        return counts

    small = await reset_and_measure()
    for i in range(2, 14):
        team = await make_team(db, w.s, await make_user(db, f"more{i}@example.com"), name=f"More {i}")
        entry = await make_entry(db, team, w.s.submission)
        await assign(db, w.s.judging, entry, w.ann)
        await make_scorecard(db, w.s, entry, w.ann, [3, 3, 3])
    await db.commit()
    large = await reset_and_measure()
    print(f"rubric, reset confirmation and judge queue queries: {small} → {large}")
    assert large == small

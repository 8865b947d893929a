"""Issue 2's whole path through HTTP: launch, team, entry, deadline, judging, results, incubation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, Phase, PhaseKind
from core.clock import FrozenClock
from incubation.models import IncubationProject, ProjectStatus
from judging.models import Award, Criterion, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, Invitation, Team
from tests import factories as f
from tests.conftest import Browser

FEEDBACK = "Measure the error rate before and after. (feedback-7731)"
PRIVATE = "private-note-5519"


async def one(db: AsyncSession, stmt: Any) -> Any:
    row = (await db.scalars(stmt)).one()
    await db.commit()  # end the read: the app's next write must not wait on us
    return row


async def as_(browser: Browser, email: str) -> None:
    await browser.sign_out()
    await browser.sign_in(email)


async def test_one_campaign_end_to_end(browser: Browser, db: AsyncSession, clock: FrozenClock) -> None:
    await f.make_user(db, "exec@example.com", name="Eva Exec", executive=True)
    await f.make_user(db, "alice@example.com", name="Alice")
    await f.make_user(db, "bob@example.com", name="Bob")
    await f.make_user(db, "judge@example.com", name="Jin")
    await db.commit()

    # 1. the executive launches a campaign (Shanghai time) with two challenges, four phases, a rubric
    await browser.sign_in("exec@example.com")
    created = await browser.post(
        "/campaigns",
        {
            "title": "Spring Challenge",
            "description": "Make **work** better.",
            "timezone": "Asia/Shanghai",
            "min_team_size": "1",
            "max_team_size": "3",
        },
    )
    assert created.status_code == 303
    campaign = await one(db, select(Campaign))
    cid = campaign.id
    for title in ("Cut picking errors", "Faster month-end close"):
        assert (await browser.post(f"/campaigns/{cid}/challenges", {"title": title})).status_code == 303
    timeline = [
        ("registration", "Registration", "2026-03-10T12:00", "2026-03-12T12:00", {}),
        ("submission", "Submission", "2026-03-12T12:00", "2026-03-15T18:00", {}),
        ("judging", "Judging", "2026-03-16T09:00", "2026-03-20T18:00", {"required_judges": "1"}),
        ("results", "Results", "2026-03-21T09:00", "2026-04-30T09:00", {}),
    ]
    for kind, name, opens, closes, extra in timeline:
        form = {"kind": kind, "name": name, "opens_at": opens, "closes_at": closes, "grace_minutes": "0", **extra}
        response = await browser.post(f"/campaigns/{cid}/phases", form)
        assert response.status_code == 303, response.text
    judging = await one(db, select(Phase).where(Phase.campaign_id == cid, Phase.kind == PhaseKind.JUDGING))
    submission_close = datetime(2026, 3, 15, 10, tzinfo=UTC)  # 18:00 in Shanghai
    for name, weight in (("Impact", "3"), ("Feasibility", "1")):
        rubric = {"name": name, "weight": weight, "scale_min": "1", "scale_max": "5", "guidance": "", "descriptors": ""}
        response = await browser.post(f"/campaigns/{cid}/phases/{judging.id}/rubric", rubric)
        assert response.status_code == 303, response.text
    response = await browser.post(f"/campaigns/{cid}/people", {"email": "judge@example.com", "role": "judge"})
    assert response.status_code == 303
    assert (await browser.post(f"/campaigns/{cid}/publish")).status_code == 303

    # 2. Alice forms a team, Bob accepts her invitation
    await as_(browser, "alice@example.com")
    challenge_id = str((await browser.get(f"/campaigns/{cid}")).text.split("/teams/new?challenge=")[1].split('"')[0])
    assert (
        await browser.post(f"/campaigns/{cid}/teams", {"name": "Pickers", "challenge_id": challenge_id})
    ).status_code == 303
    team = await one(db, select(Team))
    assert (await browser.post(f"/teams/{team.id}/invitations", {"email": "bob@example.com"})).status_code == 303
    invitation = await one(db, select(Invitation))
    await as_(browser, "bob@example.com")
    assert (await browser.post(f"/invitations/{invitation.id}/accept")).status_code == 303

    # the entry: a draft, then a submission before the deadline
    clock.set(datetime(2026, 3, 13, 2, tzinfo=UTC))
    await as_(browser, "alice@example.com")
    entry_form = {
        "title": "Pick by light",
        "summary": "Lights show the bin.",
        "problem": "Wrong bins.",
        "solution": "LEDs.",
        "expected_impact": "Half the errors.",
        "prototype_url": "https://example.com/demo",
        "video_url": "",
    }
    assert (await browser.post(f"/teams/{team.id}/entry/save", entry_form)).status_code in (200, 303)
    assert (await browser.post(f"/teams/{team.id}/entry/submit", entry_form)).status_code == 303

    # after the deadline the form refuses, says when it closed, and keeps the text as a draft
    clock.set(submission_close)
    await as_(browser, "alice@example.com")  # days passed: a new sign-in after the idle timeout
    late = await browser.post(f"/teams/{team.id}/entry/submit", {**entry_form, "title": "Too late"})
    late = await browser.landing(late)  # back to the entry page, so that a reload cannot submit later
    assert "closed at Mar 15, 2026, 6:00 PM (Shanghai, UTC+8)" in late.text.replace("\u202f", " ")
    assert 'value="Too late"' in late.text
    entry = await one(db, select(Entry))
    assert entry.status is EntryStatus.SUBMITTED and entry.submitted_version is not None

    # 3. the organizer opens judging by hand and assigns the judge
    clock.set(datetime(2026, 3, 16, 3, tzinfo=UTC))
    await as_(browser, "exec@example.com")
    assert (await browser.post(f"/campaigns/{cid}/phases/{judging.id}/open")).status_code == 303
    judge_id = await db.scalar(select(User.id).where(User.email == "judge@example.com"))
    await db.commit()
    response = await browser.post(
        f"/campaigns/{cid}/phases/{judging.id}/assignments", {"entry_id": str(entry.id), "judge_id": str(judge_id)}
    )
    assert response.status_code == 303, response.text

    # 4. the judge scores with the rubric, sees the weighted total, finalises with feedback
    await as_(browser, "judge@example.com")
    base = f"/judging/{judging.id}/entries/{entry.id}"
    page = await browser.get(base)
    assert page.status_code == 200 and "Pick by light" in page.text and "Too late" not in page.text
    criteria = (
        await db.scalars(select(Criterion).where(Criterion.phase_id == judging.id).order_by(Criterion.position))
    ).all()
    await db.commit()
    scores = {f"c{criteria[0].id}": "5", f"c{criteria[1].id}": "3"}
    saved = await browser.post(f"{base}/scores", scores, htmx=True)
    assert saved.status_code == 200 and "87.5" in saved.text  # 100·(3·1 + 1·0.5)/4
    finalised = await browser.post(f"{base}/finalise", {**scores, "feedback": FEEDBACK, "private_note": PRIVATE})
    assert finalised.status_code == 303
    card = await one(db, select(Scorecard))
    assert card.status is ScorecardStatus.FINAL

    # 6. before publication the team sees no score and no feedback
    await as_(browser, "alice@example.com")
    before = await browser.get(f"/teams/{team.id}/result")
    assert before.status_code == 200 and "feedback-7731" not in before.text

    # 5. the organizer ranks, awards and publishes; the executive approves the winner into incubation
    await as_(browser, "exec@example.com")
    results = await browser.get(f"/campaigns/{cid}/results")
    assert results.status_code == 200 and "Pickers" in results.text and "87.5" in results.text
    response = await browser.post(f"/campaigns/{cid}/awards", {"name": "Best idea", "team_id": str(team.id)})
    assert response.status_code == 303
    award = await one(db, select(Award))
    assert award.approved_at is None  # the executive approves it before the results go out
    assert (await browser.post(f"/campaigns/{cid}/awards/{award.id}/approve")).status_code == 303
    # not while judging is open: its scores could still change
    refused = await browser.landing(await browser.post(f"/campaigns/{cid}/results/publish"))
    assert "Judging phase “Judging” is still open" in refused.text
    assert (await browser.post(f"/campaigns/{cid}/phases/{judging.id}/close")).status_code == 303
    published = await browser.landing(await browser.post(f"/campaigns/{cid}/results/publish"))
    assert "The results are published" in published.text
    project = {
        "team_id": str(team.id),
        "title": "Pick by light everywhere",
        "description": "",
        "sponsor_email": "",
        "budget_requested": "50000",
        "budget_approved": "40000",
    }
    assert (await browser.post("/incubation/projects", project)).status_code == 303
    approved = await one(db, select(IncubationProject))
    assert approved.status is ProjectStatus.APPROVED and approved.team_id == team.id

    # 6. the team sees its award and the feedback, never the private note
    await as_(browser, "bob@example.com")
    after = await browser.get(f"/teams/{team.id}/result")
    assert "Best idea" in after.text and "feedback-7731" in after.text and PRIVATE not in after.text

"""Campaigns through the web UI: create, challenges, timeline, publish, people, phase controls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import (
    Campaign,
    CampaignRole,
    CampaignRoleKind,
    CampaignStatus,
    Challenge,
    Phase,
    PhaseKind,
    PhaseStatus,
)
from core.audit import AuditEntry
from tests.conftest import NOW, Browser
from tests.factories import DAY, make_campaign, make_user


def campaign_form(**overrides: str) -> dict[str, str]:
    form = {
        "title": "Spring 2026",
        "description": "Make **work** better.",
        "timezone": "Europe/Berlin",
        "min_team_size": "2",
        "max_team_size": "6",
        "show_ranks": "1",
    }
    form.update(overrides)
    return form


def phase_form(kind: str, name: str, opens: str, closes: str, **extra: str) -> dict[str, str]:
    return {"kind": kind, "name": name, "opens_at": opens, "closes_at": closes, "grace_minutes": "0", **extra}


# Every read ends its transaction: on SQLite a test transaction left open would lock the app out.


async def count(db: AsyncSession, model: Any, *where: Any) -> int:
    total = await first(db, select(func.count()).select_from(model).where(*where)) or 0
    await db.commit()
    return total


async def first(db: AsyncSession, stmt: Any) -> Any:
    row = await db.scalar(stmt.execution_options(populate_existing=True))
    await db.commit()
    return row


async def rows_of(db: AsyncSession, stmt: Any) -> list[Any]:
    rows = list((await db.scalars(stmt.execution_options(populate_existing=True))).all())
    await db.commit()
    return rows


async def fresh(db: AsyncSession, model: Any, ident: int) -> Any:
    row = await db.get(model, ident, populate_existing=True)
    await db.commit()
    return row


async def audit_rows(db: AsyncSession, action: str) -> list[AuditEntry]:
    return await rows_of(db, select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))


async def test_create_challenges_phases_publish_journey(db: AsyncSession, browser: Browser) -> None:
    boss = await make_user(db, "boss@example.com", executive=True)
    await db.commit()
    await browser.sign_in(boss.email)

    page = await browser.get("/campaigns")
    assert "New campaign" in page.text
    assert (await browser.get("/campaigns/new")).status_code == 200

    response = await browser.post("/campaigns", campaign_form())
    assert response.status_code == 303
    campaign = await first(db, select(Campaign))
    assert campaign is not None
    assert response.headers["location"] == f"/campaigns/{campaign.id}"
    assert (campaign.sponsor_id, campaign.status, campaign.timezone) == (boss.id, CampaignStatus.DRAFT, "Europe/Berlin")
    assert (campaign.min_team_size, campaign.max_team_size, campaign.show_ranks) == (2, 6, True)
    assert await count(
        db, CampaignRole, CampaignRole.user_id == boss.id, CampaignRole.role == CampaignRoleKind.ORGANIZER
    )
    cid = campaign.id

    for title in ("Cut picking errors", "Faster onboarding"):
        response = await browser.post(
            f"/campaigns/{cid}/challenges",
            {
                "title": title,
                "description": "Why it matters",
                "expected_impact": "-50 % errors",
                "resources": "2 mentors",
            },
        )
        assert response.status_code == 303
    assert await count(db, Challenge, Challenge.campaign_id == cid) == 2

    phases = [
        phase_form("registration", "Registration", "2026-03-11T09:00", "2026-03-15T18:00"),
        phase_form("submission", "Prototype", "2026-03-15T18:00", "2026-03-22T18:00", grace_minutes="10"),
        phase_form("judging", "Final judging", "2026-03-23T09:00", "2026-03-30T18:00", required_judges="2"),
        phase_form("results", "Results", "2026-04-01T09:00", "2026-04-30T09:00"),
    ]
    for form in reversed(phases):  # out of order on purpose: positions follow time
        if form["kind"] == "judging":
            continue
        assert (await browser.post(f"/campaigns/{cid}/phases", form)).status_code == 303
    assert (await browser.post(f"/campaigns/{cid}/phases", phases[2])).status_code == 303

    rows = await rows_of(db, select(Phase).where(Phase.campaign_id == cid).order_by(Phase.position))
    assert [p.kind for p in rows] == [
        PhaseKind.REGISTRATION,
        PhaseKind.SUBMISSION,
        PhaseKind.JUDGING,
        PhaseKind.RESULTS,
    ]
    registration, submission, judging, _results = rows
    assert registration.opens_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)  # CET
    assert judging.closes_at == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)  # CEST after the switch
    assert judging.judges_phase_id == submission.id and judging.required_judges == 2
    assert submission.grace_minutes == 10

    timeline = await browser.get(f"/campaigns/{cid}/timeline")
    assert timeline.status_code == 200 and 'value="2026-03-15T18:00"' in timeline.text
    assert 'maxlength="200" required' in timeline.text and "&#34;" not in timeline.text

    response = await browser.post(f"/campaigns/{cid}/publish")
    assert response.status_code == 303
    published = await fresh(db, Campaign, cid)
    assert published is not None and published.status is CampaignStatus.PUBLISHED
    assert len(await audit_rows(db, "campaign.publish")) == 1

    page = await browser.get(f"/campaigns/{cid}")
    assert page.status_code == 200
    for text in ("Cut picking errors", "<strong>work</strong>", "Boss", "Final judging", "data-local", "Published"):
        assert text in page.text


async def test_campaign_form_errors_are_shown_and_nothing_is_saved(db: AsyncSession, browser: Browser) -> None:
    boss = await make_user(db, "boss@example.com", executive=True)
    await db.commit()
    await browser.sign_in(boss.email)
    cases = [
        (campaign_form(title=""), "Enter a title."),
        (campaign_form(title="x" * 201), "The title is too long"),
        (campaign_form(timezone="Mars/Olympus"), "Choose a time zone from the list"),
        (campaign_form(min_team_size="5", max_team_size="3"), "must not be below the smallest"),
        (campaign_form(max_team_size="21"), "Enter a whole number from 1 to 20."),
        (campaign_form(min_team_size="two"), "Enter a whole number from 1 to 20."),
    ]
    for form, message in cases:
        response = await browser.post("/campaigns", form)
        assert response.status_code == 422, form
        assert message in response.text
        assert 'class="field-error"' in response.text
        assert form["description"] in response.text  # what was typed is kept
    assert await count(db, Campaign) == 0
    assert await count(db, CampaignRole) == 0


async def test_phase_validation_errors(db: AsyncSession, browser: Browser) -> None:
    boss = await make_user(db, "boss@example.com", executive=True)
    await db.commit()
    await browser.sign_in(boss.email)
    await browser.post("/campaigns", campaign_form())
    campaign = await first(db, select(Campaign))
    assert campaign is not None
    url = f"/campaigns/{campaign.id}/phases"
    ok = phase_form("submission", "Ideas", "2026-03-15T09:00", "2026-03-20T18:00")
    assert (await browser.post(url, ok)).status_code == 303

    cases = [
        (phase_form("results", "R", "2026-04-10T09:00", "2026-04-01T09:00"), "The phase must close after it opens."),
        (phase_form("results", "R", "2026-03-18T09:00", "2026-03-25T09:00"), "Phases must not overlap"),
        (phase_form("registration", "Reg", "2026-03-10T09:00", "2026-03-16T09:00"), "Phases must not overlap"),
        (phase_form("judging", "J", "2026-03-01T09:00", "2026-03-05T09:00"), "Choose the submission phase"),
        (phase_form("results", "", "2026-04-10T09:00", "2026-04-20T09:00"), "Enter a name."),
        (phase_form("results", "R", "", "2026-04-20T09:00"), "Enter a date and time."),
        (phase_form("results", "R", "2026-04-10T9", "2026-04-20T09:00"), "Enter a valid date and time."),
        (phase_form("results", "R", "2026-04-10T09:00", "2026-04-20T09:00", grace_minutes="-1"), "minutes from 0"),
        (phase_form("judging", "J", "2026-03-21T09:00", "2026-03-25T09:00", required_judges="0"), "from 1 to 50"),
    ]
    for form, message in cases:
        response = await browser.post(url, form)
        assert response.status_code == 422, (form, response.text[:300])
        assert message in response.text, form
        assert 'class="field-error"' in response.text
    assert await count(db, Phase) == 1

    # editing: the same rules, nothing saved on error
    phase = await first(db, select(Phase))
    assert phase is not None
    await browser.post(url, phase_form("judging", "Screening", "2026-03-21T09:00", "2026-03-25T09:00"))
    bad = phase_form("submission", "Ideas", "2026-03-15T09:00", "2026-03-22T18:00")
    response = await browser.post(f"{url}/{phase.id}", bad)
    assert response.status_code == 422
    assert "must close before the judging phase" in response.text or "Phases must not overlap" in response.text
    unchanged = await fresh(db, Phase, phase.id)
    assert unchanged is not None and unchanged.closes_at == datetime(2026, 3, 20, 17, 0, tzinfo=UTC)
    assert await audit_rows(db, "phase.deadline") == []


async def test_changing_a_deadline_is_audited(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="UTC")
    await db.commit()
    await browser.sign_in(organizer.email)
    phase = scenario.submission
    old_close = phase.closes_at
    form = phase_form(
        "submission",
        "Submission",
        phase.opens_at.strftime("%Y-%m-%dT%H:%M"),
        "2026-03-12T08:00",
        grace_minutes="5",
    )
    url = f"/campaigns/{scenario.campaign.id}/phases/{phase.id}"
    # the phase is running: the first post only asks for confirmation
    asked = await browser.post(url, form)
    assert asked.status_code == 409
    assert "Yes, save these times" in asked.text and 'name="confirm" value="1"' in asked.text
    assert await audit_rows(db, "phase.deadline") == []
    response = await browser.post(url, {**form, "confirm": "1"})
    assert response.status_code == 303, response.text
    rows = await audit_rows(db, "phase.deadline")
    assert len(rows) == 1
    assert rows[0].actor_id == organizer.id and rows[0].subject_id == phase.id
    assert rows[0].before == {"closes_at": old_close.isoformat(), "grace_minutes": 0}
    assert rows[0].after == {"closes_at": "2026-03-12T08:00:00+00:00", "grace_minutes": 5}


async def test_publish_is_refused_without_challenge_or_submission_phase(db: AsyncSession, browser: Browser) -> None:
    boss = await make_user(db, "boss@example.com", executive=True)
    await db.commit()
    await browser.sign_in(boss.email)
    await browser.post("/campaigns", campaign_form())
    campaign = await first(db, select(Campaign))
    assert campaign is not None
    # the button says why it cannot succeed; pressed anyway, the refusal comes back to the page
    page = (await browser.get(f"/campaigns/{campaign.id}")).text
    assert 'disabled aria-describedby="publish-blocked"' in page
    assert "Add at least one challenge and one submission phase before publishing." in page
    response = await browser.post(f"/campaigns/{campaign.id}/publish")
    assert response.headers["location"] == f"/campaigns/{campaign.id}"
    assert (
        "Add at least one challenge and one submission phase before publishing."
        in (await browser.landing(response)).text
    )
    await browser.post(f"/campaigns/{campaign.id}/challenges", {"title": "Only one"})
    response = await browser.post(f"/campaigns/{campaign.id}/publish")
    assert (
        "Add at least one submission phase to the timeline before publishing." in (await browser.landing(response)).text
    )
    assert (await fresh(db, Campaign, campaign.id)).status is CampaignStatus.DRAFT


async def test_close_campaign(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="results")
    await db.commit()
    await browser.sign_in(organizer.email)
    assert (await browser.post(f"/campaigns/{scenario.campaign.id}/close")).status_code == 303
    again = await browser.post(f"/campaigns/{scenario.campaign.id}/close")  # a re-sent form
    assert "Only a published campaign can be closed." in (await browser.landing(again)).text
    assert (await fresh(db, Campaign, scenario.campaign.id)).status is CampaignStatus.CLOSED
    assert len(await audit_rows(db, "campaign.close")) == 1


async def test_challenge_edit_and_errors(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="draft")
    await db.commit()
    await browser.sign_in(organizer.email)
    challenge = scenario.challenges[0]
    url = f"/campaigns/{scenario.campaign.id}/challenges/{challenge.id}/edit"
    page = await browser.get(url)
    assert page.status_code == 200 and "Challenge 1" in page.text
    response = await browser.post(url, {"title": "", "description": "kept text"})
    assert response.status_code == 422 and "Enter a title." in response.text and "kept text" in response.text
    response = await browser.post(url, {"title": "Renamed", "expected_impact": "KPI: 10 %"})
    assert response.status_code == 303
    challenge = await fresh(db, Challenge, challenge.id)
    assert (challenge.title, challenge.expected_impact) == ("Renamed", "KPI: 10 %")
    response = await browser.post(f"/campaigns/{scenario.campaign.id}/challenges", {"title": "y" * 201})
    assert response.status_code == 422 and "too long" in response.text
    assert await count(db, Challenge) == 2


async def test_participants_and_other_organizers_get_404(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    other = await make_user(db, "other@example.com")
    participant = await make_user(db, "pat@example.com")
    draft = await make_campaign(db, organizer=organizer, stage="draft", title="Secret draft")
    published = await make_campaign(db, organizer=organizer, stage="submission", title="Open campaign")
    await make_campaign(db, organizer=other, stage="draft", title="Other draft")
    await db.commit()

    pat = browser
    await pat.sign_in(participant.email)
    d, p = draft.campaign.id, published.campaign.id
    phase_id, challenge_id = published.submission.id, published.challenges[0].id
    assert (await pat.get(f"/campaigns/{d}")).status_code == 404
    assert (await pat.get(f"/campaigns/{p}")).status_code == 200
    listing = await pat.get("/campaigns")
    assert "Open campaign" in listing.text and "Secret draft" not in listing.text and "New campaign" not in listing.text
    assert (await pat.get("/campaigns/new")).status_code == 403
    assert (await pat.post("/campaigns", campaign_form())).status_code == 403

    organizer_pages = [
        ("get", f"/campaigns/{p}/edit"),
        ("get", f"/campaigns/{p}/timeline"),
        ("get", f"/campaigns/{p}/people"),
        ("get", f"/campaigns/{p}/challenges/new"),
        ("get", f"/campaigns/{p}/challenges/{challenge_id}/edit"),
        ("post", f"/campaigns/{p}/edit"),
        ("post", f"/campaigns/{p}/challenges"),
        ("post", f"/campaigns/{p}/phases"),
        ("post", f"/campaigns/{p}/phases/{phase_id}"),
        ("post", f"/campaigns/{p}/phases/{phase_id}/close"),
        ("post", f"/campaigns/{p}/phases/{phase_id}/open"),
        ("post", f"/campaigns/{p}/people"),
        ("post", f"/campaigns/{p}/close"),
        ("post", f"/campaigns/{d}/publish"),
        ("get", f"/campaigns/{d}/timeline"),
    ]
    for who, email in ((browser, participant.email), (browser, other.email)):
        await who.sign_out()
        await who.sign_in(email)
        for method, url in organizer_pages:
            response = await (who.get(url) if method == "get" else who.post(url, {"title": "x"}))
            assert response.status_code == 404, (method, url)
    rival = browser  # still signed in as the organizer of another campaign
    assert (await rival.get(f"/campaigns/{d}")).status_code == 404
    rival_list = await rival.get("/campaigns")
    assert "Other draft" in rival_list.text and "Secret draft" not in rival_list.text

    # a campaign's phase id under another campaign is not found either
    org = browser
    await org.sign_out()
    await org.sign_in(organizer.email)
    other_phase = draft.submission.id
    assert (await org.post(f"/campaigns/{p}/phases/{other_phase}/close")).status_code == 404
    assert (await org.get(f"/campaigns/{d}")).status_code == 200
    assert await count(db, AuditEntry) == 0
    assert (await fresh(db, Phase, phase_id)).status is PhaseStatus.OPEN


async def test_open_and_close_by_hand_are_idempotent_and_audited(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="registration")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid = scenario.campaign.id
    registration, submission = scenario.phases[PhaseKind.REGISTRATION], scenario.submission

    first = await browser.post(f"/campaigns/{cid}/phases/{registration.id}/close", htmx=True)
    # done: the whole page reloads (its edit forms show the times that now hold)
    assert first.status_code == 200 and first.headers["hx-redirect"] == f"/campaigns/{cid}/timeline"
    second = await browser.post(f"/campaigns/{cid}/phases/{registration.id}/close")
    assert second.status_code == 303 and second.headers["location"] == f"/campaigns/{cid}/timeline"
    assert (await fresh(db, Phase, registration.id)).status is PhaseStatus.CLOSED
    closes = await audit_rows(db, "phase.close")
    assert len(closes) == 1
    # closed by hand before its time: the closing time that now holds is the real one
    assert closes[0].before == {"status": "open", "closes_at": (NOW + 5 * DAY).isoformat()}
    assert closes[0].after["status"] == "closed" and closes[0].after["closes_at"] == NOW.isoformat()  # type: ignore[index]
    assert (await fresh(db, Phase, registration.id)).closes_at == NOW

    for _ in range(2):
        response = await browser.post(f"/campaigns/{cid}/phases/{submission.id}/open", htmx=True)
        assert response.status_code == 200
    opened = await fresh(db, Phase, submission.id)
    assert opened.status is PhaseStatus.OPEN and opened.opens_at == NOW  # opened early: now is its opening
    assert len(await audit_rows(db, "phase.open")) == 1
    page = await browser.get(f"/campaigns/{cid}")
    assert 'class="phase-open current"' in page.text


async def test_phase_controls_refused_in_a_draft(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="draft")
    await db.commit()
    await browser.sign_in(organizer.email)
    url = f"/campaigns/{scenario.campaign.id}/phases/{scenario.submission.id}/open"
    response = await browser.post(url, htmx=True)
    assert response.status_code == 409 and "published campaign" in response.text and 'id="timeline"' in response.text
    # without htmx: back to the timeline with the message, so that a reload repeats nothing
    response = await browser.post(url)
    assert response.status_code == 303 and response.headers["location"] == f"/campaigns/{scenario.campaign.id}/timeline"
    assert "published campaign" in (await browser.landing(response)).text
    assert await audit_rows(db, "phase.open") == []


async def test_people_add_and_remove(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    judge = await make_user(db, "judy@example.com", name="Judy")
    scenario = await make_campaign(db, organizer=organizer, stage="draft")
    await db.commit()
    await browser.sign_in(organizer.email)
    url = f"/campaigns/{scenario.campaign.id}/people"

    response = await browser.post(url, {"email": "nobody@example.com", "role": "judge"})
    assert response.status_code == 422 and "No account uses this e-mail address" in response.text
    assert "nobody@example.com" in response.text
    response = await browser.post(url, {"email": "", "role": "judge"})
    assert response.status_code == 422 and "Enter an e-mail address." in response.text
    response = await browser.post(url, {"email": "jud\u0443@example.com", "role": "judge"})  # a Cyrillic "у"
    assert response.status_code == 422 and "mixes letters of different alphabets" in response.text
    response = await browser.post(url, {"email": "judy@example.com", "role": "king"})
    assert response.status_code == 422 and "Choose organizer or judge." in response.text

    assert (await browser.post(url, {"email": " JUDY@example.com ", "role": "judge"})).status_code == 303
    response = await browser.post(url, {"email": "judy@example.com", "role": "judge"})
    assert response.status_code == 409 and "already has this role" in response.text
    page = await browser.get(url)
    assert "Judy" in page.text and "Org" in page.text

    granted = await first(db, select(CampaignRole).where(CampaignRole.user_id == judge.id))
    assert granted is not None and granted.role is CampaignRoleKind.JUDGE
    assert (await browser.post(f"{url}/{granted.id}/remove")).status_code == 303
    assert await count(db, CampaignRole, CampaignRole.user_id == judge.id) == 0

    only = await first(db, select(CampaignRole).where(CampaignRole.user_id == organizer.id))
    assert only is not None
    response = await browser.post(f"{url}/{only.id}/remove")
    assert response.headers["location"] == url
    assert "at least one organizer" in (await browser.landing(response)).text
    assert (await browser.post(f"{url}/999999/remove")).status_code == 404


async def test_list_is_paginated_newest_first(db: AsyncSession, browser: Browser) -> None:
    boss = await make_user(db, "boss@example.com", executive=True)
    participant = await make_user(db, "pat@example.com")
    for i in range(1, 26):
        await make_campaign(db, stage="submission", title=f"Campaign {i:02d}", challenges=1)
    await make_campaign(db, stage="draft", title="Draft ZZ", challenges=1)
    await db.commit()

    pat = browser
    await pat.sign_in(participant.email)
    first = await pat.get("/campaigns")
    assert first.status_code == 200
    assert "Campaign 25" in first.text and "Campaign 06" in first.text and "Campaign 05" not in first.text
    assert "Draft ZZ" not in first.text and "Page 1 of 2" in first.text
    assert first.text.index("Campaign 25") < first.text.index("Campaign 24")
    second = await pat.get("/campaigns?page=2")
    assert "Campaign 05" in second.text and "Campaign 01" in second.text and "Campaign 06" not in second.text
    assert "Submission" in second.text  # the current phase

    lead = browser
    await lead.sign_out()
    await lead.sign_in(boss.email)
    page = await lead.get("/campaigns")
    assert "Draft ZZ" in page.text and "New campaign" in page.text

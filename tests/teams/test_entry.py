"""The team's entry through HTTP: drafts with autosave, submission, the deadline, versions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from core.clock import FrozenClock
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team
from tests.conftest import NOW, Browser
from tests.factories import DAY, make_campaign, make_team, make_user
from tests.teams.helpers import count, first, rows_of, switch_to
from web.i18n import format_datetime


def entry_form(phase_id: int, **overrides: str) -> dict[str, str]:
    form = {
        "phase_id": str(phase_id),
        "title": "Pick by light",
        "summary": "Lights show the picker the right bin.",
        "problem": "Wrong bins.",
        "solution": "LEDs on every shelf.",
        "expected_impact": "Half the picking errors.",
        "prototype_url": "https://example.com/demo",
        "video_url": "",
    }
    form.update(overrides)
    return form


async def entry_of(db: AsyncSession, team_id: int) -> Entry | None:
    entry: Entry | None = await first(db, select(Entry).where(Entry.team_id == team_id))
    return entry


async def versions_of(db: AsyncSession, entry_id: int) -> list[EntryVersion]:
    return await rows_of(
        db, select(EntryVersion).where(EntryVersion.entry_id == entry_id).order_by(EntryVersion.number)
    )


async def test_journey_create_invite_accept_draft_submit(db: AsyncSession, browser: Browser) -> None:
    ann = await make_user(db, "ann@example.com", name="Ann")
    bob = await make_user(db, "bob@example.com", name="Bob")
    scenario = await make_campaign(db)
    await db.commit()
    cid, phase = scenario.campaign.id, scenario.submission

    await switch_to(browser, ann.email)

    created = await browser.post(
        f"/campaigns/{cid}/teams", {"name": "Lights", "challenge_id": str(scenario.challenges[0].id)}
    )
    assert created.status_code == 303
    team = await first(db, select(Team).where(Team.campaign_id == cid))
    invited = await browser.post(f"/teams/{team.id}/invitations", {"email": "bob@example.com"})
    assert invited.status_code == 303

    await switch_to(browser, bob.email)

    listing = await browser.get("/invitations")
    assert "Lights" in listing.text
    invitation_id = listing.text.split("/invitations/")[1].split("/accept")[0]
    accepted = await browser.post(f"/invitations/{invitation_id}/accept")
    assert accepted.status_code == 303
    assert await count(db, Membership, Membership.team_id == team.id) == 2

    page = await browser.get(f"/teams/{team.id}/entry")
    assert page.status_code == 200
    assert f'hx-post="/teams/{team.id}/entry/save"' in page.text
    assert 'hx-trigger="input changed delay:1500ms, autosave-retry"' in page.text
    # the deadline in the campaign's zone (Berlin, CET) with the viewer's local time
    assert format_datetime(phase.closes_at, "Europe/Berlin") in page.text
    assert f'<time datetime="{phase.closes_at.isoformat()}"' in page.text

    draft = await browser.post(f"/teams/{team.id}/entry/save", entry_form(phase.id, title="First idea"), htmx=True)
    assert draft.status_code == 200
    assert "Saved at Mar 10, 2026, 10:00\u202fAM (Berlin, UTC+1)" in draft.text and "<html" not in draft.text
    entry = await entry_of(db, team.id)
    assert entry is not None and entry.status is EntryStatus.DRAFT and entry.title == "First idea"

    # an autosave that changes nothing adds no version
    await browser.post(f"/teams/{team.id}/entry/save", entry_form(phase.id, title="First idea"), htmx=True)
    assert len(await versions_of(db, entry.id)) == 1

    await switch_to(browser, ann.email)
    submitted = await browser.post(f"/teams/{team.id}/entry/submit", entry_form(phase.id))
    assert submitted.status_code == 303
    entry = await entry_of(db, team.id)
    assert entry is not None
    assert (entry.status, entry.submitted_version, entry.submitted_at) == (EntryStatus.SUBMITTED, 2, NOW)
    versions = await versions_of(db, entry.id)
    assert [(v.number, v.submitted, v.author_id, v.title) for v in versions] == [
        (1, False, bob.id, "First idea"),
        (2, True, ann.id, "Pick by light"),
    ]
    assert await count(db, AuditEntry, AuditEntry.action == "entry.submit") == 1

    # a later draft does not change what judges see
    await switch_to(browser, bob.email)
    later = await browser.post(f"/teams/{team.id}/entry/save", entry_form(phase.id, title="Even better"))
    assert later.status_code == 303
    entry = await entry_of(db, team.id)
    assert entry is not None and (entry.status, entry.submitted_version) == (EntryStatus.SUBMITTED, 2)

    await switch_to(browser, ann.email)
    page = await browser.get(f"/teams/{team.id}/entry")
    for text in ("Submitted", "Version 2 submitted", "Even better", "judges see this one", "Ann", "Bob"):
        assert text in page.text
    assert "Judges see the submitted version until you submit again." in page.text
    team_page = await browser.get(f"/teams/{team.id}")
    assert "Submitted" in team_page.text and "Bob" in team_page.text


async def test_submission_after_the_deadline_is_kept_as_a_draft(
    db: AsyncSession, browser: Browser, clock: FrozenClock
) -> None:
    cap = await make_user(db, "cap@example.com")
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, cap)
    await db.commit()
    phase = scenario.submission
    await browser.sign_in(cap.email)

    assert (await browser.post(f"/teams/{team.id}/entry/submit", entry_form(phase.id))).status_code == 303

    # the clock jumps two days: sign in again (sessions time out when idle)
    clock.set(phase.closes_at - timedelta(seconds=1))
    await browser.sign_in(cap.email)
    in_time = await browser.post(f"/teams/{team.id}/entry/submit", entry_form(phase.id, title="Last second"))
    assert in_time.status_code == 303

    clock.set(phase.closes_at)  # closes_at is exclusive
    late = await browser.post(f"/teams/{team.id}/entry/submit", entry_form(phase.id, title="Too late"))
    # back to the entry page with the reason, so that reloading it cannot submit later what was refused now
    assert late.status_code == 303 and late.headers["location"] == f"/teams/{team.id}/entry?phase={phase.id}"
    late = await browser.get(late.headers["location"])
    when = format_datetime(phase.closes_at, "Europe/Berlin")
    assert f"The submission phase closed at {when}. Your text was kept as a draft." in late.text
    assert 'value="Too late"' in late.text  # the form still shows what was typed

    entry = await entry_of(db, team.id)
    assert entry is not None
    assert (entry.status, entry.submitted_version) == (EntryStatus.SUBMITTED, 2)
    versions = await versions_of(db, entry.id)
    assert [(v.number, v.submitted, v.title) for v in versions] == [
        (1, True, "Pick by light"),
        (2, True, "Last second"),
        (3, False, "Too late"),
    ]

    # drafts after the deadline are still drafts
    clock.advance(DAY)
    await browser.sign_in(cap.email)
    saved = await browser.post(f"/teams/{team.id}/entry/save", entry_form(phase.id, title="Afterthought"))
    assert saved.status_code == 303
    entry = await entry_of(db, team.id)
    assert entry is not None and entry.submitted_version == 2 and entry.title == "Afterthought"
    page = await browser.get(f"/teams/{team.id}/entry")
    assert "Submissions closed" in page.text and "Submit again" not in page.text


async def test_grace_minutes_still_accept_a_submission(db: AsyncSession, browser: Browser, clock: FrozenClock) -> None:
    cap = await make_user(db, "cap@example.com")
    scenario = await make_campaign(db)
    scenario.submission.grace_minutes = 10
    team = await make_team(db, scenario, cap)
    await db.commit()
    clock.set(scenario.submission.closes_at + timedelta(minutes=9))
    await browser.sign_in(cap.email)
    response = await browser.post(f"/teams/{team.id}/entry/submit", entry_form(scenario.submission.id))
    assert response.status_code == 303
    entry = await entry_of(db, team.id)
    assert entry is not None and entry.status is EntryStatus.SUBMITTED


async def test_bad_entry_input_is_422_and_keeps_what_was_typed(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, cap)
    await db.commit()
    phase_id = scenario.submission.id
    await browser.sign_in(cap.email)
    submit = f"/teams/{team.id}/entry/submit"

    no_title = await browser.post(submit, entry_form(phase_id, title="", summary="Kept summary"))
    assert no_title.status_code == 422
    assert "Give the entry a title before submitting it." in no_title.text and "Kept summary" in no_title.text

    long_summary = "S" * 1001
    too_long = await browser.post(submit, entry_form(phase_id, summary=long_summary))
    assert too_long.status_code == 422
    assert "The summary can have at most 1000 characters." in too_long.text and long_summary in too_long.text

    bad_url = await browser.post(submit, entry_form(phase_id, prototype_url="javascript:alert(1)", video_url="ftp://x"))
    assert bad_url.status_code == 422
    assert bad_url.text.count("Enter a full web address starting with http:// or https://.") == 2
    assert 'value="javascript:alert(1)"' in bad_url.text

    long_title = "T" * 201
    draft = await browser.post(f"/teams/{team.id}/entry/save", entry_form(phase_id, title=long_title), htmx=True)
    assert draft.status_code == 422 and "The title can have at most 200 characters." in draft.text
    # a refused submission keeps the text as a draft, unless a field is too long to be kept
    entry = await entry_of(db, team.id)
    assert entry is not None and entry.status is EntryStatus.DRAFT and entry.submitted_version is None
    versions = await versions_of(db, entry.id)
    assert [(v.number, v.submitted, v.summary, v.prototype_url) for v in versions] == [
        (1, False, "Kept summary", "https://example.com/demo"),
        (2, False, entry_form(phase_id)["summary"], "javascript:alert(1)"),
    ]


async def test_entry_is_for_members_only(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    org = await make_user(db, "org@example.com")
    rival = await make_user(db, "rival@example.com")
    scenario = await make_campaign(db, organizer=org)
    other = await make_campaign(db, title="Other")
    team = await make_team(db, scenario, cap)
    await make_team(db, other, rival, name="Rivals")
    await db.commit()
    phase_id = scenario.submission.id
    for person in (org, rival):
        await switch_to(browser, person.email)
        assert (await browser.get(f"/teams/{team.id}/entry")).status_code == 404
        assert (await browser.post(f"/teams/{team.id}/entry/save", entry_form(phase_id))).status_code == 404
        assert (await browser.post(f"/teams/{team.id}/entry/submit", entry_form(phase_id))).status_code == 404
    # a phase of another campaign is not this team's phase
    await switch_to(browser, cap.email)
    foreign = await browser.post(f"/teams/{team.id}/entry/submit", entry_form(other.submission.id))
    assert foreign.status_code == 404
    assert await count(db, Entry) == 0


async def test_team_and_entry_pages_run_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: Any
) -> None:
    cap = await make_user(db, "cap@example.com")
    scenario = await make_campaign(db, max_team_size=10)
    mates = [await make_user(db, f"m{i}@example.com") for i in range(6)]
    team = await make_team(db, scenario, cap, members=mates[:1])
    await db.commit()
    await browser.sign_in(cap.email)

    async def measure() -> tuple[int, int]:
        queries.reset()
        assert (await browser.get(f"/teams/{team.id}")).status_code == 200
        team_count = queries.count
        queries.reset()
        assert (await browser.get(f"/teams/{team.id}/entry")).status_code == 200
        return team_count, queries.count

    await browser.post(f"/teams/{team.id}/entry/save", entry_form(scenario.submission.id))
    small = await measure()
    for mate in mates[1:]:
        db.add(Membership(team_id=team.id, campaign_id=scenario.campaign.id, user_id=mate.id))
    await db.commit()
    for i in range(5):
        await browser.post(f"/teams/{team.id}/entry/save", entry_form(scenario.submission.id, title=f"v{i}"))
    large = await measure()
    print(f"queries: team page {small[0]} -> {large[0]}, entry page {small[1]} -> {large[1]}")
    assert small == large

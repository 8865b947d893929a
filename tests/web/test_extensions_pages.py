"""The organizer's extensions page and what the team sees on its entry page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from core.clock import FrozenClock
from teams.models import Entry, EntryStatus, Extension
from tests.conftest import Browser, QueryCounter
from tests.factories import Scenario, make_campaign, make_team, make_user
from tests.teams.helpers import count, first, rows_of, switch_to

# the factory's submission phase closes 2026-03-12 09:00 UTC, 10:00 in Berlin (CET)
CLOSE = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def grant_form(team_id: int, phase_id: int, **overrides: str) -> dict[str, str]:
    form = {"team_id": str(team_id), "phase_id": str(phase_id), "until": "2026-03-13T18:00", "reason": "Laptop died"}
    form.update(overrides)
    return form


def entry_form(phase_id: int, title: str) -> dict[str, str]:
    return {"phase_id": str(phase_id), "title": title, "summary": "S", "prototype_url": "https://example.com/x"}


async def arrange(db: AsyncSession) -> tuple[Scenario, int, int]:
    organizer = await make_user(db, "org@example.com", name="Olga Organizer")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="Europe/Berlin")
    late = await make_team(db, scenario, await make_user(db, "ann@example.com"), name="Late Larks")
    punctual = await make_team(db, scenario, await make_user(db, "bob@example.com"), name="Early Birds")
    await db.commit()
    return scenario, late.id, punctual.id


async def test_organizer_grants_lists_changes_and_revokes(db: AsyncSession, browser: Browser) -> None:
    scenario, late, _punctual = await arrange(db)
    cid, phase_id = scenario.campaign.id, scenario.submission.id
    await browser.sign_in("org@example.com")
    # linked from the campaign page and the timeline
    assert f'href="/campaigns/{cid}/extensions"' in (await browser.get(f"/campaigns/{cid}")).text
    assert f'href="/campaigns/{cid}/extensions"' in (await browser.get(f"/campaigns/{cid}/timeline")).text
    empty = await browser.get(f"/campaigns/{cid}/extensions")
    assert empty.status_code == 200 and "No team has an extension." in empty.text
    assert "Late Larks" in empty.text and "Early Birds" in empty.text  # the team select

    granted = await browser.post(f"/campaigns/{cid}/extensions", grant_form(late, phase_id))
    assert granted.status_code == 303
    extension = await first(db, select(Extension))
    assert extension.team_id == late and extension.until == datetime(2026, 3, 13, 17, 0, tzinfo=UTC)  # 18:00 CET

    listing = (await browser.get(f"/campaigns/{cid}/extensions")).text
    row = listing.split(f'id="extension-{extension.id}"', 1)[1].split("</tr>", 1)[0]
    for text in ("Late Larks", "Submission", "Laptop died", "Olga Organizer", "Europe/Berlin"):
        assert text in row, text
    assert '<time datetime="2026-03-13T17:00:00+00:00"' in row
    assert "ends in 3 d 8 h" in row

    edit = (await browser.get(f"/campaigns/{cid}/extensions?edit={extension.id}")).text
    assert 'value="2026-03-13T18:00"' in edit and "Laptop died" in edit
    changed = await browser.post(f"/campaigns/{cid}/extensions", grant_form(late, phase_id, until="2026-03-14T12:00"))
    assert changed.status_code == 303
    assert await count(db, Extension) == 1
    assert (await first(db, select(Extension))).until == datetime(2026, 3, 14, 11, 0, tzinfo=UTC)

    revoked = await browser.post(f"/campaigns/{cid}/extensions/{extension.id}/revoke")
    assert revoked.status_code == 303
    assert await count(db, Extension) == 0
    actions = [a.action for a in await rows_of(db, select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-3:] == ["extension.grant", "extension.update", "extension.revoke"]


async def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(db: AsyncSession, browser: Browser) -> None:
    scenario, late, _punctual = await arrange(db)
    other = await make_campaign(db, stage="submission", title="Elsewhere")
    stranger = await make_team(db, other, await make_user(db, "sam@example.com"), name="Strangers")
    await db.commit()
    cid, phase_id = scenario.campaign.id, scenario.submission.id
    await browser.sign_in("org@example.com")
    cases = [
        (grant_form(stranger.id, phase_id), "team_id", "Choose a team of this campaign."),
        (grant_form(late, other.submission.id), "phase_id", "Choose a submission phase of this campaign."),
        (grant_form(late, phase_id, until="2026-03-12T09:59"), "until", "must end after the phase&#39;s deadline"),
        (grant_form(late, phase_id, until="soon"), "until", "Enter a valid date and time."),
        (grant_form(late, phase_id, reason=""), "reason", "Give the reason for the extension."),
    ]
    for form, field, message in cases:
        response = await browser.post(f"/campaigns/{cid}/extensions", form)
        assert response.status_code == 422, form
        error = response.text.split(f'id="e-{field}"', 1)[1].split("</p>", 1)[0]
        assert message in error, (field, error)
        assert f'value="{form["until"]}"' in response.text  # what was typed is kept
    assert await count(db, Extension) == 0


async def test_outsiders_get_404(db: AsyncSession, browser: Browser) -> None:
    scenario, late, _punctual = await arrange(db)
    other_org = await make_user(db, "other@example.com")
    theirs = await make_campaign(db, organizer=other_org, stage="submission", title="Theirs")
    db.add(Extension(team_id=late, phase_id=scenario.submission.id, until=CLOSE + timedelta(days=1), reason="Ill"))
    await db.commit()
    extension = await first(db, select(Extension))
    cid, phase_id = scenario.campaign.id, scenario.submission.id
    for email in ("ann@example.com", "other@example.com"):
        await switch_to(browser, email)
        assert (await browser.get(f"/campaigns/{cid}/extensions")).status_code == 404
        assert (await browser.post(f"/campaigns/{cid}/extensions", grant_form(late, phase_id))).status_code == 404
        assert (await browser.post(f"/campaigns/{cid}/extensions/{extension.id}/revoke")).status_code == 404
    # another campaign's organizer cannot reach this extension through their own campaign either
    tid = theirs.campaign.id
    assert (await browser.post(f"/campaigns/{tid}/extensions/{extension.id}/revoke")).status_code == 404
    assert await count(db, Extension) == 1


async def test_only_the_extended_team_can_still_submit(db: AsyncSession, browser: Browser, clock: FrozenClock) -> None:
    scenario, late, punctual = await arrange(db)
    phase_id = scenario.submission.id
    db.add(Extension(team_id=late, phase_id=phase_id, until=CLOSE + timedelta(hours=6), reason="Ill"))
    await db.commit()
    clock.set(CLOSE + timedelta(hours=1))

    await switch_to(browser, "ann@example.com")
    page = (await browser.get(f"/teams/{late}/entry")).text
    note = page.split('id="extension-note"', 1)[1].split("</p>", 1)[0]
    assert "Your team has an extension until" in note
    assert '<time datetime="2026-03-12T15:00:00+00:00"' in note and "ends in 5 h 0 min" in note
    assert "Submit the entry" in page
    submitted = await browser.post(f"/teams/{late}/entry/submit", entry_form(phase_id, "Late and fine"))
    assert submitted.status_code == 303

    await switch_to(browser, "bob@example.com")
    page = (await browser.get(f"/teams/{punctual}/entry")).text
    assert "Submissions closed" in page and "extension" not in page
    assert '<button type="submit" class="button" disabled aria-describedby="submit-blocked">' in page
    refused = await browser.post(f"/teams/{punctual}/entry/submit", entry_form(phase_id, "Too late"))
    assert "The submission phase closed at" in (await browser.landing(refused)).text

    entries = {e.team_id: e for e in await rows_of(db, select(Entry))}
    assert entries[late].status is EntryStatus.SUBMITTED
    assert entries[punctual].status is EntryStatus.DRAFT and entries[punctual].title == "Too late"

    # once the extension has ended, the team is told when
    clock.set(CLOSE + timedelta(hours=6))
    await switch_to(browser, "ann@example.com")
    page = (await browser.get(f"/teams/{late}/entry")).text
    assert "Your team's extension ended at" in page and "Submit again" not in page
    again = await browser.post(f"/teams/{late}/entry/submit", entry_form(phase_id, "After the extension"))
    assert "Your extension ended at" in (await browser.landing(again)).text


async def test_extensions_page_runs_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    scenario, late, _punctual = await arrange(db)
    phase_id = scenario.submission.id
    granter = await make_user(db, "granter@example.com")
    db.add(
        Extension(
            team_id=late, phase_id=phase_id, until=CLOSE + timedelta(days=1), reason="Ill", granted_by_id=granter.id
        )
    )
    await db.commit()
    await browser.sign_in("org@example.com")
    url = f"/campaigns/{scenario.campaign.id}/extensions"
    queries.reset()
    assert (await browser.get(url)).status_code == 200
    few = queries.count
    for n in range(6):
        team = await make_team(db, scenario, await make_user(db, f"m{n}@example.com"), name=f"More {n}")
        granter = await make_user(db, f"g{n}@example.com")
        db.add(
            Extension(
                team_id=team.id,
                phase_id=phase_id,
                until=CLOSE + timedelta(days=1),
                reason="Ill",
                granted_by_id=granter.id,
            )
        )
    await db.commit()
    queries.reset()
    page = await browser.get(url)
    assert page.status_code == 200 and "More 5" in page.text
    print(f"extensions page queries: {few}, {queries.count}")
    assert queries.count == few

"""Editing the timeline: confirming a running phase's move, no deadline into the past, reminder
hours, the visual timeline and deadlines shown in two zones with a countdown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns import lifecycle
from campaigns.deadlines import normalise_reminder_hours, reminder_offsets
from campaigns.events import TimelineChanged
from campaigns.models import Campaign, Phase, PhaseKind, PhaseStatus
from campaigns.timeline import ConfirmationNeeded
from campaigns.timeline_editing import PhaseInput, update_phase
from core.audit import AuditEntry
from core.clock import FrozenClock
from core.errors import ValidationFailed
from core.events import publish as real_publish
from tests.conftest import NOW, Browser
from tests.factories import DAY, make_campaign, make_user
from tests.teams.helpers import count, fresh, rows_of
from web.i18n import format_moment

LOCAL = "%Y-%m-%dT%H:%M"


def plain(text: str) -> str:
    """Babel puts a narrow no-break space before AM/PM; compare with plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def shown(value: datetime, tz: str) -> str:
    """A time in one zone as every page shows it: date, time, the zone's city and its UTC offset."""
    text = format_moment(value, tz)
    assert plain(text).endswith(")") and "UTC" in text
    return text


def phase_form(phase: Phase, tz: str = "UTC", **overrides: str) -> dict[str, str]:
    from campaigns.deadlines import utc_to_local

    form = {
        "kind": phase.kind.value,
        "name": phase.name,
        "opens_at": utc_to_local(phase.opens_at, tz).strftime(LOCAL),
        "closes_at": utc_to_local(phase.closes_at, tz).strftime(LOCAL),
        "grace_minutes": str(phase.grace_minutes),
        "judges_phase_id": str(phase.judges_phase_id or ""),
        "required_judges": str(phase.required_judges),
    }
    form.update(overrides)
    return form


def moved(phase: Phase, **changes: Any) -> PhaseInput:
    values: dict[str, Any] = {
        "kind": phase.kind,
        "name": phase.name,
        "opens_at": phase.opens_at,
        "closes_at": phase.closes_at,
        "grace_minutes": phase.grace_minutes,
        "judges_phase_id": phase.judges_phase_id,
        "required_judges": phase.required_judges,
    }
    values.update(changes)
    return PhaseInput(**values)


async def deadline_audits(db: AsyncSession) -> list[AuditEntry]:
    return await rows_of(db, select(AuditEntry).where(AuditEntry.action == "phase.deadline").order_by(AuditEntry.id))


# --- confirmation --------------------------------------------------------------------------------


async def test_moving_a_running_phase_needs_confirmation(db: AsyncSession, clock: FrozenClock) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    await db.commit()
    phase = scenario.submission
    old_close = phase.closes_at
    with pytest.raises(ConfirmationNeeded) as asked:
        await update_phase(
            db, organizer, clock.now(), scenario.campaign, phase, moved(phase, closes_at=old_close - DAY)
        )
    assert asked.value.field == "confirm"
    await db.commit()  # nothing was changed: committing proves it
    assert (await fresh(db, Phase, phase.id)).closes_at == old_close
    assert await deadline_audits(db) == []

    phase = await fresh(db, Phase, phase.id)
    # grace counts towards the phase's span: ten minutes of it would overlap the judging phase
    with pytest.raises(ValidationFailed) as overlap:
        await update_phase(
            db, organizer, clock.now(), scenario.campaign, phase, moved(phase, grace_minutes=10), confirmed=True
        )
    assert set(overlap.value.errors) == {"closes_at"} and overlap.value.params_of("closes_at")["name"] == "Judging"
    earlier = moved(phase, closes_at=old_close - timedelta(hours=1), grace_minutes=10)
    await update_phase(db, organizer, clock.now(), scenario.campaign, phase, earlier, confirmed=True)
    await db.commit()
    rows = await deadline_audits(db)
    assert len(rows) == 1 and rows[0].before == {"closes_at": old_close.isoformat(), "grace_minutes": 0}
    assert rows[0].after == {"closes_at": (old_close - timedelta(hours=1)).isoformat(), "grace_minutes": 10}


async def test_a_rename_or_a_pending_phase_needs_no_confirmation(db: AsyncSession, clock: FrozenClock) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    await db.commit()
    running, pending = scenario.submission, scenario.phases[PhaseKind.RESULTS]
    await update_phase(db, organizer, clock.now(), scenario.campaign, running, moved(running, name="Ideas"))
    await update_phase(
        db, organizer, clock.now(), scenario.campaign, pending, moved(pending, closes_at=pending.closes_at + DAY)
    )
    await db.commit()
    assert (await fresh(db, Phase, running.id)).name == "Ideas"
    assert len(await deadline_audits(db)) == 1


async def test_confirmation_through_the_timeline_page(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="Europe/Berlin")
    await db.commit()
    await browser.sign_in(organizer.email)
    phase, cid = scenario.submission, scenario.campaign.id
    url = f"/campaigns/{cid}/phases/{phase.id}"
    form = phase_form(phase, "Europe/Berlin", closes_at="2026-03-11T18:00")

    asked = await browser.post(url, form)
    assert asked.status_code == 409
    box = asked.text.split('id="confirm-phase-', 1)[1].split("</div>\n", 2)
    assert "This phase is running" in asked.text and "Yes, save these times" in asked.text
    assert '<input type="hidden" name="confirm" value="1">' in box[0] + box[1]
    assert 'value="2026-03-11T18:00"' in asked.text  # what the organizer typed is kept
    assert (await fresh(db, Phase, phase.id)).closes_at == phase.closes_at
    assert await deadline_audits(db) == []

    saved = await browser.post(url, {**form, "confirm": "1"})
    assert saved.status_code == 303
    assert (await fresh(db, Phase, phase.id)).closes_at == datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
    rows = await deadline_audits(db)
    assert len(rows) == 1 and rows[0].actor_id == organizer.id
    assert rows[0].after == {"closes_at": "2026-03-11T17:00:00+00:00"}


# --- no deadline into the past ---------------------------------------------------------------------


async def test_a_deadline_cannot_move_into_the_past(db: AsyncSession, browser: Browser, clock: FrozenClock) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="judging", timezone="UTC")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid = scenario.campaign.id
    cases = [
        # running phase: even confirmed
        (scenario.judging, (NOW - timedelta(hours=1)).strftime(LOCAL), ("cannot move into the past", "Close now")),
        # closed phase: its times record what happened, earlier or later
        (scenario.submission, (scenario.submission.closes_at - DAY).strftime(LOCAL), ("record what happened",)),
        (scenario.submission, (NOW + DAY).strftime(LOCAL), ("Reopen",)),
    ]
    for phase, closes, expected in cases:
        form = phase_form(phase, closes_at=closes, confirm="1")
        response = await browser.post(f"/campaigns/{cid}/phases/{phase.id}", form)
        assert response.status_code == 422, phase.name
        error = response.text.split(f'id="p{phase.id}-closes_at-error"', 1)[1].split("</p>", 1)[0]
        assert all(words in error for words in expected), error
        assert (await fresh(db, Phase, phase.id)).closes_at == phase.closes_at
    assert await deadline_audits(db) == []
    # later than now is fine for a running phase, once confirmed
    judging = scenario.judging
    form = phase_form(judging, closes_at=(NOW + 2 * DAY).strftime(LOCAL), confirm="1")
    assert (await browser.post(f"/campaigns/{cid}/phases/{judging.id}", form)).status_code == 303


async def test_service_refuses_a_past_deadline_for_a_started_phase(db: AsyncSession, clock: FrozenClock) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    await db.commit()
    registration = scenario.phases[PhaseKind.REGISTRATION]  # closed 5 days ago
    assert registration.status is PhaseStatus.CLOSED
    with pytest.raises(ValidationFailed) as refused:
        await update_phase(
            db,
            organizer,
            clock.now(),
            scenario.campaign,
            registration,
            moved(registration, closes_at=registration.closes_at - DAY),
            confirmed=True,
        )
    assert set(refused.value.errors) == {"closes_at"}


# --- reminder hours ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24,1", "24,1"),
        (" 1, 24 ,24", "24,1"),
        ("", ""),
        ("   ", ""),
        ("720,1,2,3,4", "720,4,3,2,1"),
        ("0", None),
        ("721", None),
        ("1,2,3,4,5,6", None),
        ("24;1", None),
        ("1.5", None),
        ("-1", None),
        ("24,", None),
        ("２４", None),
    ],
)
def test_reminder_hours_are_validated_and_normalised(raw: str, expected: str | None) -> None:
    assert normalise_reminder_hours(raw) == expected


def test_reminder_offsets() -> None:
    assert reminder_offsets("24,1") == [timedelta(hours=24), timedelta(hours=1)]
    assert reminder_offsets("") == [] and reminder_offsets("nonsense") == []


async def test_reminder_hours_on_the_campaign_form(
    db: AsyncSession, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[Any] = []

    async def spy(session: AsyncSession, event: Any) -> None:
        published.append(event)
        await real_publish(session, event)

    monkeypatch.setattr(lifecycle, "publish", spy)
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid = scenario.campaign.id
    edit = await browser.get(f"/campaigns/{cid}/edit")
    assert 'name="reminder_hours"' in edit.text and 'value="24,1"' in edit.text
    form = {
        "title": "Spring",
        "description": "",
        "timezone": "Europe/Berlin",
        "min_team_size": "1",
        "max_team_size": "4",
        "show_ranks": "1",
    }
    bad = await browser.post(f"/campaigns/{cid}/edit", {**form, "reminder_hours": "48, 0"})
    assert bad.status_code == 422
    error = bad.text.split('id="e-reminder_hours"', 1)[1].split("</p>", 1)[0]
    assert "whole hours from 1 to 720" in error
    assert 'value="48, 0"' in bad.text
    assert (await fresh(db, Campaign, cid)).reminder_hours == "24,1"
    assert published == []

    good = await browser.post(f"/campaigns/{cid}/edit", {**form, "reminder_hours": "2, 48"})
    assert good.status_code == 303
    assert (await fresh(db, Campaign, cid)).reminder_hours == "48,2"
    assert TimelineChanged(campaign_id=cid, phase_id=0) in published
    audit = await rows_of(db, select(AuditEntry).where(AuditEntry.action == "campaign.update"))
    assert audit[-1].before["reminder_hours"] == "24,1" and audit[-1].after["reminder_hours"] == "48,2"

    published.clear()
    none = await browser.post(f"/campaigns/{cid}/edit", {**form, "reminder_hours": ""})
    assert none.status_code == 303
    assert (await fresh(db, Campaign, cid)).reminder_hours == ""
    assert TimelineChanged(campaign_id=cid, phase_id=0) in published


# --- the visual timeline and deadlines ------------------------------------------------------------


async def test_visual_timeline_bars_and_now_marker(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="UTC")
    await db.commit()
    await browser.sign_in(organizer.email)
    page = await browser.get(f"/campaigns/{scenario.campaign.id}/timeline")
    assert page.status_code == 200
    chart = page.text.split('<figure class="timeline-chart"', 1)[1].split("</figure>", 1)[0]
    # the factory's timeline runs from now - 10 d to now + 30 d: now sits at 25 %
    assert 'x1="25.0%"' in chart
    bars = re.findall(r'<rect class="tl-bar kind-(\w+) state-(\w+)" x="([\d.]+)%" y="\d+" width="([\d.]+)%"', chart)
    assert bars == [
        ("registration", "closed", "0.0", "12.5"),
        ("submission", "open", "12.5", "17.5"),
        ("judging", "pending", "30.0", "17.5"),
        ("results", "pending", "47.5", "52.5"),
    ]
    assert "style=" not in chart  # the CSP forbids inline styles
    # detail page shows the same chart, for everyone who may see the campaign
    detail = await browser.get(f"/campaigns/{scenario.campaign.id}")
    assert '<figure class="timeline-chart"' in detail.text


async def test_deadline_markup_with_countdown_and_both_zones(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="Europe/Berlin")
    await db.commit()
    await browser.sign_in(organizer.email)
    close = scenario.submission.closes_at  # NOW + 2 days
    page = await browser.get(f"/campaigns/{scenario.campaign.id}")
    iso = close.isoformat()
    assert iso == "2026-03-12T09:00:00+00:00"
    # no zone known for the viewer yet: the script adds theirs, from a translated label
    local = 'data-local data-zone="Europe/Berlin" data-label="your time: {time}"'
    assert f'<time datetime="{iso}" {local}>{shown(close, "Europe/Berlin")}</time>' in page.text
    assert "Mar 12, 2026, 10:00 AM (Berlin, UTC+1)" in plain(page.text)  # CET
    countdown = page.text.split(f'<span class="countdown" role="timer" data-until="{iso}"', 1)[1].split("</span>")[0]
    assert 'data-future="closes in {left}"' in countdown and 'data-past="closed"' in countdown
    assert countdown.endswith(">closes in 2 d 0 h")

    # the browser told its zone (a cookie the script sets): the server shows both
    browser.client.cookies.set("kaizen_tz", "Asia/Shanghai")
    page = await browser.get(f"/campaigns/{scenario.campaign.id}")
    assert "your time: Mar 12, 2026, 5:00 PM (Shanghai, UTC+8)" in plain(page.text)
    assert "data-local" not in page.text

    # a saved zone is rendered by the server
    user = await fresh(db, User, organizer.id)
    user.timezone = "America/New_York"
    db.add(user)
    await db.commit()
    page = await browser.get(f"/campaigns/{scenario.campaign.id}")
    assert f"your time: {shown(close, 'America/New_York')}" in page.text
    assert "your time: Mar 12, 2026, 5:00 AM (New York, UTC−4)" in plain(page.text)  # EDT since March 8
    assert "Shanghai" not in page.text  # a saved zone wins over the browser's
    # a viewer in the campaign's own zone reads each time once
    user.timezone = "Europe/Berlin"
    db.add(user)
    await db.commit()
    page = await browser.get(f"/campaigns/{scenario.campaign.id}")
    assert "your time:" not in page.text and "Berlin, UTC+1" in page.text


async def test_deadlines_across_the_berlin_spring_switch(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    # submission runs 2026-03-22 12:00 UTC to 2026-03-29 12:00 UTC; Berlin moves to summer time in between
    scenario = await make_campaign(
        db, organizer=organizer, stage="submission", timezone="Europe/Berlin", now=datetime(2026, 3, 27, 12, tzinfo=UTC)
    )
    await db.commit()
    submission = scenario.submission
    await browser.sign_in(organizer.email)
    page = await browser.get(f"/campaigns/{scenario.campaign.id}/timeline")
    assert ">Mar 22, 2026, 1:00 PM (Berlin, UTC+1)</time>" in plain(page.text)
    assert ">Mar 29, 2026, 2:00 PM (Berlin, UTC+2)</time>" in plain(page.text)
    # the edit form shows the same wall-clock times, and saving them unchanged moves nothing
    assert 'value="2026-03-22T13:00"' in page.text and 'value="2026-03-29T14:00"' in page.text
    form = phase_form(submission, "Europe/Berlin", name="Ideas")
    assert form["closes_at"] == "2026-03-29T14:00"
    response = await browser.post(f"/campaigns/{scenario.campaign.id}/phases/{submission.id}", form)
    assert response.status_code == 303
    saved = await fresh(db, Phase, submission.id)
    assert (saved.name, saved.opens_at, saved.closes_at) == ("Ideas", submission.opens_at, submission.closes_at)
    assert await count(db, AuditEntry, AuditEntry.action == "phase.deadline") == 0

"""Extensions through the services: only the team with one may submit late, checked in the save's transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.deadlines import utc_to_local
from campaigns.models import CampaignStatus, PhaseStatus
from core.audit import AuditEntry
from core.clock import FrozenClock
from core.errors import Conflict, NotFound, ValidationFailed
from core.events import publish as real_publish
from teams import extensions as extensions_module
from teams.entries import SubmissionRefused, submit_entry
from teams.events import ExtensionGranted
from teams.extensions import grant_extension, revoke_extension
from teams.models import Entry, EntryStatus, Extension, Team
from teams.rules import EntryFields
from teams.write_window import extension_until
from tests.factories import Scenario, make_campaign, make_team, make_user
from tests.teams.helpers import count, first, rows_of

H = timedelta(hours=1)


def fields(title: str = "Pick by light") -> EntryFields:
    return EntryFields(title=title, summary="Lights at every bin.", prototype_url="https://example.com/demo")


async def setup(db: AsyncSession, *, grace: int = 0) -> tuple[Scenario, User, Team, User, Team]:
    organizer = await make_user(db, "org@example.com", name="Olga Organizer")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="Europe/Berlin")
    scenario.submission.grace_minutes = grace
    ann = await make_user(db, "ann@example.com")
    bob = await make_user(db, "bob@example.com")
    late = await make_team(db, scenario, ann, name="Late Larks")
    punctual = await make_team(db, scenario, bob, name="Early Birds")
    await db.commit()
    return scenario, ann, late, bob, punctual


async def _grant(db: AsyncSession, scenario: Scenario, team: Team, until: Any, now: Any, reason: str = "Ill") -> Any:
    organizer = await first(db, select(User).where(User.email == "org@example.com"))
    extension = await grant_extension(
        db, organizer, now, scenario.campaign, team.id, scenario.submission.id, until, reason
    )
    await db.commit()
    return extension


async def test_only_the_team_with_an_extension_submits_after_the_deadline(db: AsyncSession, clock: FrozenClock) -> None:
    scenario, ann, late, bob, punctual = await setup(db)
    close = scenario.submission.closes_at
    await _grant(db, scenario, late, close + 24 * H, clock.now(), reason="Two members were ill")

    clock.set(close + 2 * H)
    version = await submit_entry(db, ann, late.id, None, fields("Late but allowed"), clock.now())
    await db.commit()
    assert version.submitted
    with pytest.raises(SubmissionRefused) as refused:
        await submit_entry(db, bob, punctual.id, scenario.submission.id, fields("Too late"), clock.now())
    await db.commit()
    assert refused.value.message.startswith("The submission phase closed at")
    assert refused.value.closed_at == close
    entries = {e.team_id: e for e in await rows_of(db, select(Entry))}
    assert entries[late.id].status is EntryStatus.SUBMITTED and entries[late.id].submitted_version == 1
    # the other team's text is kept as a draft, never lost
    assert entries[punctual.id].status is EntryStatus.DRAFT and entries[punctual.id].title == "Too late"


async def test_grace_and_extension_arithmetic_with_the_frozen_clock(db: AsyncSession, clock: FrozenClock) -> None:
    scenario, ann, late, bob, punctual = await setup(db, grace=15)
    close = scenario.submission.closes_at
    until = close + 2 * H
    # an extension must outlast the grace period: close + 15 min is not enough
    with pytest.raises(ValidationFailed) as too_short:
        await _grant(db, scenario, late, close + timedelta(minutes=15), clock.now())
    assert set(too_short.value.errors) == {"until"}
    await db.commit()  # nothing was written: committing proves it
    await _grant(db, scenario, late, until, clock.now())

    # within grace both teams are in time
    clock.set(close + timedelta(minutes=14, seconds=59))
    await submit_entry(db, bob, punctual.id, None, fields("In grace"), clock.now())
    await db.commit()
    # after grace only the extended team is
    clock.set(close + timedelta(minutes=15))
    with pytest.raises(SubmissionRefused):
        await submit_entry(db, bob, punctual.id, None, fields("After grace"), clock.now())
    await db.commit()
    clock.set(until - timedelta(microseconds=1))
    await submit_entry(db, ann, late.id, None, fields("Last moment"), clock.now())
    await db.commit()
    # the extension's end is exclusive, and the refusal says when it ended
    clock.set(until)
    with pytest.raises(SubmissionRefused) as ended:
        await submit_entry(db, ann, late.id, None, fields("Too late even so"), clock.now())
    await db.commit()
    assert ended.value.message == "Your extension ended at %(when)s. Your text was kept as a draft."
    assert ended.value.closed_at == until
    assert ended.value.params["when"] == utc_to_local(until, "Europe/Berlin").strftime("%Y-%m-%d %H:%M %Z")
    entry = await first(db, select(Entry).where(Entry.team_id == late.id))
    assert entry.submitted_version == 1 and entry.title == "Too late even so"


async def test_an_extension_outlives_a_close_by_the_scheduler_or_by_hand(db: AsyncSession, clock: FrozenClock) -> None:
    scenario, ann, late, bob, punctual = await setup(db)
    close = scenario.submission.closes_at
    await _grant(db, scenario, late, close + 3 * H, clock.now())
    phase = scenario.submission
    phase.status = PhaseStatus.CLOSED
    await db.commit()
    clock.set(close + H)
    await submit_entry(db, ann, late.id, None, fields("After the close"), clock.now())
    await db.commit()
    with pytest.raises(SubmissionRefused):
        await submit_entry(db, bob, punctual.id, phase.id, fields("No"), clock.now())
    await db.commit()


async def test_bad_requests_are_refused_at_their_field_and_nothing_is_saved(
    db: AsyncSession, clock: FrozenClock
) -> None:
    scenario, _ann, late, _bob, _punctual = await setup(db)
    other = await make_campaign(db, stage="submission", title="Other campaign")
    stranger = await make_team(db, other, await make_user(db, "sam@example.com"), name="Strangers")
    await db.commit()
    organizer = await first(db, select(User).where(User.email == "org@example.com"))
    close, now = scenario.submission.closes_at, clock.now()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"team_id": stranger.id}, "team_id", "Choose a team of this campaign."),
        ({"team_id": None}, "team_id", "Choose a team of this campaign."),
        ({"phase_id": other.submission.id}, "phase_id", "Choose a submission phase of this campaign."),
        ({"phase_id": scenario.judging.id}, "phase_id", "Choose a submission phase of this campaign."),
        ({"until": close - H}, "until", "The extension must end after the phase's deadline, grace period included."),
        ({"until": now - H}, "until", "The extension must end in the future."),
        ({"until": None}, "until", "Enter a valid date and time."),
        ({"reason": "   "}, "reason", "Give the reason for the extension."),
        ({"reason": "x" * 501}, "reason", "The reason can have at most 500 characters."),
    ]
    for change, field, message in cases:
        args: dict[str, Any] = {
            "team_id": late.id,
            "phase_id": scenario.submission.id,
            "until": close + 24 * H,
            "reason": "Ill",
            **change,
        }
        with pytest.raises(ValidationFailed) as refused:
            await grant_extension(db, organizer, now, scenario.campaign, **args)
        assert refused.value.errors.get(field) == message, change
        await db.commit()  # nothing was written: committing proves it
    assert await count(db, Extension) == 0
    assert await count(db, AuditEntry, AuditEntry.action.like("extension.%")) == 0


async def test_only_the_campaigns_organizers_grant_and_revoke(db: AsyncSession, clock: FrozenClock) -> None:
    scenario, ann, late, _bob, _punctual = await setup(db)
    other_org = await make_user(db, "other@example.com")
    await make_campaign(db, organizer=other_org, stage="submission", title="Theirs")
    await db.commit()
    until = scenario.submission.closes_at + 24 * H
    for outsider in (ann, other_org):
        with pytest.raises(NotFound):
            await grant_extension(
                db, outsider, clock.now(), scenario.campaign, late.id, scenario.submission.id, until, "Please"
            )
        await db.commit()  # nothing was written: committing proves it
    extension = await _grant(db, scenario, late, until, clock.now())
    with pytest.raises(NotFound):
        await revoke_extension(db, other_org, clock.now(), scenario.campaign, extension.id)
    await db.commit()  # nothing was written: committing proves it
    assert await count(db, Extension) == 1


async def test_regrant_updates_the_row_revoke_removes_it_both_audited(
    db: AsyncSession, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[Any] = []

    async def spy(session: AsyncSession, event: Any) -> None:
        published.append(event)
        await real_publish(session, event)

    monkeypatch.setattr(extensions_module, "publish", spy)
    scenario, ann, late, _bob, _punctual = await setup(db)
    close = scenario.submission.closes_at
    first_grant = await _grant(db, scenario, late, close + 24 * H, clock.now(), reason="Ill")
    second = await _grant(db, scenario, late, close + 48 * H, clock.now(), reason="Still ill")
    assert second.id == first_grant.id
    assert await count(db, Extension) == 1
    assert await extension_until(db, late.id, scenario.submission.id) == close + 48 * H
    assert [type(e) for e in published] == [ExtensionGranted, ExtensionGranted]
    assert published[-1].extension_id == second.id and published[-1].team_id == late.id

    rows = await rows_of(db, select(AuditEntry).where(AuditEntry.action.like("extension.%")).order_by(AuditEntry.id))
    assert [r.action for r in rows] == ["extension.grant", "extension.update"]
    assert rows[0].before is None and rows[0].after["until"] == (close + 24 * H).isoformat()
    assert rows[1].before == {
        "team_id": late.id,
        "phase_id": scenario.submission.id,
        "until": (close + 24 * H).isoformat(),
        "reason": "Ill",
    }
    assert rows[1].after["until"] == (close + 48 * H).isoformat() and rows[1].after["reason"] == "Still ill"

    organizer = await first(db, select(User).where(User.email == "org@example.com"))
    await revoke_extension(db, organizer, clock.now(), scenario.campaign, second.id)
    await db.commit()
    assert await count(db, Extension) == 0
    revoked = await rows_of(db, select(AuditEntry).where(AuditEntry.action == "extension.revoke"))
    assert len(revoked) == 1 and revoked[0].before["reason"] == "Still ill" and revoked[0].actor_id == organizer.id
    clock.set(close + H)
    with pytest.raises(SubmissionRefused):
        await submit_entry(db, ann, late.id, None, fields(), clock.now())
    await db.commit()


async def test_no_extension_outside_a_published_campaign(db: AsyncSession, clock: FrozenClock) -> None:
    scenario, _ann, late, _bob, _punctual = await setup(db)
    scenario.campaign.status = CampaignStatus.CLOSED
    await db.commit()
    with pytest.raises(Conflict):
        await _grant(db, scenario, late, scenario.submission.closes_at + 24 * H, clock.now())

"""Issue 13: an outcome or a milestone recorded by mistake is corrected or removed, by the same people
as add them; a moved milestone is reminded at its new day, a removed one never."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from core.errors import ValidationFailed
from core.scheduling import ScheduledAction
from incubation.models import IncubationProject, Milestone, OutcomeKind, ProjectOutcome, ProjectStatus
from incubation.project_fields import REMIND_MILESTONE
from incubation.running import OutcomeInput, outcome_values
from notifications.models import Notification, NotificationKind
from tests.conftest import NOW, Browser, Sweeper
from tests.incubation.test_incubation import World, _world
from tests.incubation.test_projects import _members, _propose


async def _approved(db: AsyncSession, browser: Browser) -> tuple[World, IncubationProject]:
    world = await _world(db)
    project = await _propose(db, browser, world)
    await browser.sign_in("exec@example.com")
    assert (
        await browser.post(f"/incubation/projects/{project.id}/decision", {"decision": "approve"})
    ).status_code == 303
    await browser.sign_out()
    return world, project


async def _audit(db: AsyncSession, action: str) -> AuditEntry:
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == action))
    assert entry is not None
    await db.commit()
    return entry


async def test_an_outcome_is_corrected_or_removed_and_the_total_follows(db: AsyncSession, browser: Browser) -> None:
    world, project = await _approved(db, browser)
    base = f"/incubation/projects/{project.id}"
    await browser.sign_in("alice@example.com")
    for day, value in (("2026-03-01", "1000"), ("2026-03-09", "4000")):
        row = {"kind": "cost_saved", "unit": "EUR", "value": value, "measured_on": day}
        assert (await browser.post(f"{base}/outcomes", row)).status_code == 303
    first, second = (await db.scalars(select(ProjectOutcome).order_by(ProjectOutcome.id))).all()
    await db.commit()
    page = (await browser.get(base)).text
    assert "Total to date: 5,000.00" in page and f'action="{base}/outcomes/{first.id}/remove"' in page

    # bad input: the messages next to the row's fields, what was typed kept, nothing changed
    typo = {f"kind_{first.id}": "cost_saved", f"unit_{first.id}": "", f"value_{first.id}": "1.5k"}
    bad = await browser.post(f"{base}/outcomes/{first.id}/fix", typo | {f"measured_on_{first.id}": "2026-04-01"})
    assert bad.status_code == 422 and 'value="1.5k"' in bad.text and f'id="edit-outcome-{first.id}" open' in bad.text
    assert "Enter a number" in bad.text.split(f'id="e-value_{first.id}"', 1)[1].split("</p>", 1)[0]
    assert "Enter the unit" in bad.text.split(f'id="e-unit_{first.id}"', 1)[1].split("</p>", 1)[0]
    assert "in the future" in bad.text.split(f'id="e-measured_on_{first.id}"', 1)[1].split("</p>", 1)[0]
    await db.refresh(first)
    assert first.value == 1000 and first.unit == "EUR"
    await db.commit()

    fixed = {
        f"kind_{first.id}": "hours_saved",
        f"unit_{first.id}": "h",
        f"value_{first.id}": "15",
        f"measured_on_{first.id}": "2026-03-02",
        f"note_{first.id}": "was hours, not euros",
    }
    assert (await browser.post(f"{base}/outcomes/{first.id}/fix", fixed)).status_code == 303
    await db.refresh(first)
    assert (first.kind, first.unit, str(first.value), first.measured_on.isoformat(), first.note) == (
        OutcomeKind.HOURS_SAVED,
        "h",
        "15.00",
        "2026-03-02",
        "was hours, not euros",
    )
    await db.commit()
    audit = await _audit(db, "incubation.outcome_fix")
    assert audit.before is not None and audit.after is not None
    assert (audit.before["value"], audit.before["unit"], audit.after["value"], audit.after["unit"]) == (
        "1000.00",
        "EUR",
        "15.00",
        "h",
    )
    page = (await browser.get(base)).text
    assert "Total to date: 4,000.00" in page and "Total to date: 15.00" in page

    removed = await browser.post(f"{base}/outcomes/{second.id}/remove", {})
    assert removed.status_code == 303 and "The outcome is removed." in (await browser.landing(removed)).text
    assert await db.scalar(select(func.count(ProjectOutcome.id))) == 1
    await db.commit()
    audit = await _audit(db, "incubation.outcome_remove")
    assert audit.after is None and audit.before is not None and audit.before["value"] == "4000.00"
    page = (await browser.get(base)).text
    assert "4,000.00" not in page and "Total to date: 15.00" in page
    assert (await browser.post(f"{base}/outcomes/{second.id}/remove", {})).status_code == 404
    db.expunge(second)  # gone: SQLite may hand its id out again

    # another project's outcome through this project's address: not found, untouched
    other = IncubationProject(
        campaign_id=world.unpublished_winner.campaign_id,
        team_id=world.unpublished_winner.id,
        title="Other",
        status=ProjectStatus.RUNNING,
    )
    db.add(other)
    await db.flush()
    theirs = ProjectOutcome(project_id=other.id, kind=OutcomeKind.REVENUE, unit="EUR", value=7, measured_on=NOW.date())
    db.add(theirs)
    await db.commit()
    theirs_fix = {f"kind_{theirs.id}": "revenue", f"unit_{theirs.id}": "EUR", f"value_{theirs.id}": "9"}
    assert (await browser.post(f"{base}/outcomes/{theirs.id}/fix", theirs_fix)).status_code == 404
    assert (await browser.post(f"{base}/outcomes/{theirs.id}/remove", {})).status_code == 404
    await browser.sign_out()

    # outside the project's scope: 404
    await browser.sign_in("plain@example.com")
    assert (await browser.post(f"{base}/outcomes/{first.id}/fix", fixed)).status_code == 404
    assert (await browser.post(f"{base}/outcomes/{first.id}/remove", {})).status_code == 404
    await browser.sign_out()
    await db.refresh(theirs)
    assert theirs.value == 7 and await db.scalar(select(func.count(ProjectOutcome.id))) == 2


async def test_a_moved_milestone_is_reminded_at_its_new_day_and_a_removed_one_never(
    db: AsyncSession, browser: Browser, sweeper: Sweeper
) -> None:
    world, project = await _approved(db, browser)
    members = await _members(db, world)
    base = f"/incubation/projects/{project.id}"
    pilot = await db.scalar(select(Milestone).where(Milestone.title == "Pilot in one warehouse"))
    roll_out = await db.scalar(select(Milestone).where(Milestone.title == "Roll out"))
    assert pilot is not None and roll_out is not None
    await db.commit()
    await browser.sign_in("alice@example.com")
    early = {
        f"milestone_title_{pilot.id}": "Pilot in two warehouses",
        f"milestone_due_{pilot.id}": "2026-03-01",
        f"milestone_owner_{pilot.id}": "999999",
    }
    bad = await browser.post(f"{base}/milestones/{pilot.id}/fix", early)
    assert bad.status_code == 422 and 'value="Pilot in two warehouses"' in bad.text
    assert "before the project starts" in bad.text.split(f'id="e-milestone_due_{pilot.id}"', 1)[1]
    assert f'id="edit-milestone-{pilot.id}" open' in bad.text
    moved = early | {f"milestone_due_{pilot.id}": "2026-04-10", f"milestone_owner_{pilot.id}": str(members[1])}
    assert (await browser.post(f"{base}/milestones/{pilot.id}/fix", moved)).status_code == 303
    await db.refresh(pilot)
    assert (pilot.title, pilot.due_on.isoformat(), pilot.owner_id) == (
        "Pilot in two warehouses",
        "2026-04-10",
        members[1],
    )
    await db.commit()
    audit = await _audit(db, "incubation.milestone_fix")
    assert audit.before is not None and audit.after is not None
    assert (audit.before["due_on"], audit.after["due_on"]) == ("2026-03-20", "2026-04-10")
    removed = await browser.post(f"{base}/milestones/{roll_out.id}/remove", {})
    assert removed.status_code == 303 and "The milestone is removed." in (await browser.landing(removed)).text
    assert (await _audit(db, "incubation.milestone_remove")).before is not None
    await browser.sign_out()
    assert await db.scalar(select(func.count(Milestone.id))) == 1
    await db.commit()

    async def reminders() -> list[Notification]:
        rows = (
            await db.scalars(select(Notification).where(Notification.kind == NotificationKind.MILESTONE_OVERDUE))
        ).all()
        await db.commit()
        return list(rows)

    await sweeper.at(datetime(2026, 3, 21, 8, 0, tzinfo=UTC))  # the old day is past: nothing
    assert await reminders() == []
    await sweeper.at(datetime(2026, 4, 11, 8, 0, tzinfo=UTC))
    await sweeper.at(datetime(2026, 5, 3, 8, 0, tzinfo=UTC))  # the removed milestone's day: nothing more
    sent = await reminders()
    assert sorted(n.user_id for n in sent) == sorted([members[1], world.executive.id])
    assert {(n.params["milestone"], n.params["due_on"]) for n in sent} == {("Pilot in two warehouses", "2026-04-10")}
    left = (await db.scalars(select(ScheduledAction).where(ScheduledAction.kind == REMIND_MILESTONE))).all()
    assert [a.subject_id for a in left] == [pilot.id]
    await db.commit()

    # moved again after its reminder: reminded once more, for the new day; a done one is not changed
    await browser.sign_in("alice@example.com")  # months later: a fresh session
    later = moved | {f"milestone_due_{pilot.id}": "2026-06-01"}
    assert (await browser.post(f"{base}/milestones/{pilot.id}/fix", later)).status_code == 303
    await sweeper.at(datetime(2026, 6, 2, 8, 0, tzinfo=UTC))
    await sweeper.at(datetime(2026, 6, 2, 9, 0, tzinfo=UTC))
    assert len(await reminders()) == 4
    await browser.sign_out()
    await browser.sign_in("alice@example.com")  # months later: a fresh session
    assert (await browser.post(f"{base}/milestones/{pilot.id}/done", {"done": "1"})).status_code == 303
    refused = await browser.post(f"{base}/milestones/{pilot.id}/remove", {})
    assert "open it again to change it" in (await browser.landing(refused)).text
    assert await db.scalar(select(func.count(Milestone.id))) == 1
    await db.commit()
    await browser.sign_out()
    # outside the scope: 404
    await browser.sign_in("plain@example.com")
    assert (await browser.post(f"{base}/milestones/{pilot.id}/fix", later)).status_code == 404


@given(st.text(max_size=12), st.text(max_size=50), st.text(max_size=12), st.text(max_size=12), st.text(max_size=600))
def test_typed_outcome_is_checked_or_refused_with_messages_named_for_the_row(
    kind: str, unit: str, value: str, day: str, note: str
) -> None:
    """Whatever is typed: the checked values, or a refusal whose every message names a field of row 7."""
    try:
        found = outcome_values(OutcomeInput(kind, unit, value, day, note), NOW, suffix="_7")
    except ValidationFailed as refused:
        assert refused.errors and all(key.endswith("_7") for key in refused.errors)
    else:
        assert found[1] == unit.strip() and 0 < len(found[1]) <= 40 and found[3] <= NOW.date()

"""Issue 13: proposals by the team, decisions, the running project, overdue reminders exactly once."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from incubation.models import (
    IncubationProject,
    Milestone,
    OutcomeKind,
    ProjectOutcome,
    ProjectStatus,
    ProjectUpdate,
)
from incubation.rules import ACTIVE, FINAL, TRANSITIONS, can_move, is_overdue, overdue_at
from notifications.models import Notification, NotificationKind
from teams.models import Team
from tests.conftest import NOW, Browser, QueryCounter, Sweeper
from tests.incubation.test_incubation import World, _world

STATUSES = st.sampled_from(list(ProjectStatus))


@given(STATUSES, STATUSES)
def test_status_moves_forward_only_and_final_statuses_stay(current: ProjectStatus, target: ProjectStatus) -> None:
    if current in FINAL:
        assert not can_move(current, target)
    if can_move(current, target):
        assert target is not ProjectStatus.PROPOSED and target is not current
    assert set(TRANSITIONS[ProjectStatus.PROPOSED]) == {ProjectStatus.APPROVED, ProjectStatus.DECLINED}


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60),
    STATUSES,
    st.booleans(),
    st.sampled_from(["UTC", "Asia/Shanghai", "America/Los_Angeles"]),
)
def test_overdue_after_the_due_day_in_the_campaign_zone(
    due: date, minutes: int, status: ProjectStatus, done: bool, tz: str
) -> None:
    moment = overdue_at(due, tz) + timedelta(minutes=minutes)
    expected = not done and status in ACTIVE and minutes >= 0
    assert is_overdue(due, done, status, moment, tz) is expected


def _proposal(team: Team, members: list[int], **overrides: str) -> dict[str, str]:
    return {
        "team_id": str(team.id),
        "title": "Right-size boxes everywhere",
        "description": "Roll out",
        "sponsor_email": "exec@example.com",
        "budget_requested": "48000",
        "team_hours": "4",
        "starts_on": "2026-03-10",
        "kpi_name": "Packaging cost",
        "kpi_unit": "EUR",
        "kpi_baseline": "120000",
        "kpi_target": "80000",
        "milestone_title_0": "Pilot in one warehouse",
        "milestone_due_0": "2026-03-20",
        "milestone_owner_0": str(members[0]),
        "milestone_title_1": "Roll out",
        "milestone_due_1": "2026-05-01",
        "milestone_owner_1": str(members[1]),
        **overrides,
    }


async def _members(db: AsyncSession, world: World) -> list[int]:
    from incubation.reads import team_members

    ids = [u.id for u in await team_members(db, world.winner.id)]
    await db.commit()
    return ids


async def _propose(db: AsyncSession, browser: Browser, world: World) -> IncubationProject:
    await browser.sign_in("bob@example.com")  # a member, not the captain
    assert f"/incubation/projects/new?team_id={world.winner.id}" in (await browser.get("/incubation/propose")).text
    members = await _members(db, world)
    response = await browser.post("/incubation/projects", _proposal(world.winner, members))
    assert response.status_code == 303, response.text
    await browser.sign_out()
    project = await db.scalar(select(IncubationProject))
    assert project is not None
    await db.commit()
    return project


async def test_team_proposes_executive_grants_less_team_is_told(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    project = await _propose(db, browser, world)
    assert project.status is ProjectStatus.PROPOSED and project.budget_approved is None
    assert project.kpi_unit == "EUR" and str(project.team_hours_per_week) == "4.0"
    assert await db.scalar(select(func.count(Milestone.id))) == 2
    told = await db.scalar(select(Notification).where(Notification.kind == NotificationKind.PROJECT_PROPOSED))
    assert told is not None and told.user_id == world.executive.id
    await db.commit()

    await browser.sign_in("exec@example.com")
    queue = (await browser.get("/incubation")).text
    assert "Proposals waiting for a decision" in queue and f"/incubation/projects/{project.id}" in queue
    # above the ask without the box: refused, typed values kept, nothing saved
    over = await browser.post(
        f"/incubation/projects/{project.id}/decision", {"decision": "approve", "budget_granted": "50000"}
    )
    assert over.status_code == 422 and 'value="50000"' in over.text
    assert "tick the box" in over.text.split('id="e-budget_granted"', 1)[1].split("</p>", 1)[0]
    bad = await browser.post(
        f"/incubation/projects/{project.id}/decision", {"decision": "approve", "budget_granted": "-3"}
    )
    assert bad.status_code == 422 and "0 or more" in bad.text
    await db.refresh(project)
    assert project.status is ProjectStatus.PROPOSED
    await db.commit()
    ok = await browser.post(
        f"/incubation/projects/{project.id}/decision", {"decision": "approve", "budget_granted": "30000"}
    )
    assert ok.status_code == 303
    await db.refresh(project)
    assert project.status.value == "approved" and str(project.budget_approved) == "30000.00"
    decided = (
        await db.scalars(select(Notification).where(Notification.kind == NotificationKind.PROJECT_DECIDED))
    ).all()
    assert sorted(n.user_id for n in decided) == sorted(await _members(db, world))
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "incubation.approve"))
    assert audit is not None and audit.before is not None and audit.before["status"] == "proposed"
    await db.commit()

    # the team runs it: update, tick, outcome; bad outcome input is shown next to the field
    await browser.sign_out()
    await browser.sign_in("alice@example.com")
    base = f"/incubation/projects/{project.id}"
    assert (await browser.post(f"{base}/updates", {"body": "Pilot **started**"})).status_code == 303
    milestone = await db.scalar(select(Milestone).order_by(Milestone.id))
    assert milestone is not None
    await db.commit()
    assert (await browser.post(f"{base}/milestones/{milestone.id}/done", {"done": "1"})).status_code == 303
    no_unit = await browser.post(
        f"{base}/outcomes", {"kind": "cost_saved", "unit": "", "value": "1200", "measured_on": "2026-03-09"}
    )
    assert no_unit.status_code == 422 and 'value="1200"' in no_unit.text
    assert "Enter the unit" in no_unit.text.split('id="e-unit"', 1)[1]
    nan = await browser.post(
        f"{base}/outcomes", {"kind": "cost_saved", "unit": "EUR", "value": "lots", "measured_on": "2026-03-09"}
    )
    assert nan.status_code == 422 and "Enter a number" in nan.text.split('id="e-value"', 1)[1]
    for day, value in (("2026-03-01", "1000"), ("2026-03-09", "4000")):
        done = await browser.post(
            f"{base}/outcomes", {"kind": "cost_saved", "unit": "EUR", "value": value, "measured_on": day}
        )
        assert done.status_code == 303
    early = await browser.post(
        f"{base}/milestones", {"milestone_title": "Too early", "milestone_due": "2026-03-01", "milestone_owner": ""}
    )
    assert early.status_code == 422 and 'value="Too early"' in early.text
    assert "before the project starts" in early.text
    page = (await browser.get(base)).text
    assert "<polyline" in page and "4,000.00" in page and "<strong>started</strong>" in page
    assert "Total to date: 5,000.00" in page  # the realised value is the sum of the outcomes
    assert await db.scalar(select(func.count(ProjectOutcome.id))) == 2
    assert await db.scalar(select(func.count(ProjectUpdate.id))) == 1
    assert await db.scalar(select(func.count(Milestone.id))) == 2
    await db.refresh(milestone)
    assert milestone.done_at == NOW

    # exports: the project's outcomes for the team, every project for executives
    outcomes = await browser.get(f"{base}/outcomes/outcomes.csv")
    lines = outcomes.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Measured on,Kind,Unit,Value") and lines[1:] == [
        "2026-03-01,Cost saved,EUR,1000.0,",
        "2026-03-09,Cost saved,EUR,4000.0,",
    ]
    assert (await browser.get(f"{base}/outcomes/outcomes.pdf")).status_code == 404
    assert (await browser.get("/incubation/export/projects.xlsx")).status_code == 403
    await browser.sign_out()
    await browser.sign_in("exec@example.com")
    book = load_workbook(io.BytesIO((await browser.get("/incubation/export/projects.xlsx")).content), read_only=True)
    rows = list(book.worksheets[0].values)
    assert rows[0][0] == "Project" and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Status"] == "Approved" and row["Budget granted"] == 30000 and row["Realised"] == "5,000.00 EUR"
    assert (row["Milestones done"], row["Milestones"]) == (1, 2)


async def test_bad_proposals_and_a_second_one_are_refused(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    members = await _members(db, world)
    await browser.sign_in("bob@example.com")
    early = await browser.post(
        "/incubation/projects", _proposal(world.winner, members, milestone_due_0="2026-03-01", budget_requested="x")
    )
    assert early.status_code == 422
    assert "before the project starts" in early.text.split('id="e-milestone_due_0"', 1)[1].split("</p>", 1)[0]
    assert "0 or more" in early.text.split('id="e-budget_requested"', 1)[1].split("</p>", 1)[0]
    assert 'value="Pilot in one warehouse"' in early.text
    loser = await browser.post("/incubation/projects", _proposal(world.loser, members))
    assert loser.status_code == 422 and "Only a team that won an award" in loser.text
    assert await db.scalar(select(func.count(IncubationProject.id))) == 0
    assert await db.scalar(select(func.count(Milestone.id))) == 0
    await db.commit()
    assert (await browser.post("/incubation/projects", _proposal(world.winner, members))).status_code == 303
    again = await browser.post("/incubation/projects", _proposal(world.winner, members, title="Again"))
    assert again.status_code == 409 and "already proposed" in again.text and 'value="Again"' in again.text
    # outsiders: not a member of the winning team
    await browser.sign_out()
    await browser.sign_in("plain@example.com")
    project = await db.scalar(select(IncubationProject))
    assert project is not None
    await db.commit()
    assert (await browser.get(f"/incubation/projects/{project.id}")).status_code == 404
    assert (await browser.post(f"/incubation/projects/{project.id}/updates", {"body": "hi"})).status_code == 404


async def test_decline_needs_a_reason_and_is_final(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    project = await _propose(db, browser, world)
    await browser.sign_in("exec@example.com")
    url = f"/incubation/projects/{project.id}/decision"
    bare = await browser.post(url, {"decision": "decline", "reason": ""})
    assert bare.status_code == 422 and "Give the reason" in bare.text
    assert (await browser.post(url, {"decision": "decline", "reason": "Not now"})).status_code == 303
    await db.refresh(project)
    assert project.status is ProjectStatus.DECLINED and project.decline_reason == "Not now"
    told = await db.scalar(select(Notification).where(Notification.kind == NotificationKind.PROJECT_DECIDED))
    assert told is not None and told.params["reason"] == "Not now"
    await db.commit()
    assert (await browser.post(url, {"decision": "approve"})).status_code == 409


async def test_overdue_milestone_reminded_exactly_once(db: AsyncSession, browser: Browser, sweeper: Sweeper) -> None:
    world = await _world(db)
    project = await _propose(db, browser, world)
    await browser.sign_in("exec@example.com")
    await browser.post(f"/incubation/projects/{project.id}/decision", {"decision": "approve"})
    await browser.sign_out()
    members = await _members(db, world)
    # before the end of the due day in the campaign's zone: nothing
    await sweeper.at(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    assert (
        await db.scalar(
            select(func.count(Notification.id)).where(Notification.kind == NotificationKind.MILESTONE_OVERDUE)
        )
        == 0
    )
    await db.commit()
    late = datetime(2026, 3, 21, 8, 0, tzinfo=UTC)
    await sweeper.at(late)
    await sweeper.at(late + timedelta(hours=1))  # the sweep runs again: no second reminder
    rows = (await db.scalars(select(Notification).where(Notification.kind == NotificationKind.MILESTONE_OVERDUE))).all()
    assert sorted(n.user_id for n in rows) == sorted([members[0], world.executive.id])
    assert {n.params["milestone"] for n in rows} == {"Pilot in one warehouse"}
    roll_out = await db.scalar(select(Milestone).where(Milestone.title == "Roll out"))
    assert roll_out is not None
    await db.commit()
    # a milestone done in time is never reminded
    await browser.sign_in("alice@example.com")
    ticked = await browser.post(f"/incubation/projects/{project.id}/milestones/{roll_out.id}/done", {"done": "1"})
    assert ticked.status_code == 303
    await browser.sign_out()
    await sweeper.at(datetime(2026, 5, 3, 8, 0, tzinfo=UTC))
    assert (
        await db.scalar(
            select(func.count(Notification.id)).where(Notification.kind == NotificationKind.MILESTONE_OVERDUE)
        )
        == 2
    )
    await db.commit()
    await browser.sign_in("alice@example.com")
    page = (await browser.get(f"/incubation/projects/{project.id}")).text
    assert "Overdue" in page


async def _grow(db: AsyncSession, project: IncubationProject, owner: int, n: int) -> None:
    for k in range(n):
        day = date(2026, 3, 11) + timedelta(days=k)
        db.add(Milestone(project_id=project.id, title=f"Step {k}", due_on=day, owner_id=owner))
        db.add(ProjectUpdate(project_id=project.id, author_id=owner, at=NOW - timedelta(hours=k), body=f"Note {k}"))
        db.add(
            ProjectOutcome(
                project_id=project.id, kind=OutcomeKind.COST_SAVED, unit="EUR", value=Decimal(k), measured_on=day
            )
        )
    await db.commit()


async def test_project_page_and_queue_send_as_many_statements_whatever_the_data(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    world = await _world(db)
    project = await _propose(db, browser, world)
    owner = (await _members(db, world))[0]
    await browser.sign_in("exec@example.com")
    counts = []
    for n in (2, 20):
        await _grow(db, project, owner, n)
        for url in (f"/incubation/projects/{project.id}", "/incubation"):
            assert (await browser.get(url)).status_code == 200
            queries.reset()
            assert (await browser.get(url)).status_code == 200
            counts.append(queries.count)
    assert counts[:2] == counts[2:], counts


async def test_a_proposal_racing_another_hits_the_unique_key(
    db: AsyncSession, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two proposals at the same moment: both pass the look-up, the unique key refuses the second."""
    from incubation import proposals

    world = await _world(db)
    await _propose(db, browser, world)

    async def not_yet(_session: AsyncSession, _team_id: int) -> bool:
        return False

    monkeypatch.setattr(proposals, "_taken", not_yet)
    members = await _members(db, world)
    await browser.sign_in("alice@example.com")
    again = await browser.post("/incubation/projects", _proposal(world.winner, members, title="Same time"))
    assert again.status_code == 409 and "already proposed" in again.text and 'value="Same time"' in again.text
    assert await db.scalar(select(func.count(IncubationProject.id))) == 1
    assert await db.scalar(select(func.count(Milestone.id))) == 2


def test_typed_days_and_amounts() -> None:
    from incubation.rules import parse_day, parse_hours, parse_value

    assert parse_day("2026-03-10") == date(2026, 3, 10)
    assert parse_day("9999-12-31") is None and parse_day("0001-01-01") is None and parse_day("soon") is None
    assert parse_value("-1,200.5") == Decimal("-1200.50") and parse_value("1.234") is None and parse_value("x") is None
    assert parse_hours("4.5") == Decimal("4.5") and parse_hours("169") is None and parse_hours("-1") is None


async def test_an_organizer_proposes_and_sees_the_project(db: AsyncSession, browser: Browser) -> None:
    from campaigns.models import CampaignRole, CampaignRoleKind
    from tests.factories import make_user

    world = await _world(db)
    organizer = await make_user(db, "org@example.com", name="Olga")
    db.add(CampaignRole(campaign_id=world.winner.campaign_id, user_id=organizer.id, role=CampaignRoleKind.ORGANIZER))
    other = await make_user(db, "other-org@example.com")
    db.add(
        CampaignRole(
            campaign_id=world.unpublished_winner.campaign_id, user_id=other.id, role=CampaignRoleKind.ORGANIZER
        )
    )
    await db.commit()
    members = await _members(db, world)
    await browser.sign_in("other-org@example.com")  # organizes another campaign: out of scope
    assert (await browser.get(f"/incubation/projects/new?team_id={world.winner.id}")).status_code == 404
    assert (await browser.post("/incubation/projects", _proposal(world.winner, members))).status_code == 404
    await browser.sign_out()
    await browser.sign_in("org@example.com")
    campaign_page = (await browser.get(f"/campaigns/{world.winner.campaign_id}")).text
    assert 'href="/incubation/propose"' in campaign_page  # results are out: the organizer is shown the way
    listed = (await browser.get("/incubation/propose")).text
    assert f"/incubation/projects/new?team_id={world.winner.id}" in listed and "Too Early" not in listed
    assert (await browser.get(f"/incubation/projects/new?team_id={world.winner.id}")).status_code == 200
    created = await browser.post("/incubation/projects", _proposal(world.winner, members))
    assert created.status_code == 303
    page = await browser.landing(created)
    assert page.status_code == 200 and "The proposal is sent." in page.text
    project = await db.scalar(select(IncubationProject))
    assert project is not None and project.status is ProjectStatus.PROPOSED and project.proposed_by_id == organizer.id
    await db.commit()
    # an organizer follows the project but does not run it
    refused = await browser.post(f"/incubation/projects/{project.id}/updates", {"body": "hi"})
    assert "Only the team and the sponsor update a project." in (await browser.landing(refused)).text
    assert await db.scalar(select(func.count(ProjectUpdate.id))) == 0


async def test_stopping_needs_a_reason(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    project = await _propose(db, browser, world)
    await browser.sign_in("exec@example.com")
    await browser.post(f"/incubation/projects/{project.id}/decision", {"decision": "approve"})
    url = f"/incubation/projects/{project.id}/status"
    assert (await browser.post(url, {"status": "running"})).status_code == 303
    bare = await browser.post(url, {"status": "stopped", "reason": " "})
    assert bare.status_code == 422 and "Give the reason" in bare.text.split('id="e-reason"', 1)[1]
    await db.refresh(project)
    assert project.status.value == "running" and project.started_at == NOW
    await db.commit()
    assert (await browser.post(url, {"status": "stopped", "reason": "Budget cut"})).status_code == 303
    await db.refresh(project)
    assert project.status.value == "stopped" and project.stop_reason == "Budget cut" and project.ended_at == NOW
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "incubation.stopped"))
    assert audit is not None and audit.reason == "Budget cut" and audit.after is not None
    assert audit.after["stop_reason"] == "Budget cut"


def test_the_chart_draws_the_running_total_and_the_target_in_the_same_unit() -> None:
    from web.outcome_chart import HEIGHT, PAD_TOP, build_series

    rows = [
        ProjectOutcome(id=i, kind=OutcomeKind.COST_SAVED, unit="EUR", value=Decimal(v), measured_on=date(2026, 1, d))
        for i, (v, d) in enumerate([("100", 1), ("300", 11), ("-50", 21)], start=1)
    ]
    rows.append(
        ProjectOutcome(id=9, kind=OutcomeKind.HOURS_SAVED, unit="h", value=Decimal(5), measured_on=date(2026, 1, 5))
    )
    money, hours = build_series(rows, "EUR", Decimal(1000))
    assert [p.value for p in money.points] == [Decimal(100), Decimal(400), Decimal(350)]
    assert [p.x for p in money.points] == sorted(p.x for p in money.points)
    assert money.target_y == PAD_TOP  # the target is the highest value
    assert hours.target_y is None and 0 <= hours.points[0].y <= HEIGHT
    assert build_series([]) == []

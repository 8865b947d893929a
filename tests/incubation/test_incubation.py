"""Incubation through HTTP: winners become projects, move along their life, every decision audited."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import AuditEntry
from incubation.models import IncubationProject, ProjectStatus
from incubation.rules import parse_budget
from judging.models import Award
from teams.models import Team
from tests.conftest import NOW, Browser
from tests.factories import Stage, make_campaign, make_team, make_user


@dataclass
class World:
    executive: User
    winner: Team
    loser: Team
    unpublished_winner: Team


async def _award(db: AsyncSession, team: Team, name: str = "Best idea") -> None:
    db.add(Award(campaign_id=team.campaign_id, challenge_id=team.challenge_id, name=name, team_id=team.id))
    await db.flush()


async def _world(db: AsyncSession, stage: Stage = "results") -> World:
    executive = await make_user(db, "exec@example.com", name="Helen Zhou", executive=True)
    await make_user(db, "exec2@example.com", name="Second Exec", executive=True)
    await make_user(db, "plain@example.com", name="Plain Person")
    past = await make_campaign(db, stage=stage, title="Autumn Cost Challenge")
    alice = await make_user(db, "alice@example.com", name="Alice")
    bob = await make_user(db, "bob@example.com", name="Bob")
    winner = await make_team(db, past, alice, members=[bob], name="Right-Size Boxes")
    loser = await make_team(db, past, await make_user(db, "carol@example.com"), name="Tape Less")
    await _award(db, winner, "Winner: packaging")
    await _award(db, winner, "Best customer impact")
    running = await make_campaign(db, stage="judging", title="Running Challenge")
    unpublished_winner = await make_team(db, running, await make_user(db, "dave@example.com"), name="Too Early")
    await _award(db, unpublished_winner)
    await db.commit()
    return World(executive, winner, loser, unpublished_winner)


async def _status(db: AsyncSession, project: IncubationProject) -> ProjectStatus:
    await db.refresh(project)
    return project.status


def _form(team: Team, **overrides: str) -> dict[str, str]:
    return {
        "team_id": str(team.id),
        "title": "Right-size boxes everywhere",
        "description": "Roll out to **all** warehouses.",
        "sponsor_email": "",
        "budget_requested": "48,000.50",
        "budget_approved": "40000",
        **overrides,
    }


async def _projects(db: AsyncSession) -> int:
    count = await db.scalar(select(func.count(IncubationProject.id))) or 0
    await db.commit()
    return count


async def test_approval_journey_with_audit(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    await browser.sign_in("exec@example.com")
    overview = (await browser.get("/incubation")).text
    assert "Right-Size Boxes" in overview and "Winner: packaging, Best customer impact" in overview
    assert f"/incubation/projects/new?team_id={world.winner.id}" in overview
    assert "Tape Less" not in overview and "Too Early" not in overview
    form = (await browser.get(f"/incubation/projects/new?team_id={world.winner.id}")).text
    assert "Autumn Cost Challenge" in form and 'value="exec@example.com"' in form

    response = await browser.post("/incubation/projects", _form(world.winner))
    assert response.status_code == 303, response.text
    project = await db.scalar(select(IncubationProject))
    assert project is not None
    assert response.headers["location"] == f"/incubation/projects/{project.id}"
    assert project.status is ProjectStatus.APPROVED
    assert project.sponsor_id == world.executive.id and project.approved_by_id == world.executive.id
    assert project.approved_at == NOW
    assert project.budget_requested == Decimal("48000.50") and project.budget_approved == Decimal("40000.00")
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "incubation.approve"))
    assert audit is not None and audit.actor_id == world.executive.id and audit.subject_id == project.id
    assert audit.before is None and audit.after is not None
    assert audit.after["status"] == "approved" and audit.after["budget_approved"] == "40000.00"
    assert audit.campaign_id == world.winner.campaign_id
    await db.commit()

    page = (await browser.get(f"/incubation/projects/{project.id}")).text
    assert "Right-size boxes everywhere" in page and "<strong>all</strong>" in page
    assert "48,000.50" in page and "Helen Zhou" in page and "Alice" in page and "Bob" in page
    overview = (await browser.get("/incubation")).text
    assert "Right-size boxes everywhere" in overview
    assert f"/incubation/projects/new?team_id={world.winner.id}" not in overview  # no longer waiting

    # one project per team
    again = await browser.post("/incubation/projects", _form(world.winner, title="Second try"))
    assert again.status_code == 409 and "already proposed for incubation" in again.text
    assert 'value="Second try"' in again.text
    assert await _projects(db) == 1

    # along its life, each step audited with before and after
    for target in ("running", "implemented"):
        step = await browser.post(f"/incubation/projects/{project.id}/status", {"status": target, "reason": "Go"})
        assert step.status_code == 303
    assert await _status(db, project) is ProjectStatus.IMPLEMENTED
    steps = (
        await db.scalars(select(AuditEntry).where(AuditEntry.action.like("incubation.%")).order_by(AuditEntry.id))
    ).all()
    assert [s.action for s in steps] == ["incubation.approve", "incubation.running", "incubation.implemented"]
    assert steps[2].before is not None and steps[2].before["status"] == "running"
    assert steps[2].after is not None and steps[2].after["status"] == "implemented" and steps[2].reason == "Go"
    await db.commit()

    # implemented is final
    refused = await browser.post(f"/incubation/projects/{project.id}/status", {"status": "running"})
    assert "cannot become" in (await browser.landing(refused)).text
    refused = await browser.post(f"/incubation/projects/{project.id}/status", {"status": "bogus"})
    assert refused.status_code == 422
    assert await _status(db, project) is ProjectStatus.IMPLEMENTED


async def test_propose_then_approve_later(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    await browser.sign_in("exec@example.com")
    data = _form(world.winner, decision="propose", budget_approved="", sponsor_email="EXEC2@example.com")
    response = await browser.post("/incubation/projects", data)
    assert response.status_code == 303
    project = await db.scalar(select(IncubationProject))
    assert project is not None and project.status is ProjectStatus.PROPOSED
    assert project.approved_by_id is None and project.budget_approved is None
    sponsor = await db.scalar(select(User).where(User.email == "exec2@example.com"))
    assert sponsor is not None and project.sponsor_id == sponsor.id
    await db.commit()
    # proposed cannot jump to running
    jump = await browser.post(f"/incubation/projects/{project.id}/status", {"status": "running"})
    assert "cannot become" in (await browser.landing(jump)).text
    assert (await browser.post(f"/incubation/projects/{project.id}/status", {"status": "approved"})).status_code == 303
    assert await _status(db, project) is ProjectStatus.APPROVED
    assert project.approved_by_id == world.executive.id
    assert project.budget_approved == project.budget_requested  # approving without an amount approves the request


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"budget_requested": "-5"}, "budget_requested", "0 or more"),
        ({"budget_requested": "12.345"}, "budget_requested", "at most two decimals"),
        ({"budget_requested": "lots"}, "budget_requested", "0 or more"),
        ({"budget_approved": "50000"}, "budget_approved", "above the budget asked: tick the box"),
        ({"sponsor_email": "plain@example.com"}, "sponsor_email", "must be an active executive"),
        ({"sponsor_email": "nobody@example.com"}, "sponsor_email", "must be an active executive"),
        ({"sponsor_email": "ex\u0435c@example.com"}, "sponsor_email", "mixes letters of different alphabets"),
    ],
)
async def test_bad_project_input_is_shown_next_to_the_field(
    db: AsyncSession, browser: Browser, overrides: dict[str, str], field: str, message: str
) -> None:
    world = await _world(db)
    await browser.sign_in("exec@example.com")
    response = await browser.post("/incubation/projects", _form(world.winner, **overrides))
    assert response.status_code == 422
    error = response.text.split(f'id="e-{field}"', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert 'value="48,000.50"' in response.text or field == "budget_requested"
    assert await _projects(db) == 0


@pytest.mark.parametrize("which", ["loser", "unpublished_winner", "missing"])
async def test_only_award_winners_of_published_campaigns_enter_incubation(
    db: AsyncSession, browser: Browser, which: str
) -> None:
    world = await _world(db)
    await browser.sign_in("exec@example.com")
    data = _form(world.winner)
    data["team_id"] = "999999" if which == "missing" else str(getattr(world, which).id)
    response = await browser.post("/incubation/projects", data)
    assert response.status_code == 422
    assert "Only a team that won an award" in response.text
    assert await _projects(db) == 0


async def test_participants_are_kept_out_and_team_members_see_their_project(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    await browser.sign_in("exec@example.com")
    await browser.post("/incubation/projects", _form(world.winner))
    await browser.sign_out()
    project = await db.scalar(select(IncubationProject))
    assert project is not None
    await db.commit()

    await browser.sign_in("plain@example.com")
    assert (await browser.get("/incubation")).status_code == 403
    assert (await browser.get(f"/incubation/projects/new?team_id={world.winner.id}")).status_code == 404
    assert (await browser.post("/incubation/projects", _form(world.winner))).status_code == 404
    assert (await browser.get(f"/incubation/projects/{project.id}")).status_code == 404
    assert (await browser.get("/incubation/projects/999999")).status_code == 404
    status = await browser.post(f"/incubation/projects/{project.id}/status", {"status": "running"})
    assert status.status_code == 403
    await browser.sign_out()

    await browser.sign_in("bob@example.com")  # a member of the winning team
    page = await browser.get(f"/incubation/projects/{project.id}")
    assert page.status_code == 200 and "Right-size boxes everywhere" in page.text
    assert "/status" not in page.text  # no decision buttons for the team
    home = (await browser.get("/")).text
    assert f'href="/incubation/projects/{project.id}"' in home
    await db.refresh(project)
    assert project.status is ProjectStatus.APPROVED


def test_parse_budget() -> None:
    cases: dict[str, Any] = {
        "0": Decimal("0.00"),
        "12 500.5": Decimal("12500.50"),
        "1,000,000": Decimal("1000000.00"),
        "-1": None,
        "1.001": None,
        "NaN": None,
        "1e400": None,
        "": None,
        "9999999999999": None,
    }
    for raw, expected in cases.items():
        assert parse_budget(raw) == expected, raw


async def test_form_without_a_team_and_a_project_page_with_its_decisions(db: AsyncSession, browser: Browser) -> None:
    world = await _world(db)
    await browser.sign_in("exec@example.com")
    blank = await browser.get("/incubation/projects/new")
    assert blank.status_code == 200 and 'name="title"' in blank.text
    wrong = await browser.get(f"/incubation/projects/new?team_id={world.loser.id}")
    assert wrong.status_code == 200 and "Only a team that won an award" in wrong.text
    await browser.post("/incubation/projects", _form(world.winner))
    project = await db.scalar(select(IncubationProject))
    assert project is not None
    await db.commit()
    page = (await browser.get(f"/incubation/projects/{project.id}")).text
    assert 'value="running"' in page and 'value="stopped"' in page and 'value="implemented"' not in page

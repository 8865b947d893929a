"""The dashboard, its exports and the innovation record send as many SQL statements at 400 entries
as at 50 (as tests/web/test_query_counts.py for the other pages), with incubation projects,
milestones and outcomes growing with them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from incubation.models import IncubationProject, Milestone, OutcomeKind, ProjectOutcome, ProjectStatus
from teams.models import Team
from tests.conftest import Browser, QueryCounter
from tests.factories import make_department, make_user
from tests.scale import CAPTAIN, ScaleWorld
from tests.web.test_query_counts import LARGE, SMALL, _count

EXEC = "exec@example.com"

PAGES = [
    pytest.param(EXEC, "/dashboard", id="dashboard"),
    pytest.param(EXEC, "/dashboard?department={department}&start=2026-01-01&end=2026-12-31", id="dashboard-filtered"),
    pytest.param(EXEC, "/dashboard/export?figure=trends&format=xlsx", id="dashboard-export"),
    pytest.param(EXEC, "/dashboard/export?figure=targets", id="dashboard-export-targets"),
    pytest.param(CAPTAIN, "/me/record", id="own-record"),
    pytest.param(EXEC, "/people/{judge}/record", id="judge-record"),
]


async def _incubate(db: AsyncSession, world: ScaleWorld, count: int) -> None:
    """Makes ``count`` more teams (Alice's first) running projects with two outcomes in two units
    and a milestone each (a few statements in all)."""
    taken = select(IncubationProject.team_id)
    teams = (
        await db.scalars(
            select(Team.id)
            .where(Team.campaign_id == world.scenario.campaign.id, Team.id.not_in(taken))
            .order_by(Team.id != world.team.id, Team.id)
            .limit(count)
        )
    ).all()
    await db.execute(
        insert(IncubationProject),
        [
            {
                "campaign_id": world.scenario.campaign.id,
                "team_id": t,
                "title": f"Project {t}",
                "status": ProjectStatus.RUNNING,
                "budget_requested": Decimal(1000),
                "kpi_name": "Savings",
                "kpi_unit": "EUR",
                "kpi_target": Decimal(5000),
            }
            for t in teams
        ],
    )
    projects = (await db.scalars(select(IncubationProject.id).where(IncubationProject.team_id.in_(teams)))).all()
    await db.execute(
        insert(ProjectOutcome),
        [
            {"project_id": p, "kind": kind, "unit": unit, "value": Decimal(100), "measured_on": date(2026, 1, 5)}
            for p in projects
            for kind, unit in ((OutcomeKind.COST_SAVED, "EUR"), (OutcomeKind.HOURS_SAVED, "h"))
        ],
    )
    await db.execute(
        insert(Milestone), [{"project_id": p, "title": "Pilot", "due_on": date(2026, 2, 1)} for p in projects]
    )
    await db.commit()


@pytest.mark.parametrize(("who", "template"), PAGES)
async def test_a_page_sends_as_many_statements_at_400_entries_as_at_50(
    db: AsyncSession, browser: Browser, queries: QueryCounter, who: str, template: str
) -> None:
    world = await ScaleWorld.build(db)
    department = await make_department(db, "Ops")
    await make_user(db, EXEC, executive=True, department=department)
    await world.grow(db, SMALL)
    await _incubate(db, world, 5)
    await db.commit()
    await browser.sign_in(who)
    url = template.format(department=department.id, judge=world.judges[0].id)
    small, small_statements = await _count(browser, queries, url)
    await world.grow(db, LARGE)
    await _incubate(db, world, 40)
    large, large_statements = await _count(browser, queries, url)
    print(f"{url}: {small} statements at {SMALL} entries, {large} at {LARGE}")
    assert large == small, "\n".join(["at 50:", *small_statements, "at 400:", *large_statements])

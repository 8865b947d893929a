"""The dashboard's SQL for incubation: projects and budgets by status, realised value by kind and
unit, and realised value against the KPI targets, each grouped per campaign in one statement,
within the dashboard's scope (``insights.queries.Scope``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    distinct,
    exists,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from incubation.models import IncubationProject, ProjectOutcome, ProjectStatus
from insights.queries import Scope, in_department, incubated, scoped
from teams.models import Membership


def money(value: Any) -> Decimal:
    """A sum of money as the database returns it (SQLite: a float), to the cent."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _projects_in_department(query: Select[Any], scope: Scope) -> Select[Any]:
    """With a department: the projects of teams with a member from it."""
    if scope.department_id is None:
        return query
    return query.where(
        exists()
        .where(Membership.team_id == IncubationProject.team_id, User.id == Membership.user_id)
        .where(in_department(User, scope))
    )


async def projects_per_campaign(
    session: AsyncSession, scope: Scope
) -> dict[int, dict[str, tuple[int, Decimal, Decimal]]]:
    """Per campaign and project status: (projects, budget requested, budget approved)."""
    query = (
        select(
            IncubationProject.campaign_id,
            IncubationProject.status,
            func.count(IncubationProject.id),
            func.sum(IncubationProject.budget_requested),
            func.sum(func.coalesce(IncubationProject.budget_approved, 0)),
        )
        .where(IncubationProject.campaign_id.in_(scoped(scope)))
        .group_by(IncubationProject.campaign_id, IncubationProject.status)
    )
    query = _projects_in_department(query, scope)
    found: dict[int, dict[str, tuple[int, Decimal, Decimal]]] = {}
    for cid, status, count, requested, approved in await session.execute(query):
        key = status.value if isinstance(status, ProjectStatus) else str(status)
        found.setdefault(cid, {})[key] = (int(count), money(requested), money(approved))
    return found


async def value_per_campaign(session: AsyncSession, scope: Scope) -> dict[int, list[tuple[str, str, int, Decimal]]]:
    """Per campaign: the realised value of its incubation projects per outcome kind and unit, as
    (kind, unit, projects measured, sum of the outcomes) (one statement, grouped in SQL)."""
    query = (
        select(
            IncubationProject.campaign_id,
            ProjectOutcome.kind,
            ProjectOutcome.unit,
            func.count(distinct(ProjectOutcome.project_id)),
            func.sum(ProjectOutcome.value),
        )
        .join(IncubationProject, IncubationProject.id == ProjectOutcome.project_id)
        .where(IncubationProject.campaign_id.in_(scoped(scope)), incubated())
        .group_by(IncubationProject.campaign_id, ProjectOutcome.kind, ProjectOutcome.unit)
    )
    found: dict[int, list[tuple[str, str, int, Decimal]]] = {}
    for cid, kind, unit, projects, realised in await session.execute(_projects_in_department(query, scope)):
        key = kind.value if hasattr(kind, "value") else str(kind)
        found.setdefault(cid, []).append((key, str(unit), int(projects), money(realised)))
    return found


async def targets_per_campaign(
    session: AsyncSession, scope: Scope
) -> dict[int, list[tuple[str, int, Decimal, Decimal]]]:
    """Per campaign and KPI unit, over the incubation projects whose KPI has a target: (unit,
    projects, improvement aimed at = the sum of |target - baseline| with no baseline as 0, the sum
    of these projects' outcomes in the KPI's unit) (one statement; the outcomes are summed per
    project and unit first, so a project's target counts once)."""
    realised = (
        select(
            ProjectOutcome.project_id.label("project_id"),
            ProjectOutcome.unit.label("unit"),
            func.sum(ProjectOutcome.value).label("realised"),
        )
        .join(IncubationProject, IncubationProject.id == ProjectOutcome.project_id)
        .where(IncubationProject.campaign_id.in_(scoped(scope)))
        .group_by(ProjectOutcome.project_id, ProjectOutcome.unit)
        .subquery("realised")
    )
    aimed = func.abs(IncubationProject.kpi_target - func.coalesce(IncubationProject.kpi_baseline, 0))
    query = (
        select(
            IncubationProject.campaign_id,
            IncubationProject.kpi_unit,
            func.count(IncubationProject.id),
            func.sum(aimed),
            func.sum(func.coalesce(realised.c.realised, 0)),
        )
        .outerjoin(
            realised,
            and_(realised.c.project_id == IncubationProject.id, realised.c.unit == IncubationProject.kpi_unit),
        )
        .where(
            IncubationProject.campaign_id.in_(scoped(scope)),
            incubated(),
            IncubationProject.kpi_target.is_not(None),
            IncubationProject.kpi_unit != "",
        )
        .group_by(IncubationProject.campaign_id, IncubationProject.kpi_unit)
    )
    found: dict[int, list[tuple[str, int, Decimal, Decimal]]] = {}
    for cid, unit, projects, aim, got in await session.execute(_projects_in_department(query, scope)):
        found.setdefault(cid, []).append((str(unit), int(projects), money(aim), money(got)))
    return found

"""The programme dashboard: the queries of ``insights.queries`` (a fixed number of statements)
assembled into the figures of ``insights.figures``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from insights import figures, incubation_queries, queries
from insights.queries import CampaignLine, Scope


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    choices: list[CampaignLine]  # every campaign but drafts, for the filter
    department_names: dict[int, str]
    campaigns: list[CampaignLine]  # in scope, oldest first
    headline: figures.Headline
    funnel: list[figures.Stage]
    departments: list[figures.DepartmentRow]
    incubation: figures.Incubation
    value: list[figures.ValueLine]  # realised value per outcome kind and unit
    targets: list[figures.TargetLine]  # against the KPI targets, per unit
    units: list[str]  # of the value and the targets, in order
    trends: list[figures.Trend]


async def dashboard(session: AsyncSession, scope: Scope, now: datetime, *, no_department: str) -> Dashboard:
    """Every figure of the page for ``scope`` (eleven statements whatever the data size)."""
    choices = await queries.campaigns(session, Scope())
    lines = await queries.campaigns(session, scope)
    names = await queries.departments(session)
    counts = await queries.campaign_counts(session, scope, now)
    people = await queries.people_per_department(session, scope)
    entries = await queries.entries_per_department(session, scope)
    projects = await incubation_queries.projects_per_campaign(session, scope)
    value = await incubation_queries.value_per_campaign(session, scope)
    targets = await incubation_queries.targets_per_campaign(session, scope)
    in_scope = [counts.get(line.id) or figures.CampaignCounts(line.id) for line in lines]
    submitted = sum(c.reached("submitted") for c in in_scope)
    incubation = figures.incubation(figures.sum_by_status(projects.values()), submitted)
    value_lines = figures.value_lines(row for rows in value.values() for row in rows)
    target_lines = figures.target_lines(row for rows in targets.values() for row in rows)
    eligible_people = sum(e for e, _p in people.values())
    participants = sum(p for _e, p in people.values())
    return Dashboard(
        scope=scope,
        choices=choices,
        department_names=names,
        campaigns=lines,
        headline=figures.headline(in_scope, eligible_people, participants, incubation.projects, incubation.implemented),
        funnel=figures.funnel(figures.funnel_counts(in_scope)),
        departments=figures.departments(names, people, entries, no_department=no_department),
        incubation=incubation,
        value=value_lines,
        targets=target_lines,
        units=figures.units(value_lines, target_lines),
        trends=[
            figures.trend(
                c,
                line.title,
                figures.incubated(projects.get(line.id, {})),
                projects.get(line.id, {}).get("implemented", (0, Decimal(0), Decimal(0)))[0],
                figures.realised_per_unit(figures.value_lines(value.get(line.id, []))),
            )
            for c, line in zip(in_scope, lines, strict=True)
        ],
    )

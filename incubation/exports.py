"""Incubation as spreadsheets: every project (with its realised value per unit and its
milestones done), and one project's measured outcomes. Four statements for the projects,
one for the outcomes, whatever the number of rows; labels translated by the caller's function."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import N_
from core.spreadsheet import Cell, Table
from incubation.labels import KIND_LABELS, STATUS_LABELS
from incubation.models import IncubationProject, Milestone, ProjectOutcome
from incubation.reads import campaign_titles, projects_query

EXPORT_MAX = 20_000
PROJECT_HEADER = (
    N_("Project"),
    N_("Campaign"),
    N_("Team"),
    N_("Sponsor"),
    N_("Status"),
    N_("Budget asked"),
    N_("Budget granted"),
    N_("Hours per week per member"),
    N_("KPI"),
    N_("Unit"),
    N_("Baseline"),
    N_("Target"),
    N_("Realised"),
    N_("Milestones done"),
    N_("Milestones"),
    N_("Proposed on"),
    N_("Decided on"),
)
OUTCOME_HEADER = (N_("Measured on"), N_("Kind"), N_("Unit"), N_("Value"), N_("Note"))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def realised_text(sums: list[tuple[str, Decimal]]) -> str:
    """ "1,200.00 EUR; 30.00 h": one sum per unit, never added across units."""
    return "; ".join(f"{value:,.2f} {unit}".strip() for unit, value in sorted(sums))


async def projects_table(session: AsyncSession, translate: Callable[[str], str]) -> Table:
    projects = list((await session.scalars(projects_query().limit(EXPORT_MAX))).unique().all())
    ids = [p.id for p in projects]
    realised: dict[int, list[tuple[str, Decimal]]] = {}
    milestones: dict[int, tuple[int, int]] = {}
    if ids:
        sums = await session.execute(
            select(ProjectOutcome.project_id, ProjectOutcome.unit, func.sum(ProjectOutcome.value))
            .where(ProjectOutcome.project_id.in_(ids))
            .group_by(ProjectOutcome.project_id, ProjectOutcome.unit)
        )
        for project_id, unit, total in sums:
            realised.setdefault(project_id, []).append((unit, Decimal(total)))
        counts = await session.execute(
            select(
                Milestone.project_id,
                func.count(Milestone.done_at),
                func.count(Milestone.id),
            )
            .where(Milestone.project_id.in_(ids))
            .group_by(Milestone.project_id)
        )
        milestones = {project_id: (int(done), int(total)) for project_id, done, total in counts}
    campaigns = await campaign_titles(session, {p.campaign_id for p in projects})
    rows: list[list[Cell]] = []
    for p in projects:
        done, total = milestones.get(p.id, (0, 0))
        rows.append(
            [
                p.title,
                campaigns[p.campaign_id].title if p.campaign_id in campaigns else "",
                p.team.name,
                p.sponsor.email if p.sponsor else "",
                translate(STATUS_LABELS.get(p.status.value, p.status.value)),
                _number(p.budget_requested),
                _number(p.budget_approved),
                _number(p.team_hours_per_week),
                p.kpi_name,
                p.kpi_unit,
                _number(p.kpi_baseline),
                _number(p.kpi_target),
                realised_text(realised.get(p.id, [])),
                done,
                total,
                p.proposed_at.date().isoformat() if p.proposed_at else "",
                p.decided_at.date().isoformat() if p.decided_at else "",
            ]
        )
    return Table([translate(h) for h in PROJECT_HEADER], rows)


async def outcomes_table(session: AsyncSession, project: IncubationProject, translate: Callable[[str], str]) -> Table:
    outcomes = await session.scalars(
        select(ProjectOutcome)
        .where(ProjectOutcome.project_id == project.id)
        .order_by(ProjectOutcome.measured_on, ProjectOutcome.id)
    )
    rows: list[list[Cell]] = [
        [
            o.measured_on.isoformat(),
            translate(KIND_LABELS.get(o.kind.value, o.kind.value)),
            o.unit,
            float(o.value),
            o.note,
        ]
        for o in outcomes
    ]
    return Table([translate(h) for h in OUTCOME_HEADER], rows)

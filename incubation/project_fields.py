"""What every incubation service shares: field limits, messages, and a project as the audit log records it."""

from __future__ import annotations

from typing import Any

from core.errors import N_
from incubation.models import IncubationProject

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
REASON_MAX = 1000
UPDATE_MAX = 5000
UNIT_MAX = 40
KPI_NAME_MAX = 120
NOTE_MAX = 500
MILESTONES_MAX = 20
PROJECT_NOT_FOUND = N_("We could not find that incubation project.")
AMOUNT = N_("Enter an amount of 0 or more, with at most two decimals.")
NUMBER = N_("Enter a number, with at most two decimals.")
# the scheduled action that reminds a milestone's owner and the sponsor once it is overdue
REMIND_MILESTONE = "remind_milestone"


def snapshot(project: IncubationProject) -> dict[str, Any]:
    """What the audit log keeps of a project (JSON-friendly)."""

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "team_id": project.team_id,
        "title": project.title,
        "sponsor_id": project.sponsor_id,
        "budget_requested": str(project.budget_requested),
        "budget_approved": text(project.budget_approved),
        "status": project.status.value,
        "approved_by_id": project.approved_by_id,
        "approved_at": project.approved_at.isoformat() if project.approved_at else None,
        "team_hours_per_week": text(project.team_hours_per_week),
        "starts_on": text(project.starts_on),
        "kpi": [project.kpi_name, project.kpi_unit, text(project.kpi_baseline), text(project.kpi_target)],
        "decline_reason": project.decline_reason,
        "stop_reason": project.stop_reason,
    }

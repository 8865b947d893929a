"""The names of a project's statuses and of outcome kinds, as messages to translate where shown."""

from __future__ import annotations

from core.errors import N_

STATUS_LABELS = {
    "proposed": N_("Proposed"),
    "approved": N_("Approved"),
    "running": N_("Running"),
    "implemented": N_("Implemented"),
    "stopped": N_("Stopped"),
    "declined": N_("Declined"),
}
KIND_LABELS = {
    "cost_saved": N_("Cost saved"),
    "revenue": N_("Revenue"),
    "hours_saved": N_("Hours saved"),
    "custom": N_("Custom KPI"),
}

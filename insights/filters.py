"""The dashboard's filters as typed in its form: a campaign, a period, a department. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.days import parse_day
from core.errors import N_
from core.numbers import parse_int
from insights.queries import Scope


def parse_scope(campaign: str, start: str, end: str, department: str) -> tuple[Scope, dict[str, str]]:
    """The scope the filters ask for and a message per field that could not be read (that
    filter is then left out). The period's days are UTC days, both ends included."""
    errors: dict[str, str] = {}
    campaign_id = parse_int(campaign.strip()) if campaign.strip() else None
    if campaign.strip() and campaign_id is None:
        errors["campaign"] = N_("Choose a campaign from the list.")
    department_id = parse_int(department.strip()) if department.strip() else None
    if department.strip() and department_id is None:
        errors["department"] = N_("Choose a department from the list.")
    first = parse_day(start) if start.strip() else None
    if start.strip() and first is None:
        errors["start"] = N_("Enter a date such as 2027-01-31.")
    last = parse_day(end) if end.strip() else None
    if end.strip() and last is None:
        errors["end"] = N_("Enter a date such as 2027-01-31.")
    if first is not None and last is not None and last < first:
        errors["end"] = N_("The end of the period cannot come before its start.")
        last = None
    return (
        Scope(
            campaign_id=campaign_id,
            starts_from=datetime.combine(first, datetime.min.time(), UTC) if first else None,
            starts_before=(
                datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
                if last is not None and last < date.max
                else None
            ),
            department_id=department_id,
        ),
        errors,
    )

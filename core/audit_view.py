"""How the audit log reads: action names, the before/after of an entry as field rows, the period
of a filter. Pure functions, no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.days import parse_day
from core.errors import N_

# Every action code a service passes to ``core.audit.record`` (found with
# ``grep -rn 'action=' --include=*.py``), with its label; a code missing here shows as itself.
ACTION_LABELS: dict[str, str] = {
    "user.create": N_("Account created"),
    "user.update": N_("Account edited"),
    "user.password": N_("Password changed"),
    "user.preferences": N_("Preferences changed"),
    "campaign.create": N_("Campaign created"),
    "campaign.update": N_("Campaign edited"),
    "campaign.publish": N_("Campaign published"),
    "campaign.close": N_("Campaign closed"),
    "campaign_role.add": N_("Organizer or judge added"),
    "campaign_role.remove": N_("Organizer or judge removed"),
    "challenge.add": N_("Challenge added"),
    "challenge.update": N_("Challenge edited"),
    "phase.add": N_("Phase added"),
    "phase.update": N_("Phase edited"),
    "phase.deadline": N_("Deadline changed"),
    "phase.open": N_("Phase opened"),
    "phase.close": N_("Phase closed"),
    "phase.reopen": N_("Phase reopened"),
    "phase.advance": N_("Advancement rule applied"),
    "extension.grant": N_("Extension granted"),
    "extension.update": N_("Extension changed"),
    "extension.revoke": N_("Extension revoked"),
    "team.create": N_("Team formed"),
    "team.delete": N_("Team disbanded"),
    "team.join": N_("Joined a team"),
    "team.leave": N_("Left a team"),
    "team.captain": N_("Captain handed over"),
    "team.needs": N_("Team's needs changed"),
    "team.join_request": N_("Asked to join a team"),
    "team.join_request.accept": N_("Join request accepted"),
    "team.join_request.decline": N_("Join request declined"),
    "team.withdraw": N_("Team withdrew"),
    "team.active": N_("Team marked as active"),
    "team.eliminated": N_("Team eliminated"),
    "team.winner": N_("Team marked as winner"),
    "team.withdrawn": N_("Team marked as withdrawn"),
    "board.list": N_("Listed on the team board"),
    "entry.submit": N_("Entry submitted"),
    "entry.restore": N_("Entry version restored as a draft"),
    "attachment.add": N_("File attached"),
    "attachment.delete": N_("File removed"),
    "assignment.added": N_("Judge assigned"),
    "assignment.auto": N_("Judges assigned automatically"),
    "assignment.removed": N_("Judge assignment removed"),
    "conflict.declared": N_("Conflict of interest declared"),
    "scorecard.finalised": N_("Scorecard finalised"),
    "scorecard.replaced_by_import": N_("Scorecard replaced by an import"),
    "scorecard.reopened": N_("Scorecard reopened"),
    "scorecards.imported": N_("Scorecards imported"),
    "rubric.reset": N_("Rubric reset"),
    "rubric.copied": N_("Rubric copied"),
    "rubric.criterion_added": N_("Criterion added"),
    "rubric.criterion_updated": N_("Criterion edited"),
    "rubric.criterion_moved": N_("Criterion moved"),
    "rubric.criterion_deleted": N_("Criterion deleted"),
    "judging.settings_updated": N_("Judging settings changed"),
    "judging.judge_limits_updated": N_("Judge limits changed"),
    "advancement.decide": N_("Advancement decided"),
    "advancement.override": N_("Advancement overridden"),
    "award.create": N_("Award given"),
    "award.approve": N_("Awards approved"),
    "award.delete": N_("Award removed"),
    "results.publish": N_("Results published"),
    "results.republish": N_("Results republished"),
    "incubation.propose": N_("Incubation proposed"),
    "incubation.approve": N_("Incubation approved"),
    "incubation.proposed": N_("Incubation project proposed"),
    "incubation.approved": N_("Incubation project approved"),
    "incubation.running": N_("Incubation project running"),
    "incubation.implemented": N_("Incubation project implemented"),
    "incubation.stopped": N_("Incubation project stopped"),
    "incubation.declined": N_("Incubation project declined"),
    "incubation.decline": N_("Incubation declined"),
    "incubation.milestone_add": N_("Milestone added"),
    "incubation.milestone_done": N_("Milestone done"),
    "incubation.milestone_reopen": N_("Milestone reopened"),
    "incubation.update": N_("Project update posted"),
    "incubation.outcome": N_("Outcome measured"),
    "incubation.outcome_fix": N_("Outcome corrected"),
    "incubation.outcome_remove": N_("Outcome removed"),
    "incubation.milestone_fix": N_("Milestone changed"),
    "incubation.milestone_remove": N_("Milestone removed"),
}

SYSTEM = N_("System")  # the actor of a change no person made (core.actors.SCHEDULER)
NOTHING = "—"  # a field absent before or after the change


def action_msgid(code: str) -> str:
    """The label (a msgid, to translate) of an action code, or the code itself when it has none."""
    return ACTION_LABELS.get(code, code)


def as_text(value: Any) -> str:
    """A stored JSON value as one line of text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """One row per field named before or after (in the order first named), old and new as text;
    a field absent on one side shows ``NOTHING``. A value that is not a mapping counts as one field."""
    before_map = _as_mapping(before)
    after_map = _as_mapping(after)
    fields = list(dict.fromkeys([*before_map, *after_map]))
    return [
        Change(
            field=name,
            old=as_text(before_map[name]) if name in before_map else NOTHING,
            new=as_text(after_map[name]) if name in after_map else NOTHING,
        )
        for name in fields
    ]


def _as_mapping(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    return {"value": value}


def changes_text(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """The changes on one line, for a spreadsheet cell: ``field: old → new; …``."""
    return "; ".join(f"{c.field}: {c.old} → {c.new}" for c in changes(before, after))


# --- the period of a filter ----------------------------------------------------------------------

DATE_INVALID = N_("Enter a date as YYYY-MM-DD.")
PERIOD_REVERSED = N_("The end of the period is before its start.")
YEARS = range(2000, 2200)


@dataclass(frozen=True)
class Period:
    """``start`` (inclusive) and ``end`` (exclusive) in UTC, each None when not given; ``errors``
    maps the field (``since``, ``until``) to its message (a msgid)."""

    start: datetime | None = None
    end: datetime | None = None
    errors: dict[str, str] = field(default_factory=dict)


def read_period(raw_from: str, raw_to: str, timezone: str) -> Period:
    """The days typed as ``YYYY-MM-DD`` as a period in ``timezone``: from the start of the first
    day to the end of the last; an error for a date that is not one, or an end before the start."""
    raw_from, raw_to = raw_from.strip(), raw_to.strip()
    errors: dict[str, str] = {}
    first = parse_day(raw_from, YEARS) if raw_from else None
    last = parse_day(raw_to, YEARS) if raw_to else None
    if raw_from and first is None:
        errors["since"] = DATE_INVALID
    if raw_to and last is None:
        errors["until"] = DATE_INVALID
    if first is not None and last is not None and last < first:
        errors["until"] = PERIOD_REVERSED
    if errors:
        return Period(errors=errors)
    zone = ZoneInfo(timezone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

    return Period(
        start=midnight(first) if first else None,
        end=midnight(last + timedelta(days=1)) if last else None,
    )

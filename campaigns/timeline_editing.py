"""Named operations that edit a campaign's timeline: add a phase, edit one (its deadline too).

The rules are pure (campaigns.deadlines for the shape of a timeline); these operations load the
timeline under the campaign's lock (campaigns.timeline), apply the rule, change, audit and
announce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import require_organizer
from campaigns.deadlines import (
    FieldMessage,
    Slot,
    default_judged_phase,
    has_started,
    in_time_order,
    is_live,
    slot_of,
    timeline_errors,
)
from campaigns.events import TimelineChanged
from campaigns.models import TITLE_MAX, Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from campaigns.timeline import GRACE_MAX_MINUTES, ConfirmationNeeded, FieldErrors, locked_timeline, shown
from core.audit import record
from core.errors import N_, NotFound
from core.events import publish

REQUIRED_JUDGES_MAX = 50
_TIME_FIELDS = ("opens_at", "closes_at", "grace_minutes")
# a phase's name is one line of text; PostgreSQL also refuses NUL in any text
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class PhaseInput:
    """``None`` in a number or time field means "missing or not understood": the operation says so."""

    kind: PhaseKind | None
    name: str
    opens_at: datetime | None  # aware, UTC
    closes_at: datetime | None
    grace_minutes: int | None = 0
    judges_phase_id: int | None = None  # judging phases; None: the latest earlier submission phase
    required_judges: int | None = 3


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _input_errors(data: PhaseInput, ref: int | None, others: list[Phase]) -> FieldErrors:
    """Field errors; also fills in the default judged phase of a judging phase."""
    errors = FieldErrors()
    data.name = data.name.strip()
    if data.kind is None:
        errors.add("kind", FieldMessage(N_("Choose the kind of phase.")))
    if not data.name:
        errors.add("name", FieldMessage(N_("Enter a name.")))
    elif len(data.name) > TITLE_MAX:
        errors.add("name", FieldMessage(N_("The name is too long (at most 200 characters).")))
    elif _CONTROL.search(data.name):
        errors.add("name", FieldMessage(N_("The name cannot contain control characters such as line breaks.")))
    if data.opens_at is None:
        errors.add("opens_at", FieldMessage(N_("Enter a valid date and time.")))
    if data.closes_at is None:
        errors.add("closes_at", FieldMessage(N_("Enter a valid date and time.")))
    if data.grace_minutes is None or not 0 <= data.grace_minutes <= GRACE_MAX_MINUTES:
        errors.add("grace_minutes", FieldMessage(N_("Enter a whole number of minutes from 0 to 10080 (a week).")))
    if data.kind is PhaseKind.JUDGING:
        if data.required_judges is None or not 1 <= data.required_judges <= REQUIRED_JUDGES_MAX:
            errors.add("required_judges", FieldMessage(N_("Enter a whole number of judges from 1 to 50.")))
    else:
        data.judges_phase_id = None
    if data.kind is None or data.opens_at is None or data.closes_at is None or data.grace_minutes is None:
        return errors
    slots = [slot_of(p) for p in others]
    if data.kind is PhaseKind.JUDGING and data.judges_phase_id is None:
        default = default_judged_phase(data.opens_at, slots)
        data.judges_phase_id = default.ref if default else None
    subject = Slot(
        ref=ref,
        kind=data.kind,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        judges_phase_id=data.judges_phase_id,
        grace_minutes=data.grace_minutes,
    )
    for field, message in timeline_errors(subject, slots).items():
        errors.add(field, message)
    return errors


def _past_start(campaign: Campaign, data: PhaseInput, errors: FieldErrors, now: datetime, confirmed: bool) -> None:
    """A phase of a published campaign that would start in the past: refused when it would also have
    ended, else it opens at once, which the organizer confirms."""
    if campaign.status is CampaignStatus.DRAFT or errors:
        return
    assert data.opens_at is not None and data.closes_at is not None
    if data.opens_at > now:
        return
    end = data.closes_at + timedelta(minutes=data.grace_minutes or 0)
    if end <= now:
        errors.add(
            "closes_at",
            FieldMessage(
                N_("This phase would be over already (it ends %(when)s). New phases must end in the future."),
                {"when": end},
            ),
        )
    elif not confirmed:
        raise ConfirmationNeeded(
            N_("Its opening time has passed: this phase opens as soon as you save it. Please confirm."), field="confirm"
        )


def _renumber(phases: list[Phase]) -> None:
    """Positions follow time, so the timeline's order is its chronology."""
    by_id = {p.id: p for p in phases}
    for position, slot in enumerate(in_time_order([slot_of(p) for p in phases])):
        if slot.ref is not None:
            by_id[slot.ref].position = position


# --- adding and editing --------------------------------------------------------------------------


async def add_phase(
    session: AsyncSession,
    actor: User,
    now: datetime,
    campaign: Campaign,
    data: PhaseInput,
    *,
    confirmed: bool = False,
) -> Phase:
    """A new phase. In a published campaign it may not lie wholly in the past, and one whose
    opening time has passed (it opens at once) needs ``confirmed``."""
    await require_organizer(session, campaign, actor)
    existing = await locked_timeline(session, campaign.id)
    errors = _input_errors(data, None, existing)
    _past_start(campaign, data, errors, now, confirmed)
    errors.raise_if_any()
    assert data.kind is not None and data.opens_at is not None and data.closes_at is not None
    phase = Phase(
        campaign_id=campaign.id,
        kind=data.kind,
        name=data.name,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        grace_minutes=data.grace_minutes or 0,
        judges_phase_id=data.judges_phase_id,
        required_judges=data.required_judges if data.kind is PhaseKind.JUDGING and data.required_judges else 3,
        status=PhaseStatus.PENDING,
        position=len(existing),
    )
    session.add(phase)
    await session.flush()
    _renumber([*existing, phase])
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="phase.add",
        subject=phase,
        campaign_id=campaign.id,
        after={
            "name": phase.name,
            "kind": phase.kind.value,
            "opens_at": _iso(phase.opens_at),
            "closes_at": _iso(phase.closes_at),
            "grace_minutes": phase.grace_minutes,
        },
    )
    await publish(session, TimelineChanged(campaign_id=campaign.id, phase_id=phase.id))
    return phase


def _history_errors(phase: Phase, data: PhaseInput, errors: FieldErrors, now: datetime) -> None:
    """What has happened stays as it happened: a closed phase keeps its times (reopen it instead), a
    started one its opening time, and a started one's deadline does not move into the past."""
    if phase.status is PhaseStatus.CLOSED:
        for name in _TIME_FIELDS:
            typed = getattr(data, name)
            if name not in errors.messages and typed is not None and typed != getattr(phase, name):
                field = "closes_at" if name == "grace_minutes" else name
                errors.add(
                    field,
                    FieldMessage(
                        N_("This phase has closed; its times record what happened. To run it again, use “Reopen”.")
                    ),
                )
        return
    if not has_started(phase, now):
        return
    if "opens_at" not in errors.messages and data.opens_at is not None and data.opens_at != phase.opens_at:
        errors.add(
            "opens_at",
            FieldMessage(
                N_("This phase opened %(when)s; that cannot change any more."),
                {"when": phase.opens_at},
            ),
        )
    moved_close = data.closes_at is not None and data.closes_at != phase.closes_at
    if "closes_at" not in errors.messages and moved_close and data.closes_at is not None and data.closes_at < now:
        errors.add(
            "closes_at",
            FieldMessage(
                N_("This phase has begun: its deadline cannot move into the past. To end it now, use “Close now”.")
            ),
        )


async def update_phase(
    session: AsyncSession,
    actor: User,
    now: datetime,
    campaign: Campaign,
    phase: Phase,
    data: PhaseInput,
    *,
    confirmed: bool = False,
) -> Phase:
    """Edits a phase; a change of its times (a deadline) is audited with the before and after.

    Moving the times of a running phase, or a pending one's opening into the past (it opens at
    once), needs ``confirmed``: without it, ``ConfirmationNeeded`` is raised and nothing changes.
    """
    if phase.campaign_id != campaign.id:
        raise NotFound(N_("We could not find that phase."))
    await require_organizer(session, campaign, actor)
    phases = await locked_timeline(session, campaign.id)
    phase = next((p for p in phases if p.id == phase.id), phase)
    errors = FieldErrors()
    _history_errors(phase, data, errors, now)  # first: what happened is the reason, not the overlap it causes
    for field, message in _input_errors(data, phase.id, [p for p in phases if p.id != phase.id]).items():
        errors.add(field, message)
    started = has_started(phase, now)
    if not started and data.opens_at != phase.opens_at:
        _past_start(campaign, data, errors, now, confirmed)
    errors.raise_if_any()
    assert data.kind is not None and data.opens_at is not None and data.closes_at is not None
    new: dict[str, Any] = {
        "kind": data.kind,
        "name": data.name,
        "opens_at": data.opens_at,
        "closes_at": data.closes_at,
        "grace_minutes": data.grace_minutes or 0,
        "judges_phase_id": data.judges_phase_id,
        "required_judges": data.required_judges
        if data.kind is PhaseKind.JUDGING and data.required_judges
        else phase.required_judges,
    }
    moved = any(getattr(phase, field) != new[field] for field in _TIME_FIELDS)
    if moved and not confirmed and is_live(phase, now):
        raise ConfirmationNeeded(
            N_("This phase is running. Moving its times changes the deadline for everyone in it: please confirm."),
            field="confirm",
        )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, value in new.items():
        old = getattr(phase, field)
        if old != value:
            before[field], after[field] = shown(field, old), shown(field, value)
            setattr(phase, field, value)
    _renumber(phases)
    await session.flush()
    if after:
        deadline = bool(set(_TIME_FIELDS) & after.keys())
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="phase.deadline" if deadline else "phase.update",
            subject=phase,
            campaign_id=campaign.id,
            before=before,
            after=after,
        )
        # times, kind or the judged phase: what the scheduler does for this phase follows
        await publish(session, TimelineChanged(campaign_id=campaign.id, phase_id=phase.id))
    return phase

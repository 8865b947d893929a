"""Named operations on a campaign's timeline: add and edit phases, open, close and reopen them.

The rules are pure (campaigns.deadlines for the shape of a timeline, campaigns.transitions for
the state machine); these operations load the timeline under a lock on the campaign's row, so
two transitions of one campaign never interleave, apply the rule, change, audit and announce.
``actor`` None is the scheduler: it needs no confirmation and is refused where a person would
be asked to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import CAMPAIGN_NOT_FOUND
from campaigns.deadlines import (
    FieldMessage,
    Slot,
    default_judged_phase,
    effective_close,
    has_started,
    in_time_order,
    is_live,
    slot_of,
    timeline_errors,
)
from campaigns.models import TITLE_MAX, Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from campaigns.services import PhaseClosed, PhaseOpened, TimelineChanged, require_organizer
from campaigns.transitions import closing_refusal, closing_times, plan_opening, reopen_errors
from core.audit import record
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.events import publish
from core.scheduling import ScheduledAction

GRACE_MAX_MINUTES = 7 * 24 * 60
REQUIRED_JUDGES_MAX = 50
_TIME_FIELDS = ("opens_at", "closes_at", "grace_minutes")
# a phase's name is one line of text; PostgreSQL also refuses NUL in any text
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ConfirmationNeeded(Conflict):
    """The change is allowed but consequential (a running phase's deadline): ask, then repeat with consent."""


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


class _Errors:
    """Field errors with the values their messages name."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        self.params: dict[str, dict[str, Any]] = {}

    def add(self, field: str, error: FieldMessage) -> None:
        if field not in self.messages:
            self.messages[field] = error.message
            self.params[field] = error.params

    def __bool__(self) -> bool:
        return bool(self.messages)

    def items(self) -> list[tuple[str, FieldMessage]]:
        return [(field, FieldMessage(message, self.params[field])) for field, message in self.messages.items()]

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationFailed(self.messages, field_params=self.params)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _shown(_field: str, value: Any) -> Any:
    """A value as the audit log keeps it."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, PhaseKind) else value


async def lock_campaign(session: AsyncSession, campaign_id: int, *, by_person: bool = True) -> Campaign:
    """The campaign's row, locked against other transitions of its timeline and read afresh.

    ``FOR NO KEY UPDATE`` on PostgreSQL: it does not block the key-share locks that inserts of
    rows referencing the campaign take; SQLite already serialises writers. A person's change
    first waits for the scheduler's steps of this campaign in flight (their rows, which its
    re-planning updates): the scheduler holds those and then takes this lock, so taking them in
    the same order cannot deadlock.
    """
    if by_person:
        await session.execute(
            select(ScheduledAction.id).where(ScheduledAction.campaign_id == campaign_id).with_for_update()
        )
    campaign = await session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign


async def locked_timeline(session: AsyncSession, campaign_id: int, *, by_person: bool = True) -> list[Phase]:
    """The campaign's phases, in order, read under the campaign's lock (lock_campaign)."""
    await lock_campaign(session, campaign_id, by_person=by_person)
    rows = await session.scalars(
        select(Phase)
        .where(Phase.campaign_id == campaign_id)
        .order_by(Phase.position, Phase.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


def _input_errors(data: PhaseInput, ref: int | None, others: list[Phase]) -> _Errors:
    """Field errors; also fills in the default judged phase of a judging phase."""
    errors = _Errors()
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


def _past_start(campaign: Campaign, data: PhaseInput, errors: _Errors, now: datetime, confirmed: bool) -> None:
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


def _history_errors(phase: Phase, data: PhaseInput, errors: _Errors, now: datetime) -> None:
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
    errors = _Errors()
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
            before[field], after[field] = _shown(field, old), _shown(field, value)
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


# --- transitions -----------------------------------------------------------------------------------


async def _phase_campaign(session: AsyncSession, actor: User | None, phase: Phase) -> Campaign:
    campaign = await session.get(Campaign, phase.campaign_id)
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    if actor is not None:
        await require_organizer(session, campaign, actor)
    return campaign


async def _transition(
    session: AsyncSession,
    actor: User | None,
    now: datetime,
    phase: Phase,
    target: PhaseStatus,
    allowed_from: tuple[PhaseStatus, ...],
    action: str,
    times: dict[str, Any],
) -> bool:
    """One conditional UPDATE of status (and the times that now hold): a repeated transition is a
    no-op; True when this call changed it. Audited with the times before and after."""
    before_status = phase.status
    before_times = {name: getattr(phase, name) for name in times}
    due = phase.opens_at if target is PhaseStatus.OPEN else effective_close(phase)
    result = await session.execute(
        update(Phase)
        .where(Phase.id == phase.id, Phase.status.in_(allowed_from))
        .values(status=target, **times)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(phase)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    changed = sorted(name for name, value in times.items() if before_times[name] != value)
    late = {"late_by_seconds": max(0, int((now - due).total_seconds()))} if action != "phase.reopen" else {}
    await record(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        action=action,
        subject=phase,
        campaign_id=phase.campaign_id,
        before={"status": before_status.value, **{n: _shown(n, before_times[n]) for n in changed}},
        after={"status": target.value, **{n: _shown(n, times[n]) for n in changed}, "at": now.isoformat(), **late},
    )
    # the scheduler re-plans on these events, from the times that now hold
    event = PhaseOpened if target is PhaseStatus.OPEN else PhaseClosed
    await publish(session, event(campaign_id=phase.campaign_id, phase_id=phase.id, at=now))
    return True


async def _close(session: AsyncSession, actor: User | None, now: datetime, phase: Phase) -> bool:
    times = closing_times(phase, now) if actor is not None else None
    values = {"closes_at": times.closes_at, "grace_minutes": times.grace_minutes} if times else {}
    return await _transition(
        session, actor, now, phase, PhaseStatus.CLOSED, (PhaseStatus.PENDING, PhaseStatus.OPEN), "phase.close", values
    )


async def open_phase(
    session: AsyncSession,
    actor: User | None,
    now: datetime,
    phase: Phase,
    *,
    confirmed: bool = False,
    publishing: bool = False,
) -> bool:
    """Opens the next phase (``actor`` None: the scheduler); True when this call opened it.

    Phases run one at a time, in order. Opening early records now as the opening time; a phase
    still running is closed first, which an organizer confirms (``confirmed``) and the scheduler
    never does by itself; phases whose close was missed are closed first, late. A results phase
    opens only as the results are published (``publishing``: judging.awards.publish_results).
    """
    campaign = await _phase_campaign(session, actor, phase)
    if phase.kind is PhaseKind.RESULTS and not publishing:
        raise Conflict(N_("The results phase opens when the results are published: publish them on the results page."))
    phases = await locked_timeline(session, campaign.id, by_person=actor is not None)
    if campaign.status is not CampaignStatus.PUBLISHED:  # read afresh under the lock
        raise Conflict(N_("Phases can only be opened in a published campaign."))
    phase = next((p for p in phases if p.id == phase.id), phase)
    if phase.status is PhaseStatus.OPEN:
        return False
    plan = plan_opening(phases, phase, now)
    if plan.refusal is not None:
        raise Conflict(plan.refusal.message, **plan.refusal.params)
    if plan.running:
        running = plan.running[0]
        if actor is None:
            raise Conflict(N_("“%(name)s” is still running, so this phase did not open."), name=running.name)
        if not confirmed:
            raise ConfirmationNeeded(
                N_("“%(name)s” is still running. Opening “%(phase)s” now closes it at once: please confirm."),
                field="confirm",
                name=running.name,
                phase=phase.name,
            )
    for earlier in plan.overdue:
        await _close(session, None, now, earlier)  # missed by the scheduler: closed late, times kept
    for earlier in plan.running:
        await _close(session, actor, now, earlier)
    assert plan.opens_at is not None
    return await _transition(
        session, actor, now, phase, PhaseStatus.OPEN, (PhaseStatus.PENDING,), "phase.open", {"opens_at": plan.opens_at}
    )


async def close_phase(session: AsyncSession, actor: User | None, now: datetime, phase: Phase) -> bool:
    """Closes a phase now (by hand, or the scheduler at its deadline); a second close does nothing.

    By hand before its end, the phase's closing time becomes now and no grace follows.
    """
    campaign = await _phase_campaign(session, actor, phase)
    await locked_timeline(session, campaign.id, by_person=actor is not None)
    if campaign.status is CampaignStatus.DRAFT:
        raise Conflict(N_("Publish the campaign before opening or closing its phases."))
    if phase.status is PhaseStatus.CLOSED:
        return False
    if (refusal := closing_refusal(phase, now)) is not None:
        raise Conflict(refusal.message, **refusal.params)
    return await _close(session, actor, now, phase)


def reopen_refusal(campaign: Campaign, phase: Phase) -> str | None:
    """Why ``phase`` can never run again, whatever the times: the campaign's state or the phase's own."""
    if campaign.status is not CampaignStatus.PUBLISHED:
        return N_("Phases can only be opened in a published campaign.")
    if campaign.results_published_at is not None:
        return N_("The results are published, so no phase can reopen.")
    if phase.kind is PhaseKind.RESULTS:
        return N_("The results phase opens when the results are published: publish them on the results page.")
    if phase.kind is PhaseKind.JUDGING and phase.advancement_applied_at is not None:
        return N_("The advancement of this judging phase has been applied, so it cannot reopen.")
    return None


async def reopen_phase(
    session: AsyncSession,
    actor: User,
    now: datetime,
    phase: Phase,
    closes_at: datetime | None,
    grace_minutes: int | None,
) -> None:
    """Runs a closed phase again until ``closes_at`` (+ grace), audited; only before the next one begins."""
    campaign = await _phase_campaign(session, actor, phase)
    phases = await locked_timeline(session, campaign.id)
    phase = next((p for p in phases if p.id == phase.id), phase)
    if (refusal := reopen_refusal(campaign, phase)) is not None:
        raise Conflict(refusal)
    errors = _Errors()
    if grace_minutes is None or not 0 <= grace_minutes <= GRACE_MAX_MINUTES:
        errors.add("grace_minutes", FieldMessage(N_("Enter a whole number of minutes from 0 to 10080 (a week).")))
    for field, message in reopen_errors(phases, phase, closes_at, grace_minutes or 0, now).items():
        if field == "__all__":
            raise Conflict(message.message, **message.params)
        errors.add(field, message)
    errors.raise_if_any()
    assert closes_at is not None and grace_minutes is not None
    reopened = await _transition(
        session,
        actor,
        now,
        phase,
        PhaseStatus.OPEN,
        (PhaseStatus.CLOSED,),
        "phase.reopen",
        {"closes_at": closes_at, "grace_minutes": grace_minutes},
    )
    if not reopened:
        raise Conflict(N_("Only a closed phase can be reopened."))

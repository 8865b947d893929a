"""Named operations that move a campaign's phases: open, close and reopen them.

The rules are pure (campaigns.transitions for the state machine); these operations load the
timeline under the campaign's lock (campaigns.timeline), so two transitions of one campaign never
interleave, apply the rule, change, audit and announce. ``actor`` ``SCHEDULER`` (``core.actors``)
is the scheduler: it needs no confirmation and is refused where a person would be asked to confirm.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import Actor, is_person
from accounts.models import User
from campaigns.access import CAMPAIGN_NOT_FOUND, require_organizer
from campaigns.deadlines import FieldMessage, effective_close
from campaigns.events import PhaseClosed, PhaseOpened
from campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from campaigns.timeline import GRACE_MAX_MINUTES, ConfirmationNeeded, FieldErrors, locked_timeline, shown
from campaigns.transitions import closing_refusal, closing_times, plan_opening, reopen_errors
from core.actors import SCHEDULER
from core.audit import record
from core.errors import N_, Conflict, NotFound
from core.events import publish


async def _phase_campaign(session: AsyncSession, actor: Actor, phase: Phase) -> Campaign:
    campaign = await session.get(Campaign, phase.campaign_id)
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    if is_person(actor):
        await require_organizer(session, campaign, actor)
    return campaign


async def _transition(
    session: AsyncSession,
    actor: Actor,
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
        actor_id=actor.id,
        action=action,
        subject=phase,
        campaign_id=phase.campaign_id,
        before={"status": before_status.value, **{n: shown(n, before_times[n]) for n in changed}},
        after={"status": target.value, **{n: shown(n, times[n]) for n in changed}, "at": now.isoformat(), **late},
    )
    # the scheduler re-plans on these events, from the times that now hold
    event = PhaseOpened if target is PhaseStatus.OPEN else PhaseClosed
    await publish(session, event(campaign_id=phase.campaign_id, phase_id=phase.id, at=now))
    return True


async def _close(session: AsyncSession, actor: Actor, now: datetime, phase: Phase) -> bool:
    times = closing_times(phase, now) if is_person(actor) else None
    values = {"closes_at": times.closes_at, "grace_minutes": times.grace_minutes} if times else {}
    return await _transition(
        session, actor, now, phase, PhaseStatus.CLOSED, (PhaseStatus.PENDING, PhaseStatus.OPEN), "phase.close", values
    )


async def open_phase(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    phase: Phase,
    *,
    confirmed: bool = False,
    publishing: bool = False,
) -> bool:
    """Opens the next phase (``actor`` ``SCHEDULER``: the scheduler, no rights checked); True when this call opened it.

    Phases run one at a time, in order. Opening early records now as the opening time; a phase
    still running is closed first, which an organizer confirms (``confirmed``) and the scheduler
    never does by itself; phases whose close was missed are closed first, late. A results phase
    opens only as the results are published (``publishing``: judging.awards.publish_results).
    """
    campaign = await _phase_campaign(session, actor, phase)
    if phase.kind is PhaseKind.RESULTS and not publishing:
        raise Conflict(N_("The results phase opens when the results are published: publish them on the results page."))
    phases = await locked_timeline(session, campaign.id, by_person=is_person(actor))
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
        if not is_person(actor):
            raise Conflict(N_("“%(name)s” is still running, so this phase did not open."), name=running.name)
        if not confirmed:
            raise ConfirmationNeeded(
                N_("“%(name)s” is still running. Opening “%(phase)s” now closes it at once: please confirm."),
                field="confirm",
                name=running.name,
                phase=phase.name,
            )
    for earlier in plan.overdue:
        await _close(session, SCHEDULER, now, earlier)  # missed by the scheduler: closed late, times kept
    for earlier in plan.running:
        await _close(session, actor, now, earlier)
    assert plan.opens_at is not None
    return await _transition(
        session, actor, now, phase, PhaseStatus.OPEN, (PhaseStatus.PENDING,), "phase.open", {"opens_at": plan.opens_at}
    )


async def close_phase(session: AsyncSession, actor: Actor, now: datetime, phase: Phase) -> bool:
    """Closes a phase now (by hand, or the scheduler at its deadline); a second close does nothing.

    By hand before its end, the phase's closing time becomes now and no grace follows.
    """
    campaign = await _phase_campaign(session, actor, phase)
    await locked_timeline(session, campaign.id, by_person=is_person(actor))
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
    errors = FieldErrors()
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

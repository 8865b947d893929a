"""Reopening a locked rubric: the audited reset that returns a phase's final scorecards to draft.

A rubric locks as soon as one scorecard of its phase is final (``judging.rubric``). When the
rubric must change all the same, an organizer of the campaign reopens it with a reason: every
final scorecard of the phase goes back to draft, with its scores and feedback kept and
``finalised_at`` cleared, in the organizer's transaction. The rubric can then be edited; the
judges finalise their scorecards again, and the rubric locks again at the first one.

Rules chosen here (DOMAIN.md is silent on them):
- a reason is required (at most 1000 characters, the audit log's limit);
- refused once the phase's advancement has been applied, or once the campaign's results are
  published: those outcomes were decided on the final scorecards;
- allowed after judging closed (before advancement): the judges can finalise again only once an
  organizer reopens the phase or moves its closing time, or through a scorecard import;
- the audit log gets one ``scorecard.reopened`` row per scorecard (its status, finalisation time
  and scores before) and one ``rubric.reset`` row on the phase with the reason and the count;
- the judges concerned are told through the event ``RubricReopened``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from accounts.models import User
from campaigns.deadlines import accepts_writes
from campaigns.models import Campaign, Phase
from core.audit import AuditEntry, record
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.events import publish
from judging.events import RubricReopened
from judging.models import Scorecard, ScorecardStatus
from judging.phases import PHASE_NOT_FOUND, organized_campaign_of
from judging.withdrawn import withdrawn_entries
from teams.models import Entry

REASON_MAX = 1000
ADVANCEMENT_APPLIED = N_(
    "Advancement has already been applied for this phase, so its rubric can no longer be reopened."
)
RESULTS_PUBLISHED = N_("The results of this campaign are published, so the rubric can no longer be reopened.")
NOTHING_FINAL = N_("No scorecard of this phase is final, so the rubric is already open for changes.")
REASON_MISSING = N_("Give the reason for reopening the rubric: the judges' final scorecards go back to draft.")
REASON_TOO_LONG = N_("Keep the reason within 1000 characters.")
RESET_ACTION = "rubric.reset"
REOPENED_ACTION = "scorecard.reopened"


@dataclass(frozen=True)
class ResetPreview:
    """What the confirmation page says before the reset."""

    final: int  # final scorecards of the phase, all reopened by the reset
    judges: int  # distinct judges who finalised them
    refusal: str | None  # why the reset is refused now (an N_ message), or None
    judging_open: bool  # whether judges can finalise again straight away


@dataclass(frozen=True)
class LastReset:
    at: datetime
    actor: str | None
    reason: str
    reopened: int


def reset_refusal(campaign: Campaign, phase: Phase) -> str | None:
    """Why the rubric of ``phase`` cannot be reopened now, or None."""
    if campaign.results_published_at is not None:
        return RESULTS_PUBLISHED
    if phase.advancement_applied_at is not None:
        return ADVANCEMENT_APPLIED
    return None


async def _final_counts(session: AsyncSession, phase_id: int) -> tuple[int, int]:
    row = (
        await session.execute(
            select(func.count(Scorecard.id), func.count(distinct(Scorecard.judge_id))).where(
                Scorecard.phase_id == phase_id, Scorecard.status == ScorecardStatus.FINAL
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def reset_preview(session: AsyncSession, campaign: Campaign, phase: Phase, now: datetime) -> ResetPreview:
    """The figures of the confirmation page (one query)."""
    final, judges = await _final_counts(session, phase.id)
    refusal = reset_refusal(campaign, phase) or (None if final else NOTHING_FINAL)
    return ResetPreview(final=final, judges=judges, refusal=refusal, judging_open=accepts_writes(phase, now))


async def last_reset(session: AsyncSession, phase: Phase) -> LastReset | None:
    """The latest reset of the phase's rubric, from the audit log (one query)."""
    row = (
        await session.execute(
            select(AuditEntry, User.name)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(
                AuditEntry.campaign_id == phase.campaign_id,
                AuditEntry.action == RESET_ACTION,
                AuditEntry.subject_type == Phase.__tablename__,
                AuditEntry.subject_id == phase.id,
            )
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    entry, actor = row
    after = entry.after or {}
    reopened = after.get("reopened")
    return LastReset(
        at=entry.at,
        actor=actor,
        reason=entry.reason or "",
        reopened=reopened if isinstance(reopened, int) else 0,
    )


async def reopened_scorecards(session: AsyncSession, campaign_ids: set[int], draft_ids: list[int]) -> set[int]:
    """Which of these draft scorecards (of these campaigns) were reopened by a reset (one query, also
    for no drafts, so that the queue's query count never depends on the data)."""
    rows = await session.scalars(
        select(AuditEntry.subject_id).where(
            AuditEntry.campaign_id.in_(campaign_ids),
            AuditEntry.action == REOPENED_ACTION,
            AuditEntry.subject_type == Scorecard.__tablename__,
            AuditEntry.subject_id.in_(draft_ids),
        )
    )
    return set(rows.all())


async def _lock(session: AsyncSession, phase: Phase) -> Campaign:
    """Locks the phase row (FOR UPDATE on PostgreSQL; SQLite serialises writers) and reads the
    campaign and the phase afresh, so that advancement or a publication committed meanwhile is seen."""
    locked = await session.scalar(
        select(Phase).where(Phase.id == phase.id).with_for_update().execution_options(populate_existing=True)
    )
    campaign = await session.scalar(
        select(Campaign)
        .where(Campaign.id == phase.campaign_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if locked is None or campaign is None:
        raise NotFound(PHASE_NOT_FOUND)
    return campaign


async def reopen_rubric(session: AsyncSession, actor: User, now: datetime, phase: Phase, reason: str) -> int:
    """Returns every final scorecard of ``phase`` to draft so that its rubric can change; how many.

    Scores, feedback and private notes are kept; ``finalised_at`` is cleared. Audited per
    scorecard and for the phase, with the reason; the judges concerned hear of it."""
    campaign = await organized_campaign_of(session, actor, phase)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": REASON_MISSING})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": REASON_TOO_LONG})
    campaign = await _lock(session, phase)
    refusal = reset_refusal(campaign, phase)
    if refusal is not None:
        raise Conflict(refusal)
    cards = list(
        (
            await session.scalars(
                select(Scorecard)
                .where(Scorecard.phase_id == phase.id, Scorecard.status == ScorecardStatus.FINAL)
                .options(selectinload(Scorecard.scores))
                .order_by(Scorecard.id)
                .execution_options(populate_existing=True)
            )
        ).all()
    )
    if not cards:
        raise Conflict(NOTHING_FINAL)
    for card in cards:
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action=REOPENED_ACTION,
            subject=card,
            campaign_id=campaign.id,
            before={
                "status": ScorecardStatus.FINAL.value,
                "finalised_at": card.finalised_at.isoformat() if card.finalised_at else None,
                "entry_id": card.entry_id,
                "judge_id": card.judge_id,
                "scores": {str(s.criterion_id): s.value for s in sorted(card.scores, key=lambda s: s.criterion_id)},
            },
            after={"status": ScorecardStatus.DRAFT.value, "finalised_at": None},
            reason=reason,
        )
        card.status = ScorecardStatus.DRAFT
        card.finalised_at = None
    await session.flush()
    # a withdrawn team's card is reopened with the others (or the rubric stays locked), but its
    # judge is not asked to finalise it again: it counts for nothing
    withdrawn = set(
        (await session.scalars(withdrawn_entries().where(Entry.id.in_(sorted({c.entry_id for c in cards}))))).all()
    )
    per_judge = Counter(card.judge_id for card in cards if card.entry_id not in withdrawn)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action=RESET_ACTION,
        subject=phase,
        campaign_id=campaign.id,
        before={"final_scorecards": len(cards)},
        after={
            "reopened": len(cards),
            "judges": len(per_judge),
            "scorecard_ids": [card.id for card in cards],
        },
        reason=reason,
    )
    await publish(
        session,
        RubricReopened(
            campaign_id=campaign.id,
            phase_id=phase.id,
            at=now,
            judges=tuple(sorted(per_judge.items())),
        ),
    )
    return len(cards)

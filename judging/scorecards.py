"""A judge's scorecards: the assigned entry as the score form shows it, saving a draft, finalising.

A judge's operations find the entry through the judge's own assignment, so anything else is 404.
They take the session, the judge and ``now`` (from the injected clock), validate, change and flush;
finalising writes its audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from accounts.models import User
from campaigns.deadlines import accepts_writes
from campaigns.models import Campaign, Challenge, Phase, PhaseKind, PhaseStatus
from core.audit import record
from core.errors import N_, Conflict, Invalid, NotFound, ValidationFailed
from judging.models import FEEDBACK_MAX, Assignment, Criterion, Score, Scorecard, ScorecardStatus
from judging.phases import ENTRY_NOT_FOUND, refuse_after_close
from judging.rubric import rubric
from judging.totals import judge_total
from judging.withdrawn import WITHDRAWN_ENTRY
from teams.models import Entry, EntryVersion, Team, TeamStatus

SCORECARD_FINAL = N_("This scorecard is final and can no longer be changed.")
OFF_SCALE = N_("Choose a score on this criterion's scale.")


# --- events ---------------------------------------------------------------------------------


class IncompleteScorecard(Invalid):
    """Finalising was refused because criteria are unscored; the draft has been saved."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(N_("Score every criterion before finalising. Missing: %(names)s."), names=", ".join(missing))
        self.missing = missing


@dataclass
class AssignedEntry:
    """Everything the score form shows: the entry as submitted, the rubric, the judge's own scorecard."""

    campaign: Campaign
    phase: Phase
    entry: Entry
    team: Team
    challenge: Challenge
    version: EntryVersion
    criteria: list[Criterion]
    scorecard: Scorecard | None

    @property
    def scores(self) -> dict[int, int]:
        return {s.criterion_id: s.value for s in self.scorecard.scores} if self.scorecard else {}


async def _own_scorecard(session: AsyncSession, judge: User, phase_id: int, entry_id: int) -> Scorecard | None:
    card: Scorecard | None = await session.scalar(
        select(Scorecard)
        .where(Scorecard.phase_id == phase_id, Scorecard.entry_id == entry_id, Scorecard.judge_id == judge.id)
        .options(selectinload(Scorecard.scores))
        .execution_options(populate_existing=True)
    )
    return card


async def get_assigned_entry(session: AsyncSession, judge: User, phase_id: int, entry_id: int) -> AssignedEntry:
    """The entry if ``judge`` is assigned to it in ``phase_id``; anyone else gets 404."""
    row = (
        await session.execute(
            select(Entry, Team, Challenge, Phase, Campaign, EntryVersion)
            .join(Assignment, (Assignment.entry_id == Entry.id) & (Assignment.judge_id == judge.id))
            .join(Phase, Phase.id == Assignment.phase_id)
            .join(Campaign, Campaign.id == Phase.campaign_id)
            .join(Team, Team.id == Entry.team_id)
            .join(Challenge, Challenge.id == Team.challenge_id)
            .join(
                EntryVersion,
                (EntryVersion.entry_id == Entry.id) & (EntryVersion.number == Entry.submitted_version),
            )
            .where(
                Entry.id == entry_id,
                Assignment.phase_id == phase_id,
                Phase.kind == PhaseKind.JUDGING,
                Entry.phase_id == Phase.judges_phase_id,
            )
            .options(selectinload(Entry.submitted_attachments))  # the submitted files shown beside its text
        )
    ).first()
    if row is None:
        raise NotFound(ENTRY_NOT_FOUND)
    entry, team, challenge, phase, campaign, version = row
    if team.status is TeamStatus.WITHDRAWN:  # its assignment counts for nothing; the judge hears why
        raise NotFound(WITHDRAWN_ENTRY)
    return AssignedEntry(
        campaign=campaign,
        phase=phase,
        entry=entry,
        team=team,
        challenge=challenge,
        version=version,
        criteria=await rubric(session, phase.id),
        scorecard=await _own_scorecard(session, judge, phase.id, entry.id),
    )


def _require_open(phase: Phase, now: datetime) -> None:
    if accepts_writes(phase, now):
        return
    if phase.status is not PhaseStatus.CLOSED and now < phase.opens_at:
        raise Conflict(N_("Judging opens at %(when)s."), when=phase.opens_at)
    refuse_after_close(
        phase,
        now,
        closed_early=N_("An organizer has closed judging, so scores can no longer be changed."),
        closed_at=N_("Judging closed at %(when)s, so scores can no longer be changed."),
    )


def _score_errors(view: AssignedEntry, values: dict[int, int], feedback: str, private_note: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    by_id = {c.id: c for c in view.criteria}
    for criterion_id, value in values.items():
        criterion = by_id.get(criterion_id)
        if criterion is None or not criterion.scale_min <= value <= criterion.scale_max:
            errors[f"c{criterion_id}"] = OFF_SCALE
    if len(feedback) > FEEDBACK_MAX:
        errors["feedback"] = N_("The feedback can be at most 5000 characters.")
    if len(private_note) > FEEDBACK_MAX:
        errors["private_note"] = N_("The private note can be at most 5000 characters.")
    return errors


async def _lock_for_writing(session: AsyncSession, judge: User, view: AssignedEntry) -> None:
    """Serialises the writes of one judge on one entry (an autosave racing "Finalise"), then reads
    the scorecard afresh, so that a finalisation committed meanwhile is seen.

    The phase row is locked FOR SHARE (closing judging or reopening the rubric waits for this
    write) and the judge's assignment FOR UPDATE; SQLite serialises writers anyway."""
    locked = select(Phase).where(Phase.id == view.phase.id).with_for_update(read=True)
    await session.scalar(locked.execution_options(populate_existing=True))
    await session.execute(
        select(Assignment.id)
        .where(
            Assignment.phase_id == view.phase.id,
            Assignment.entry_id == view.entry.id,
            Assignment.judge_id == judge.id,
        )
        .with_for_update()
    )
    view.scorecard = await _own_scorecard(session, judge, view.phase.id, view.entry.id)


def _unchanged_final(card: Scorecard | None, values: dict[int, int], feedback: str, private_note: str) -> bool:
    """A final scorecard that already holds exactly this: a late autosave, or finalising twice."""
    return (
        card is not None
        and card.status is ScorecardStatus.FINAL
        and card.feedback == feedback
        and card.private_note == private_note
        and {s.criterion_id: s.value for s in card.scores} == values
    )


async def _save(
    session: AsyncSession,
    judge: User,
    view: AssignedEntry,
    values: dict[int, int],
    feedback: str,
    private_note: str,
    now: datetime,
) -> Scorecard:
    _require_open(view.phase, now)
    if view.scorecard is not None and view.scorecard.status is ScorecardStatus.FINAL:
        raise Conflict(SCORECARD_FINAL)
    errors = _score_errors(view, values, feedback, private_note)
    if errors:
        raise ValidationFailed(errors)
    card = view.scorecard
    if card is None:
        card = Scorecard(
            phase_id=view.phase.id,
            entry_id=view.entry.id,
            judge_id=judge.id,
            status=ScorecardStatus.DRAFT,
            scores=[],
        )
        session.add(card)
        view.scorecard = card
    card.feedback = feedback
    card.private_note = private_note
    existing = {s.criterion_id: s for s in card.scores}
    for criterion_id, value in values.items():
        if criterion_id in existing:
            existing[criterion_id].value = value
        else:
            card.scores.append(Score(criterion_id=criterion_id, value=value))
    await session.flush()
    return card


async def save_scores(
    session: AsyncSession,
    judge: User,
    phase_id: int,
    entry_id: int,
    values: dict[int, int],
    feedback: str,
    private_note: str,
    now: datetime,
) -> AssignedEntry:
    """Saves the judge's draft (created on first save); returns the refreshed view.

    An autosave that reaches a final scorecard holding exactly what it carries (it was sent just
    before "Finalise", which carried the same fields) changes nothing and is not refused."""
    view = await get_assigned_entry(session, judge, phase_id, entry_id)
    await _lock_for_writing(session, judge, view)
    if _unchanged_final(view.scorecard, values, feedback.strip(), private_note.strip()):
        return view
    await _save(session, judge, view, values, feedback.strip(), private_note.strip(), now)
    return view


async def finalise_scorecard(
    session: AsyncSession,
    judge: User,
    phase_id: int,
    entry_id: int,
    values: dict[int, int],
    feedback: str,
    private_note: str,
    now: datetime,
) -> AssignedEntry:
    """Saves, then makes the scorecard final if every criterion is scored.

    Raises ``IncompleteScorecard`` after saving the draft when criteria are missing: the caller
    commits so that what the judge chose is kept. Finalising again with the same fields (a
    double click, a re-sent form) changes nothing and is not refused.
    """
    view = await get_assigned_entry(session, judge, phase_id, entry_id)
    await _lock_for_writing(session, judge, view)
    if _unchanged_final(view.scorecard, values, feedback.strip(), private_note.strip()):
        return view
    card = await _save(session, judge, view, values, feedback.strip(), private_note.strip(), now)
    scores = view.scores
    missing = [c.name for c in view.criteria if c.id not in scores]
    if missing:
        raise IncompleteScorecard(missing)
    if not view.criteria:
        raise Conflict(N_("This phase has no rubric yet, so there is nothing to finalise."))
    card.status = ScorecardStatus.FINAL
    card.finalised_at = now
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=judge.id,
        action="scorecard.finalised",
        subject=card,
        campaign_id=view.campaign.id,
        before={"status": ScorecardStatus.DRAFT.value},
        after={
            "status": ScorecardStatus.FINAL.value,
            "entry_id": view.entry.id,
            "scores": {str(k): v for k, v in sorted(scores.items())},
            "total": judge_total(view.criteria, scores),
        },
    )
    return view

"""Importing scorecards from a sheet, for live finals scored on paper or in a spreadsheet.

Rules chosen here (DOMAIN.md is silent on them):
- organizers of the campaign only (others: 404); refused once the campaign's results are published;
- all or nothing: every row is checked (``judging.sheets``) and then against the database before
  anything is written; the caller's transaction commits the whole import or nothing;
- a judge not yet assigned to the entry is assigned by hand (source ``manual``) — unless the judge
  belongs to the entry's team, declared a conflict on it, or is limited to other challenges;
- a row for the entry of a withdrawn team is refused (``judging.withdrawn``);
- a judge's FINAL scorecard for the entry is an error unless ``replace`` is asked for; a draft is
  overwritten; replaced scorecards are audited one by one with their scores before and after;
- imported scorecards are final with ``finalised_at = now``; the rubric then locks as usual;
- one audit row ``scorecards.imported`` with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from accounts.models import User
from campaigns.models import Phase
from core.audit import record
from core.errors import N_, Conflict
from judging.assign_by_hand import judge_pool, submitted_entries_query
from judging.models import (
    Assignment,
    AssignmentSource,
    ConflictDeclaration,
    JudgeChallenge,
    Score,
    Scorecard,
    ScorecardStatus,
)
from judging.phases import organized_campaign_of
from judging.rubric import rubric
from judging.sheets import (
    ENTRY,
    JUDGE,
    EntryRef,
    RubricColumn,
    SheetError,
    SheetInvalid,
    SheetRow,
    read_table,
    validate,
)
from judging.totals import judge_total
from judging.withdrawn import WITHDRAWN_ENTRY
from teams.models import Membership, TeamStatus


@dataclass(frozen=True)
class ImportReport:
    created: int
    replaced: int
    assigned: int  # assignments made by hand for rows without one


@dataclass
class _Context:
    assignments: set[tuple[int, int]]  # (judge id, entry id)
    cards: dict[tuple[int, int], Scorecard]
    members: set[tuple[int, int]]  # (user id, entry id)
    conflicts: set[tuple[int, int]]
    limits: dict[int, set[int]]  # judge id -> challenge ids (no key: all)
    challenge_of: dict[int, int]  # entry id -> challenge id
    withdrawn: set[int] = field(default_factory=set)  # entry ids of withdrawn teams


async def _context(session: AsyncSession, phase: Phase, rows: list[SheetRow], team_of: dict[int, int]) -> _Context:
    judge_ids = sorted({r.judge_id for r in rows})
    entry_ids = sorted({r.entry_id for r in rows})
    assigned = await session.execute(
        select(Assignment.judge_id, Assignment.entry_id).where(
            Assignment.phase_id == phase.id, Assignment.entry_id.in_(entry_ids)
        )
    )
    cards = await session.scalars(
        select(Scorecard)
        .where(Scorecard.phase_id == phase.id, Scorecard.entry_id.in_(entry_ids), Scorecard.judge_id.in_(judge_ids))
        .options(selectinload(Scorecard.scores))
    )
    members = await session.execute(
        select(Membership.user_id, Membership.team_id).where(
            Membership.team_id.in_(set(team_of.values())), Membership.user_id.in_(judge_ids)
        )
    )
    entries_of_team: dict[int, list[int]] = {}
    for entry_id, team_id in team_of.items():
        entries_of_team.setdefault(team_id, []).append(entry_id)
    conflicts = await session.execute(
        select(ConflictDeclaration.judge_id, ConflictDeclaration.entry_id).where(
            ConflictDeclaration.phase_id == phase.id, ConflictDeclaration.entry_id.in_(entry_ids)
        )
    )
    limits: dict[int, set[int]] = {}
    for judge_id, challenge_id in (
        await session.execute(
            select(JudgeChallenge.judge_id, JudgeChallenge.challenge_id).where(
                JudgeChallenge.campaign_id == phase.campaign_id, JudgeChallenge.judge_id.in_(judge_ids)
            )
        )
    ).all():
        limits.setdefault(judge_id, set()).add(challenge_id)
    return _Context(
        assignments={(j, e) for j, e in assigned.all()},
        cards={(c.judge_id, c.entry_id): c for c in cards.all()},
        members={(u, e) for u, t in members.all() for e in entries_of_team.get(t, [])},
        conflicts={(j, e) for j, e in conflicts.all()},
        limits=limits,
        challenge_of={},
    )


def _row_errors(row: SheetRow, ctx: _Context, replace: bool) -> list[SheetError]:
    key = (row.judge_id, row.entry_id)
    if row.entry_id in ctx.withdrawn:
        return [SheetError(row.row, ENTRY, WITHDRAWN_ENTRY)]
    if key in ctx.members:
        return [SheetError(row.row, ENTRY, N_("This judge is a member of the entry's team and cannot judge it."))]
    if key in ctx.conflicts:
        return [SheetError(row.row, ENTRY, N_("This judge declared a conflict of interest with this entry."))]
    limit = ctx.limits.get(row.judge_id)
    if limit is not None and ctx.challenge_of.get(row.entry_id) not in limit:
        return [SheetError(row.row, JUDGE, N_("This judge only judges other challenges."))]
    card = ctx.cards.get(key)
    if card is not None and card.status is ScorecardStatus.FINAL and not replace:
        message = N_("This judge already has a final scorecard for this entry; choose “replace” to overwrite it.")
        return [SheetError(row.row, ENTRY, message)]
    return []


async def import_scorecards(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, data: bytes, *, replace: bool = False
) -> ImportReport:
    """Imports every row of the sheet as a final scorecard, or raises ``SheetInvalid`` and writes nothing."""
    campaign = await organized_campaign_of(session, actor, phase)
    if campaign.results_published_at is not None:
        raise Conflict(N_("The results are published, so scorecards can no longer be imported."))
    table = read_table(data)
    criteria = await rubric(session, phase.id)
    # withdrawn teams' entries too, so that a row naming one is refused with the reason
    entries = list((await session.scalars(submitted_entries_query(phase))).unique().all())
    judges = {u.email.lower(): u.id for u in await judge_pool(session, campaign.id)}
    columns = [RubricColumn(c.id, c.name, c.scale_min, c.scale_max) for c in criteria]
    rows, errors = validate(table, columns, [EntryRef(e.id, e.team.name) for e in entries], judges)
    if errors:
        raise SheetInvalid(errors)
    ctx = await _context(session, phase, rows, {e.id: e.team_id for e in entries})
    ctx.challenge_of = {e.id: e.team.challenge_id for e in entries}
    ctx.withdrawn = {e.id for e in entries if e.team.status is TeamStatus.WITHDRAWN}
    errors = [error for row in rows for error in _row_errors(row, ctx, replace)]
    if errors:
        raise SheetInvalid(errors)
    created = replaced = assigned = 0
    for row in rows:
        key = (row.judge_id, row.entry_id)
        if key not in ctx.assignments:
            session.add(
                Assignment(
                    phase_id=phase.id, entry_id=row.entry_id, judge_id=row.judge_id, source=AssignmentSource.MANUAL
                )
            )
            assigned += 1
        card = ctx.cards.get(key)
        before = None
        if card is None:
            card = Scorecard(phase_id=phase.id, entry_id=row.entry_id, judge_id=row.judge_id, scores=[])
            session.add(card)
            created += 1
        else:
            if card.status is ScorecardStatus.FINAL:
                before = {"scores": {str(s.criterion_id): s.value for s in card.scores}, "feedback": card.feedback}
                replaced += 1
            else:
                created += 1
        existing = {s.criterion_id: s for s in card.scores}
        for criterion_id, value in row.scores.items():
            if criterion_id in existing:
                existing[criterion_id].value = value
            else:
                card.scores.append(Score(criterion_id=criterion_id, value=value))
        card.feedback, card.private_note = row.feedback, row.private_note
        card.status, card.finalised_at = ScorecardStatus.FINAL, now
        await session.flush()
        if before is not None:
            after = {"scores": {str(k): v for k, v in sorted(row.scores.items())}, "feedback": row.feedback}
            await record(
                session,
                at=now,
                actor_id=actor.id,
                action="scorecard.replaced_by_import",
                subject=card,
                campaign_id=campaign.id,
                before=before,
                after={**after, "total": judge_total(criteria, row.scores)},
            )
    report = ImportReport(created=created, replaced=replaced, assigned=assigned)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="scorecards.imported",
        subject=phase,
        campaign_id=campaign.id,
        after={"rows": len(rows), "created": created, "replaced": replaced, "assigned": assigned},
    )
    return report

"""Assignment by hand: the entries a judging phase judges, the judge pool and loads, the assignment
page's board, and the organizer's adding and removing of one judge on one entry.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
validates, changes, flushes and writes its audit row. It takes a judging phase already resolved
in the actor's scope and checks the organizer right again.

Rule chosen here (DOMAIN.md is silent on it): removing an assignment keeps the judge's draft
scorecard (it counts for nothing, and comes back if the judge is assigned again); an assignment
with a final scorecard cannot be removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.access import is_judge_of
from campaigns.models import CampaignRole, CampaignRoleKind, Phase
from core.audit import record
from core.concurrency import add_unique
from core.errors import N_, Conflict, Invalid, NotFound
from judging.conflicts import pair_conflict
from judging.models import Assignment, Scorecard, ScorecardStatus
from judging.phases import ENTRY_NOT_FOUND, organized_campaign_of
from judging.withdrawn import WITHDRAWN_ENTRY, judged
from teams.models import Entry, EntryStatus, Membership, Team, TeamStatus

ASSIGNMENT_NOT_FOUND = N_("We could not find that assignment.")


def submitted_entries_query(phase: Phase) -> Select[tuple[Entry]]:
    """The submitted entries of the submission phase that ``phase`` judges, with team and challenge,
    withdrawn teams' included."""
    return (
        select(Entry)
        .where(Entry.phase_id == phase.judges_phase_id, Entry.status == EntryStatus.SUBMITTED)
        .options(joinedload(Entry.team).joinedload(Team.challenge))
        .order_by(Entry.id)
    )


def assignable_entries_query(phase: Phase) -> Select[tuple[Entry]]:
    """The entries ``phase`` judges: submitted ones of teams that have not withdrawn."""
    return submitted_entries_query(phase).where(judged(Entry.id))


@dataclass
class AssignmentBoard:
    """What the assignment page shows for one page of entries: constant queries whatever the size."""

    assignments: dict[int, list[Assignment]]  # entry id -> assignments, with judges
    statuses: dict[tuple[int, int], ScorecardStatus]  # (entry id, judge id) -> scorecard status
    members: dict[int, set[int]]  # team id -> member user ids
    pool: list[User]


async def judge_pool(session: AsyncSession, campaign_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(CampaignRole, CampaignRole.user_id == User.id)
        .where(
            CampaignRole.campaign_id == campaign_id,
            CampaignRole.role == CampaignRoleKind.JUDGE,
            User.is_active.is_(True),
        )
        .order_by(User.name, User.id)
    )
    return list(rows.all())


async def judge_loads(session: AsyncSession, phase_id: int) -> dict[int, int]:
    """Judge id -> entries assigned to them in the phase (a withdrawn team's entry counts for nothing)."""
    rows = await session.execute(
        select(Assignment.judge_id, func.count())
        .where(Assignment.phase_id == phase_id, judged(Assignment.entry_id))
        .group_by(Assignment.judge_id)
    )
    return {judge_id: count for judge_id, count in rows.tuples()}


async def assignment_board(session: AsyncSession, phase: Phase, entries: list[Entry]) -> AssignmentBoard:
    entry_ids = [e.id for e in entries]
    team_ids = {e.team_id for e in entries}
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    statuses: dict[tuple[int, int], ScorecardStatus] = {}
    members: dict[int, set[int]] = defaultdict(set)
    if entry_ids:
        rows = await session.scalars(
            select(Assignment)
            .where(Assignment.phase_id == phase.id, Assignment.entry_id.in_(entry_ids))
            .options(joinedload(Assignment.judge))
            .order_by(Assignment.id)
        )
        for assignment in rows.all():
            assignments[assignment.entry_id].append(assignment)
        cards = await session.execute(
            select(Scorecard.entry_id, Scorecard.judge_id, Scorecard.status).where(
                Scorecard.phase_id == phase.id, Scorecard.entry_id.in_(entry_ids)
            )
        )
        for entry_id, judge_id, status in cards.all():
            statuses[(entry_id, judge_id)] = status
        people = await session.execute(
            select(Membership.team_id, Membership.user_id).where(Membership.team_id.in_(team_ids))
        )
        for team_id, user_id in people.all():
            members[team_id].add(user_id)
    pool = await judge_pool(session, phase.campaign_id)
    return AssignmentBoard(assignments=dict(assignments), statuses=statuses, members=dict(members), pool=pool)


async def assign_judge(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, entry_id: int, judge_id: int | None
) -> Assignment:
    campaign = await organized_campaign_of(session, actor, phase)
    entry = await session.scalar(
        select(Entry)
        .where(Entry.id == entry_id, Entry.phase_id == phase.judges_phase_id, Entry.status == EntryStatus.SUBMITTED)
        .options(joinedload(Entry.team))
    )
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    if entry.team.status is TeamStatus.WITHDRAWN:  # not on the assignment page any more: say why
        raise NotFound(WITHDRAWN_ENTRY)
    if judge_id is None or not await is_judge_of(session, campaign.id, judge_id):
        raise Invalid(N_("Choose a judge from the campaign's judge pool."), field="judge_id")
    reason = await pair_conflict(session, phase, entry, judge_id)
    if reason is not None:
        raise Conflict(reason, field="judge_id")
    duplicate = await session.scalar(
        select(
            exists().where(
                Assignment.phase_id == phase.id, Assignment.entry_id == entry.id, Assignment.judge_id == judge_id
            )
        )
    )
    already = Conflict(N_("This judge is already assigned to this entry."), field="judge_id")
    if duplicate:
        raise already
    assignment = Assignment(phase_id=phase.id, entry_id=entry.id, judge_id=judge_id)
    if not await add_unique(session, assignment):  # assigned at the same moment by another request
        raise already
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="assignment.added",
        subject=assignment,
        campaign_id=campaign.id,
        after={"phase_id": phase.id, "entry_id": entry.id, "judge_id": judge_id, "by_hand": True},
    )
    return assignment


async def unassign_judge(session: AsyncSession, actor: User, now: datetime, phase: Phase, assignment_id: int) -> None:
    campaign = await organized_campaign_of(session, actor, phase)
    assignment = await session.scalar(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.phase_id == phase.id)
    )
    if assignment is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND)
    final = await session.scalar(
        select(
            exists().where(
                Scorecard.phase_id == phase.id,
                Scorecard.entry_id == assignment.entry_id,
                Scorecard.judge_id == assignment.judge_id,
                Scorecard.status == ScorecardStatus.FINAL,
            )
        )
    )
    if final:
        raise Conflict(N_("This judge has finalised their scorecard for the entry, so the assignment stays."))
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="assignment.removed",
        subject=assignment,
        campaign_id=campaign.id,
        before={"phase_id": phase.id, "entry_id": assignment.entry_id, "judge_id": assignment.judge_id},
    )
    await session.delete(assignment)
    await session.flush()

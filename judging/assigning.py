"""Automatic assignment of judges and a judge's declared conflict of interest.

Rules chosen here (DOMAIN.md is silent on them):
- a re-run keeps every assignment made by hand and every one whose scorecard is started (draft
  or final); the other automatic ones are replaced, all in one transaction;
- a declared conflict removes the judge's assignment (a draft of theirs is kept but counts for
  nothing) and gives the entry one replacement, the least loaded judge allowed to judge it;
  when nobody is, the entry stays short and the assignment and progress pages list it;
- a judge cannot declare a conflict on a scorecard they have already finalised, nor once judging
  has closed (``closes_at`` + grace, or closed early by an organizer: the check of scoring);
  before judging opens they can, so that the entry gets its replacement in time;
- the result says how many judges the entry still misses after the replacement (0 when it has
  its k judges), so the judge is never told of a replacement that was not found;
- a withdrawn team's entry is never assigned, and its assignments count for nothing
  (``judging.withdrawn``): a re-run leaves them as they are, and its judges cannot declare a conflict on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import CampaignRole, CampaignRoleKind, Phase, PhaseKind
from core.audit import record
from core.concurrency import add_unique, serialise
from core.errors import N_, Conflict, NotFound, ValidationFailed
from judging.assign_by_hand import judge_loads
from judging.assignment_rules import EntrySpec, JudgeSpec, Plan, allowed, solve
from judging.models import (
    Assignment,
    AssignmentSource,
    ConflictDeclaration,
    JudgeChallenge,
    Scorecard,
    ScorecardStatus,
)
from judging.phases import organized_campaign_of, refuse_after_close
from judging.withdrawn import judged, team_judged
from teams.models import Entry, EntryStatus, Membership, Team

REASON_MAX = 500
ENTRY_NOT_FOUND = N_("We could not find that entry.")


@dataclass
class AutoAssignResult:
    added: int
    removed: int
    kept: int
    plan: Plan
    entries: int
    judges: int


@dataclass
class DeclarationResult:
    declaration: ConflictDeclaration
    replacement_id: int | None
    missing: int = field(default=0)  # judges the entry still lacks of the phase's k

    @property
    def short(self) -> bool:
        return self.missing > 0


async def judge_specs(session: AsyncSession, campaign_id: int) -> list[JudgeSpec]:
    """The campaign's active judges with their department and challenge limits (two queries)."""
    rows = await session.execute(
        select(User.id, User.department_id)
        .join(CampaignRole, CampaignRole.user_id == User.id)
        .where(
            CampaignRole.campaign_id == campaign_id,
            CampaignRole.role == CampaignRoleKind.JUDGE,
            User.is_active.is_(True),
        )
    )
    limits: dict[int, set[int]] = defaultdict(set)
    for judge_id, challenge_id in await session.execute(
        select(JudgeChallenge.judge_id, JudgeChallenge.challenge_id).where(JudgeChallenge.campaign_id == campaign_id)
    ):
        limits[judge_id].add(challenge_id)
    return [JudgeSpec(id=j, department_id=d, challenges=frozenset(limits[j]) if j in limits else None) for j, d in rows]


async def entry_specs(session: AsyncSession, phase: Phase, entry_id: int | None = None) -> list[EntrySpec]:
    """The submitted entries ``phase`` judges (no withdrawn team's), with their team's members and departments."""
    entries_q = select(Entry.id, Entry.team_id, Team.challenge_id).join(Team, Team.id == Entry.team_id)
    entries_q = entries_q.where(
        Entry.phase_id == phase.judges_phase_id, Entry.status == EntryStatus.SUBMITTED, team_judged()
    )
    if entry_id is not None:
        entries_q = entries_q.where(Entry.id == entry_id)
    rows = (await session.execute(entries_q)).all()
    team_ids = select(Entry.team_id).where(Entry.phase_id == phase.judges_phase_id)
    if entry_id is not None:
        team_ids = team_ids.where(Entry.id == entry_id)
    members: dict[int, set[int]] = defaultdict(set)
    departments: dict[int, set[int]] = defaultdict(set)
    people = await session.execute(
        select(Membership.team_id, Membership.user_id, User.department_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id.in_(team_ids))
    )
    for team_id, user_id, department_id in people:
        members[team_id].add(user_id)
        if department_id is not None:
            departments[team_id].add(department_id)
    return [
        EntrySpec(id=e, challenge_id=c, members=frozenset(members[t]), departments=frozenset(departments[t]))
        for e, t, c in rows
    ]


async def _declared(session: AsyncSession, phase_id: int) -> set[tuple[int, int]]:
    rows = await session.execute(
        select(ConflictDeclaration.entry_id, ConflictDeclaration.judge_id).where(
            ConflictDeclaration.phase_id == phase_id
        )
    )
    return {(e, j) for e, j in rows}


async def auto_assign(session: AsyncSession, actor: User, now: datetime, phase: Phase, seed: int) -> AutoAssignResult:
    """Gives every entry ``phase.required_judges`` judges where possible; see the module rules."""
    campaign = await organized_campaign_of(session, actor, phase)
    entries = await entry_specs(session, phase)
    judges = await judge_specs(session, campaign.id)
    started = {
        (e, j)
        for e, j in await session.execute(
            select(Scorecard.entry_id, Scorecard.judge_id).where(Scorecard.phase_id == phase.id)
        )
    }
    kept: set[tuple[int, int]] = set()
    replaced: list[int] = []
    # a withdrawn team's assignments are left as they are: they count for nothing, not even as load
    for assignment_id, entry_id, judge_id, source in await session.execute(
        select(Assignment.id, Assignment.entry_id, Assignment.judge_id, Assignment.source).where(
            Assignment.phase_id == phase.id, judged(Assignment.entry_id)
        )
    ):
        if source is AssignmentSource.MANUAL or (entry_id, judge_id) in started:
            kept.add((entry_id, judge_id))
        else:
            replaced.append(assignment_id)
    plan = solve(
        entries,
        judges,
        phase.required_judges,
        kept=kept,
        declared=await _declared(session, phase.id),
        department_rule=phase.department_conflict,
        seed=seed,
    )
    if replaced:
        await session.execute(delete(Assignment).where(Assignment.id.in_(replaced)))
    if plan.pairs:
        await session.execute(
            insert(Assignment),
            [
                {"phase_id": phase.id, "entry_id": e, "judge_id": j, "source": AssignmentSource.AUTOMATIC}
                for e, j in plan.pairs
            ],
        )
    await session.flush()
    result = AutoAssignResult(
        added=len(plan.pairs),
        removed=len(replaced),
        kept=len(kept),
        plan=plan,
        entries=len(entries),
        judges=len(judges),
    )
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="assignment.auto",
        subject=phase,
        campaign_id=campaign.id,
        after={
            "seed": seed,
            "k": phase.required_judges,
            "added": result.added,
            "removed": result.removed,
            "kept": result.kept,
            "entries_short": len(plan.short),
            "judges_missing": plan.missing,
        },
    )
    return result


ALREADY_DECLARED = N_("You have already declared a conflict of interest on this entry.")


class AlreadyDeclared(Conflict):
    """The judge's declaration on this entry was recorded a moment ago (the form sent twice at once)."""


async def has_declared(session: AsyncSession, judge: User, phase_id: int, entry_id: int) -> bool:
    """Whether the judge declared a conflict of interest on the entry in the phase."""
    found = await session.scalar(
        select(ConflictDeclaration.id).where(
            ConflictDeclaration.phase_id == phase_id,
            ConflictDeclaration.entry_id == entry_id,
            ConflictDeclaration.judge_id == judge.id,
        )
    )
    return found is not None


async def declare_conflict(
    session: AsyncSession, judge: User, now: datetime, phase_id: int, entry_id: int, reason: str
) -> DeclarationResult:
    """The judge steps away from an assigned entry; one replacement is assigned if anyone may judge it."""
    reason = reason.strip()
    row = (
        await session.execute(
            select(Assignment, Phase)
            .join(Phase, Phase.id == Assignment.phase_id)
            .where(
                Assignment.phase_id == phase_id,
                Assignment.entry_id == entry_id,
                Assignment.judge_id == judge.id,
                Phase.kind == PhaseKind.JUDGING,
                judged(Assignment.entry_id),
            )
        )
    ).first()
    if row is None:
        raise NotFound(ENTRY_NOT_FOUND)
    assignment, phase = row
    status = await session.scalar(
        select(Scorecard.status).where(
            Scorecard.phase_id == phase.id, Scorecard.entry_id == entry_id, Scorecard.judge_id == judge.id
        )
    )
    if status is ScorecardStatus.FINAL:
        raise Conflict(
            N_(
                "You have finalised this scorecard, so you can no longer declare a conflict of interest on it. "
                "Tell the organizers if you need to."
            )
        )
    refuse_after_close(
        phase,
        now,
        closed_early=N_("An organizer has closed judging, so conflicts of interest can no longer be declared."),
        closed_at=N_("Judging closed at %(when)s, so conflicts of interest can no longer be declared."),
    )
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": N_("The reason can be at most 500 characters.")})
    declaration = ConflictDeclaration(
        phase_id=phase.id, entry_id=entry_id, judge_id=judge.id, reason=reason, declared_at=now
    )
    if not await add_unique(session, declaration):  # the same declaration, sent twice at once
        raise AlreadyDeclared(ALREADY_DECLARED)
    await session.delete(assignment)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=judge.id,
        action="conflict.declared",
        subject=declaration,
        campaign_id=phase.campaign_id,
        after={"phase_id": phase.id, "entry_id": entry_id, "judge_id": judge.id},
        reason=reason or None,
    )
    replacement, missing = await _replace(session, now, phase, entry_id)
    return DeclarationResult(declaration=declaration, replacement_id=replacement, missing=missing)


async def _replace(session: AsyncSession, now: datetime, phase: Phase, entry_id: int) -> tuple[int | None, int]:
    """Assigns one replacement if the entry lacks judges; returns it and how many judges still lack.

    One at a time per entry: two judges stepping away from it at once never pick the same replacement."""
    await serialise(session, f"judges-of-entry:{phase.id}:{entry_id}")
    assigned = set(
        (
            await session.scalars(
                select(Assignment.judge_id).where(Assignment.phase_id == phase.id, Assignment.entry_id == entry_id)
            )
        ).all()
    )
    missing = max(0, phase.required_judges - len(assigned))
    specs = await entry_specs(session, phase, entry_id)
    if not specs or not missing:
        return None, missing
    declared = await _declared(session, phase.id)
    loads = await judge_loads(session, phase.id)
    candidates = [
        judge
        for judge in await judge_specs(session, phase.campaign_id)
        if judge.id not in assigned and allowed(specs[0], judge, declared, phase.department_conflict)
    ]
    if not candidates:
        return None, missing
    chosen = min(candidates, key=lambda j: (loads.get(j.id, 0), j.id))
    assignment = Assignment(phase_id=phase.id, entry_id=entry_id, judge_id=chosen.id, source=AssignmentSource.AUTOMATIC)
    session.add(assignment)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=None,
        action="assignment.added",
        subject=assignment,
        campaign_id=phase.campaign_id,
        after={"phase_id": phase.id, "entry_id": entry_id, "judge_id": chosen.id, "replacing_conflict": True},
    )
    return chosen.id, missing - 1

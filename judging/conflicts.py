"""Whether a judge may judge an entry: shared by assignment by hand, automatic assignment and
the replacement after a declared conflict."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Phase
from core.errors import N_
from judging.models import ConflictDeclaration, JudgeChallenge
from teams.models import Entry, Membership, Team

TEAM_MEMBER = N_("This judge is a member of the entry's team and cannot judge it.")
DECLARED = N_("This judge has declared a conflict of interest with this entry.")
SAME_DEPARTMENT = N_("This judge belongs to the department of a team member, which this phase does not allow.")
OUT_OF_LIMITS = N_("This judge is limited to other challenges.")


async def pair_conflict(session: AsyncSession, phase: Phase, entry: Entry, judge_id: int) -> str | None:
    """The reason ``judge_id`` may not judge ``entry`` in ``phase``, or ``None`` when they may."""
    member = await session.scalar(
        select(exists().where(Membership.team_id == entry.team_id, Membership.user_id == judge_id))
    )
    if member:
        return TEAM_MEMBER
    declared = await session.scalar(
        select(
            exists().where(
                ConflictDeclaration.phase_id == phase.id,
                ConflictDeclaration.entry_id == entry.id,
                ConflictDeclaration.judge_id == judge_id,
            )
        )
    )
    if declared:
        return DECLARED
    if phase.department_conflict:
        judge_department = await session.scalar(select(User.department_id).where(User.id == judge_id))
        if judge_department is not None:
            same = await session.scalar(
                select(
                    exists().where(
                        Membership.team_id == entry.team_id,
                        Membership.user_id == User.id,
                        User.department_id == judge_department,
                    )
                )
            )
            if same:
                return SAME_DEPARTMENT
    limits = list(
        (
            await session.scalars(
                select(JudgeChallenge.challenge_id).where(
                    JudgeChallenge.campaign_id == phase.campaign_id, JudgeChallenge.judge_id == judge_id
                )
            )
        ).all()
    )
    if limits:
        challenge_id = await session.scalar(select(Team.challenge_id).where(Team.id == entry.team_id))
        if challenge_id not in limits:
            return OUT_OF_LIMITS
    return None

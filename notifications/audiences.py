"""Who hears about what: set-based queries for the people a notification goes to."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, CampaignDepartment, CampaignRole, CampaignRoleKind
from judging.models import Assignment, Scorecard, ScorecardStatus
from judging.withdrawn import judged
from teams.models import Entry, Membership, Team, TeamStatus


async def eligible_staff(session: AsyncSession, campaign: Campaign) -> list[int]:
    """Everyone who may take part: all active staff, or those of the campaign's departments."""
    stmt = select(User.id).where(User.is_active.is_(True))
    if not campaign.all_staff_eligible:
        departments = select(CampaignDepartment.department_id).where(CampaignDepartment.campaign_id == campaign.id)
        stmt = stmt.where(User.department_id.in_(departments))
    return list((await session.scalars(stmt)).all())


async def team_members(session: AsyncSession, campaign_id: int, *, active_only: bool = True) -> list[int]:
    stmt = select(Membership.user_id).join(Team, Team.id == Membership.team_id).where(Team.campaign_id == campaign_id)
    if active_only:
        stmt = stmt.where(Team.status == TeamStatus.ACTIVE)
    return list((await session.scalars(stmt)).all())


async def members_of_team(session: AsyncSession, team_id: int) -> list[int]:
    return list((await session.scalars(select(Membership.user_id).where(Membership.team_id == team_id))).all())


async def campaign_people(session: AsyncSession, campaign_id: int, role: CampaignRoleKind) -> list[int]:
    stmt = select(CampaignRole.user_id).where(CampaignRole.campaign_id == campaign_id, CampaignRole.role == role)
    return list((await session.scalars(stmt)).all())


async def organizers(session: AsyncSession, campaign: Campaign) -> list[int]:
    people = await campaign_people(session, campaign.id, CampaignRoleKind.ORGANIZER)
    return [*people, campaign.sponsor_id] if campaign.sponsor_id is not None else people


async def teams_without_submission(session: AsyncSession, campaign_id: int, phase_id: int) -> dict[str, list[int]]:
    """Active teams with no entry submitted in the phase, with their members: team name → user ids."""
    submitted = exists().where(
        Entry.team_id == Team.id, Entry.phase_id == phase_id, Entry.submitted_version.is_not(None)
    )
    rows = await session.execute(
        select(Team.name, Membership.user_id)
        .join(Membership, Membership.team_id == Team.id)
        .where(Team.campaign_id == campaign_id, Team.status == TeamStatus.ACTIVE, ~submitted)
        .order_by(Team.id, Membership.id)
    )
    teams: dict[str, list[int]] = {}
    for name, user_id in rows.all():
        teams.setdefault(name, []).append(user_id)
    return teams


async def judges_with_unfinished(session: AsyncSession, phase_id: int) -> dict[int, int]:
    """Judges of the phase with assignments not yet scored final (withdrawn teams' left out): judge id → how many."""
    final = exists().where(
        Scorecard.phase_id == Assignment.phase_id,
        Scorecard.entry_id == Assignment.entry_id,
        Scorecard.judge_id == Assignment.judge_id,
        Scorecard.status == ScorecardStatus.FINAL,
    )
    rows = await session.execute(
        select(Assignment.judge_id, func.count(Assignment.id))
        .where(Assignment.phase_id == phase_id, ~final, judged(Assignment.entry_id))
        .group_by(Assignment.judge_id)
        .order_by(Assignment.judge_id)
    )
    return {judge_id: count for judge_id, count in rows.all()}

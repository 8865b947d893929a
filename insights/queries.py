"""The dashboard's SQL (incubation's part: ``insights.incubation_queries``): every figure is
counted in the database, grouped per campaign (or per department), in a fixed number of
statements whatever the data size. ``insights.figures`` turns the counts into rates.

Scope (``Scope``): campaigns other than drafts, optionally one campaign, those starting within a
period (a campaign starts when its first phase opens, else when it was published), and one
department (its people; the teams with a member from it; its judges).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from accounts.models import Department, User
from campaigns.models import Campaign, CampaignDepartment, CampaignStatus, Phase, PhaseKind
from incubation.models import IncubationProject, ProjectStatus
from insights.figures import INCUBATED_STATUSES, CampaignCounts
from judging.models import Advancement, AdvancementOutcome, Assignment, Award, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, Membership, Team


@dataclass(frozen=True)
class Scope:
    campaign_id: int | None = None
    starts_from: datetime | None = None  # inclusive
    starts_before: datetime | None = None  # exclusive
    department_id: int | None = None


@dataclass(frozen=True)
class CampaignLine:
    id: int
    title: str
    status: CampaignStatus
    start: datetime | None


def _starts() -> Any:
    """Each campaign's start: its first phase's opening."""
    return (
        select(Phase.campaign_id.label("campaign_id"), func.min(Phase.opens_at).label("start"))
        .group_by(Phase.campaign_id)
        .subquery("campaign_start")
    )


def _campaign_select(scope: Scope, *, ordered: bool = False) -> Select[Any]:
    starts = _starts()
    start = func.coalesce(starts.c.start, Campaign.published_at)
    query = (
        select(Campaign.id, Campaign.title, Campaign.status, start.label("start"))
        .outerjoin(starts, starts.c.campaign_id == Campaign.id)
        .where(Campaign.status != CampaignStatus.DRAFT)
    )
    if scope.campaign_id is not None:
        query = query.where(Campaign.id == scope.campaign_id)
    if scope.starts_from is not None:
        query = query.where(start >= scope.starts_from)
    if scope.starts_before is not None:
        query = query.where(start < scope.starts_before)
    if ordered:
        query = query.order_by(start, Campaign.id)
    return query


def scoped(scope: Scope) -> Any:
    """The ids of the campaigns in scope, as a subquery for ``IN``."""
    return _campaign_select(scope).with_only_columns(Campaign.id).scalar_subquery()


async def campaigns(session: AsyncSession, scope: Scope) -> list[CampaignLine]:
    """The campaigns in scope, oldest start first (one statement)."""
    rows = await session.execute(_campaign_select(scope, ordered=True))
    return [CampaignLine(r.id, r.title, r.status, r.start) for r in rows]


async def departments(session: AsyncSession) -> dict[int, str]:
    rows = await session.execute(select(Department.id, Department.name).order_by(Department.name, Department.id))
    return {r.id: r.name for r in rows}


def _eligible(campaign: Any, user: Any) -> ColumnElement[bool]:
    """The person may take part in the campaign, or did: active and in an eligible department
    (every department when all staff are eligible), or a member of one of its teams."""
    in_department = exists().where(
        CampaignDepartment.campaign_id == campaign.id, CampaignDepartment.department_id == user.department_id
    )
    return or_(
        and_(user.is_active.is_(True), or_(campaign.all_staff_eligible.is_(True), in_department)),
        _member_of(campaign.id, user),
    )


def _member_of(campaign_id: Any, user: Any) -> ColumnElement[bool]:
    return exists().where(Membership.campaign_id == campaign_id, Membership.user_id == user.id)


def in_department(user: Any, scope: Scope) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = user.department_id == scope.department_id
    return condition


async def people_per_campaign(session: AsyncSession, scope: Scope) -> dict[int, tuple[int, int]]:
    """Per campaign: (eligible people, participants). Eligible = the active people of its
    departments (A) plus its participants who are not among them (P \\ A); each count is a
    subquery per campaign, with no per-person work (one statement)."""
    active = aliased(User)
    dept_filter = [in_department(active, scope)] if scope.department_id is not None else []
    everyone = select(func.count(active.id)).where(active.is_active.is_(True), *dept_filter).scalar_subquery()
    in_departments = (
        select(func.count(active.id))
        .join(CampaignDepartment, CampaignDepartment.department_id == active.department_id)
        .where(CampaignDepartment.campaign_id == Campaign.id, active.is_active.is_(True), *dept_filter)
        .correlate(Campaign)
        .scalar_subquery()
    )
    member = aliased(User)
    member_filter = [in_department(member, scope)] if scope.department_id is not None else []
    in_department_of_campaign = exists().where(
        CampaignDepartment.campaign_id == Campaign.id, CampaignDepartment.department_id == member.department_id
    )
    among_eligible = and_(
        member.is_active.is_(True), or_(Campaign.all_staff_eligible.is_(True), in_department_of_campaign)
    )
    participants = (
        select(func.count(Membership.id))
        .join(member, member.id == Membership.user_id)
        .where(Membership.campaign_id == Campaign.id, *member_filter)
        .correlate(Campaign)
        .scalar_subquery()
    )
    participants_outside = (
        select(func.count(Membership.id))
        .join(member, member.id == Membership.user_id)
        .where(Membership.campaign_id == Campaign.id, ~among_eligible, *member_filter)
        .correlate(Campaign)
        .scalar_subquery()
    )
    query = select(
        Campaign.id,
        case((Campaign.all_staff_eligible.is_(True), everyone), else_=in_departments),
        participants,
        participants_outside,
    ).where(Campaign.id.in_(scoped(scope)))
    return {
        cid: (int(eligible or 0) + int(outside or 0), int(part or 0))
        for cid, eligible, part, outside in await session.execute(query)
    }


async def people_per_department(session: AsyncSession, scope: Scope) -> dict[int | None, tuple[int, int]]:
    """Per department: (eligible people, participants), each person once over the campaigns. The
    sets (participants, eligible departments, any campaign open to all staff) are computed once,
    not per person."""
    in_scope = scoped(scope)
    participants = select(Membership.user_id).where(Membership.campaign_id.in_(in_scope))
    departments = select(CampaignDepartment.department_id).where(CampaignDepartment.campaign_id.in_(in_scope))
    c = aliased(Campaign)
    all_staff = exists().where(c.id.in_(scoped(scope)), c.all_staff_eligible.is_(True))
    participant = User.id.in_(participants)
    eligible = or_(and_(User.is_active.is_(True), or_(all_staff, User.department_id.in_(departments))), participant)
    query = (
        select(User.department_id, func.count(User.id), func.coalesce(func.sum(case((participant, 1), else_=0)), 0))
        .where(eligible)
        .group_by(User.department_id)
    )
    if scope.department_id is not None:
        query = query.where(in_department(User, scope))
    return {dept: (int(eligible), int(part)) for dept, eligible, part in await session.execute(query)}


def _submitted(team_id: Any) -> ColumnElement[bool]:
    return exists().where(Entry.team_id == team_id, Entry.status == EntryStatus.SUBMITTED)


def _submitted_teams(scope: Scope) -> Select[tuple[int]]:
    """The teams of the campaigns in scope that submitted an entry (a set computed once)."""
    return (
        select(Entry.team_id)
        .join(Team, Team.id == Entry.team_id)
        .where(Entry.status == EntryStatus.SUBMITTED, Team.campaign_id.in_(scoped(scope)))
    )


async def entries_per_department(session: AsyncSession, scope: Scope) -> dict[int | None, int]:
    """Per department: the submitted entries (teams that submitted) with a member from it."""
    query = (
        select(User.department_id, func.count(distinct(Membership.team_id)))
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.campaign_id.in_(scoped(scope)), Membership.team_id.in_(_submitted_teams(scope)))
        .group_by(User.department_id)
    )
    if scope.department_id is not None:
        query = query.where(in_department(User, scope))
    return {dept: int(count) for dept, count in await session.execute(query)}


def incubated() -> ColumnElement[bool]:
    """The project is an incubation project: approved, whatever came after (not a proposal still
    waiting for its decision, nor a declined one)."""
    return IncubationProject.status.in_([ProjectStatus(s) for s in INCUBATED_STATUSES])


def _team_level() -> Any:
    """How far a team got: the furthest stage of ``figures.TEAM_LEVELS`` it reached."""
    project = exists().where(IncubationProject.team_id == Team.id, incubated())
    implemented = exists().where(
        IncubationProject.team_id == Team.id, IncubationProject.status == ProjectStatus.IMPLEMENTED
    )
    award = exists().where(Award.team_id == Team.id, Award.approved_at.is_not(None))
    advanced = exists().where(Advancement.team_id == Team.id, Advancement.outcome == AdvancementOutcome.ADVANCE)
    return case(
        (implemented, literal("implemented")),
        (project, literal("incubated")),
        (award, literal("winner")),
        (advanced, literal("advanced")),
        (_submitted(Team.id), literal("submitted")),
        else_=literal("team"),
    )


async def teams_per_campaign(session: AsyncSession, scope: Scope) -> dict[int, tuple[dict[str, int], int]]:
    """Per campaign: teams (with at least one member) by the furthest stage reached, and the
    teams whose members come from two departments or more."""
    member = aliased(User)
    # each team's number of departments among its members, grouped once (a team without members
    # has no row here and is left out by the join)
    per_team = (
        select(Membership.team_id.label("team_id"), func.count(distinct(member.department_id)).label("departments"))
        .join(member, member.id == Membership.user_id)
        .where(Membership.campaign_id.in_(scoped(scope)))
        .group_by(Membership.team_id)
        .subquery("team_departments")
    )
    teams = (
        select(
            Team.campaign_id.label("campaign_id"),
            _team_level().label("level"),
            case((per_team.c.departments >= 2, 1), else_=0).label("mixed"),
        )
        .join(per_team, per_team.c.team_id == Team.id)
        .where(Team.campaign_id.in_(scoped(scope)))
    )
    if scope.department_id is not None:
        teams = teams.where(
            exists()
            .where(Membership.team_id == Team.id, member.id == Membership.user_id)
            .where(in_department(member, scope))
        )
    sub = teams.subquery("team_level")
    query = select(sub.c.campaign_id, sub.c.level, func.count(), func.sum(sub.c.mixed)).group_by(
        sub.c.campaign_id, sub.c.level
    )
    found: dict[int, tuple[dict[str, int], int]] = {}
    for cid, level, count, mixed in await session.execute(query):
        levels, mixed_before = found.get(cid, ({}, 0))
        levels[str(level)] = int(count)
        found[cid] = (levels, mixed_before + int(mixed or 0))
    return found


async def judging_per_campaign(session: AsyncSession, scope: Scope, now: datetime) -> dict[int, tuple[int, int, int]]:
    """Per campaign, over its judging phases whose deadline (close) has passed: (scorecards due =
    assignments, final before the close, final at or after it)."""
    final = Scorecard.status == ScorecardStatus.FINAL
    on_time = case((and_(final, Scorecard.finalised_at < Phase.closes_at), 1), else_=0)
    late = case((and_(final, Scorecard.finalised_at >= Phase.closes_at), 1), else_=0)
    query = (
        select(Phase.campaign_id, func.count(Assignment.id), func.sum(on_time), func.sum(late))
        .select_from(Assignment)
        .join(Phase, Phase.id == Assignment.phase_id)
        .outerjoin(
            Scorecard,
            and_(
                Scorecard.phase_id == Assignment.phase_id,
                Scorecard.entry_id == Assignment.entry_id,
                Scorecard.judge_id == Assignment.judge_id,
            ),
        )
        .where(Phase.campaign_id.in_(scoped(scope)), Phase.kind == PhaseKind.JUDGING, Phase.closes_at <= now)
        .group_by(Phase.campaign_id)
    )
    if scope.department_id is not None:
        query = query.join(User, User.id == Assignment.judge_id).where(in_department(User, scope))
    return {cid: (int(due), int(on or 0), int(lt or 0)) for cid, due, on, lt in await session.execute(query)}


async def campaign_counts(session: AsyncSession, scope: Scope, now: datetime) -> dict[int, CampaignCounts]:
    """Every per-campaign count (four statements)."""
    people = await people_per_campaign(session, scope)
    teams = await teams_per_campaign(session, scope)
    judging = await judging_per_campaign(session, scope, now)
    counts: dict[int, CampaignCounts] = {}
    for cid in {*people, *teams, *judging}:
        eligible, participants = people.get(cid, (0, 0))
        levels, mixed = teams.get(cid, ({}, 0))
        due, on_time, late = judging.get(cid, (0, 0, 0))
        counts[cid] = CampaignCounts(
            campaign_id=cid,
            eligible=eligible,
            participants=participants,
            levels=levels,
            mixed_teams=mixed,
            scorecards_due=due,
            scorecards_on_time=on_time,
            scorecards_late=late,
        )
    return counts

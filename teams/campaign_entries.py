"""A campaign's teams and entries for its organizers: one filtered, searchable list, its pages and
its exports (teams, members, entries). Organizers see what was submitted in time, never drafts.

One row per team and submission-phase entry (a team without an entry has one row with none).
Every filter is a condition in SQL; counts (members, departments) are aggregates in SQL, so a
page is a constant number of queries whatever the campaign's size.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from accounts.models import Department, User
from campaigns.models import Campaign, Challenge, Phase
from core.pagination import Page
from teams.models import Entry, EntryVersion, Membership, Team, TeamStatus

SEARCH_MAX = 100


class Submitted(enum.StrEnum):
    YES = "yes"
    NO = "no"


class Mix(enum.StrEnum):
    SINGLE = "single"  # every member of one department
    MIXED = "mixed"  # members of two or more departments


@dataclass(frozen=True)
class Filters:
    challenge_id: int | None = None
    status: TeamStatus | None = None
    submitted: Submitted | None = None
    mix: Mix | None = None
    size: int | None = None
    q: str = ""


def like_pattern(text: str) -> str:
    """``%text%`` with the LIKE wildcards of ``text`` escaped (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Row:
    team_id: int
    team_name: str
    challenge: str
    status: TeamStatus
    members: int
    departments: int
    entry_id: int | None
    phase: str | None
    title: str | None  # the submitted title, None when never submitted
    summary: str | None
    submitted_at: datetime | None


_SubmittedVersion = aliased(EntryVersion)


def _sizes() -> Any:
    """Members and distinct departments per team (people without a department count as none)."""
    return (
        select(
            Membership.team_id.label("team_id"),
            func.count(Membership.id).label("members"),
            func.count(func.distinct(User.department_id)).label("departments"),
        )
        .join(User, User.id == Membership.user_id)
        .group_by(Membership.team_id)
        .subquery()
    )


def rows_query(campaign: Campaign, filters: Filters) -> Select[Any]:
    sizes = _sizes()
    members = func.coalesce(sizes.c.members, 0)
    departments = func.coalesce(sizes.c.departments, 0)
    stmt = (
        select(
            Team.id,
            Team.name,
            Challenge.title,
            Team.status,
            members,
            departments,
            Entry.id,
            Phase.name,
            _SubmittedVersion.title,
            _SubmittedVersion.summary,
            Entry.submitted_at,
        )
        .join(Challenge, Challenge.id == Team.challenge_id)
        .outerjoin(sizes, sizes.c.team_id == Team.id)
        .outerjoin(Entry, Entry.team_id == Team.id)
        .outerjoin(Phase, Phase.id == Entry.phase_id)
        .outerjoin(
            _SubmittedVersion,
            and_(_SubmittedVersion.entry_id == Entry.id, _SubmittedVersion.number == Entry.submitted_version),
        )
        .where(Team.campaign_id == campaign.id)
    )
    if filters.challenge_id is not None:
        stmt = stmt.where(Team.challenge_id == filters.challenge_id)
    if filters.status is not None:
        stmt = stmt.where(Team.status == filters.status)
    if filters.submitted is Submitted.YES:
        stmt = stmt.where(Entry.submitted_version.is_not(None))
    elif filters.submitted is Submitted.NO:
        stmt = stmt.where(Entry.submitted_version.is_(None))
    if filters.mix is Mix.SINGLE:
        stmt = stmt.where(departments <= 1)
    elif filters.mix is Mix.MIXED:
        stmt = stmt.where(departments >= 2)
    if filters.size is not None:
        stmt = stmt.where(members == filters.size)
    if filters.q:
        pattern = like_pattern(filters.q[:SEARCH_MAX])
        stmt = stmt.where(
            or_(Team.name.ilike(pattern, escape="\\"), _SubmittedVersion.title.ilike(pattern, escape="\\"))
        )
    return stmt.order_by(func.lower(Team.name), Team.id, Phase.position, Entry.id)


def _row(r: Any) -> Row:
    return Row(*r)


async def entry_rows(
    session: AsyncSession, campaign: Campaign, filters: Filters, *, number: int, size: int
) -> Page[Row]:
    """One page of the list (two queries: the count and the rows); past the end, the last page."""
    stmt = rows_query(campaign, filters)
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    number = min(max(1, number), max(1, -(-total // size)))
    rows = (await session.execute(stmt.limit(size).offset((number - 1) * size))).all()
    return Page(items=[_row(r) for r in rows], number=number, size=size, total=total)


async def all_rows(session: AsyncSession, campaign: Campaign, filters: Filters) -> list[Row]:
    return [_row(r) for r in (await session.execute(rows_query(campaign, filters))).all()]


@dataclass(frozen=True)
class MemberRow:
    team_name: str
    name: str
    email: str
    department: str | None
    captain: bool


async def member_rows(session: AsyncSession, campaign: Campaign, filters: Filters) -> list[MemberRow]:
    """The members of the teams the filters keep, team by team (one query)."""
    team_ids = rows_query(campaign, filters).with_only_columns(Team.id).order_by(None).distinct().subquery()
    rows = await session.execute(
        select(Team.name, User.name, User.email, Department.name, Team.captain_id == User.id)
        .join(Membership, Membership.team_id == Team.id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(Team.id.in_(select(team_ids.c.id)))
        .order_by(func.lower(Team.name), Team.id, User.name, User.id)
    )
    return [MemberRow(*r) for r in rows.all()]


async def challenges_of(session: AsyncSession, campaign: Campaign) -> list[Challenge]:
    return list(
        (
            await session.scalars(select(Challenge).where(Challenge.campaign_id == campaign.id).order_by(Challenge.id))
        ).all()
    )

"""The team board of a campaign: people looking for a team, teams looking for skills, and the
suggestions between them (scored by ``teams.skills.match``).

Rules chosen here (DOMAIN.md is silent on them):
- a person lists themself while they have no team, are eligible and teams can form; their
  listing goes when they join a team (``teams.membership.add_member``), and the board shows
  nothing once teams can no longer form (registration and submission closed);
- any member of an active team may set the skills it lacks; a team appears on the board while
  it lacks some skill and has a free place (members and pending invitations);
- everyone who can see the campaign may browse the board; only eligible people may list
  themselves or ask to join.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from campaigns.models import Campaign
from core.audit import record
from core.errors import N_, Conflict, Forbidden, ValidationFailed
from core.pagination import Page, paginate
from teams.membership import ALREADY_IN_TEAM, lock_person
from teams.models import (
    PITCH_MAX,
    Invitation,
    InvitationStatus,
    Membership,
    Seeker,
    SeekerSkill,
    Team,
    TeamNeed,
    TeamStatus,
)
from teams.rules import NOT_ELIGIBLE
from teams.scope import check_team_window, is_eligible, member_team, team_of_user
from teams.skills import Candidate, Match, best_matches, match, parse_skills, skill_key, skills_error

SUGGESTIONS = 5
SUGGESTED_SKILLS = 40


def _like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern (``\\`` escapes)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- listing oneself --------------------------------------------------------------------------------


async def own_listing(session: AsyncSession, campaign_id: int, user: User) -> Seeker | None:
    found: Seeker | None = await session.scalar(
        select(Seeker)
        .where(Seeker.campaign_id == campaign_id, Seeker.user_id == user.id)
        .options(selectinload(Seeker.skills))
    )
    return found


async def list_myself(
    session: AsyncSession, actor: User, campaign: Campaign, pitch: str, skills_text: str, now: datetime
) -> Seeker:
    """Lists the actor on the board (or changes their listing) with a pitch and skills."""
    pitch = pitch.strip()
    tags = parse_skills(skills_text)
    errors: dict[str, str] = {}
    if len(pitch) > PITCH_MAX:
        errors["pitch"] = N_("The pitch can have at most 500 characters.")
    if not tags:
        errors["skills"] = N_("List at least one skill, so that teams can find you.")
    elif message := skills_error(tags):
        errors["skills"] = message
    if errors:
        raise ValidationFailed(errors)
    await lock_person(session, actor.id)
    await check_team_window(session, campaign, now)
    if not await is_eligible(session, campaign, actor):
        raise Forbidden(NOT_ELIGIBLE)
    if await team_of_user(session, campaign.id, actor) is not None:
        raise Conflict(ALREADY_IN_TEAM)
    seeker = await own_listing(session, campaign.id, actor)
    if seeker is None:
        seeker = Seeker(campaign_id=campaign.id, user_id=actor.id, listed_at=now)
        try:
            async with session.begin_nested():
                session.add(seeker)
        except IntegrityError:  # listed a moment ago by a twin request: change that listing
            seeker = await own_listing(session, campaign.id, actor)
            assert seeker is not None
    seeker.pitch = pitch
    await session.execute(delete(SeekerSkill).where(SeekerSkill.seeker_id == seeker.id))
    session.add_all(SeekerSkill(seeker_id=seeker.id, name=tag, key=skill_key(tag)) for tag in tags)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="board.list",
        subject=seeker,
        campaign_id=campaign.id,
        after={"pitch": pitch, "skills": tags},
    )
    return seeker


async def unlist_myself(session: AsyncSession, actor: User, campaign_id: int) -> bool:
    """Takes the actor's listing off the board; False when there was none."""
    result = await session.execute(delete(Seeker).where(Seeker.campaign_id == campaign_id, Seeker.user_id == actor.id))
    return bool(getattr(result, "rowcount", 0))


# --- the skills a team lacks --------------------------------------------------------------------------


async def set_team_needs(session: AsyncSession, actor: User, team_id: int, skills_text: str, now: datetime) -> Team:
    """A member sets the skills the team looks for (none: the team is not on the board)."""
    tags = parse_skills(skills_text)
    if message := skills_error(tags):
        raise ValidationFailed({"needs": message})
    team = await member_team(session, actor, team_id, lock=True)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    await check_team_window(session, campaign, now)
    if team.status is not TeamStatus.ACTIVE:
        raise Conflict(N_("This team is no longer active."))
    await session.execute(delete(TeamNeed).where(TeamNeed.team_id == team.id))
    session.add_all(TeamNeed(team_id=team.id, name=tag, key=skill_key(tag)) for tag in tags)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="team.needs",
        subject=team,
        campaign_id=campaign.id,
        after={"needs": tags},
    )
    return team


async def team_needs(session: AsyncSession, team_ids: list[int]) -> dict[int, list[TeamNeed]]:
    if not team_ids:
        return {}
    rows = await session.scalars(select(TeamNeed).where(TeamNeed.team_id.in_(team_ids)).order_by(TeamNeed.id))
    found: dict[int, list[TeamNeed]] = {team_id: [] for team_id in team_ids}
    for need in rows.all():
        found[need.team_id].append(need)
    return found


# --- browsing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilter:
    skill: str = ""
    department_id: int | None = None
    q: str = ""


def _seekers(campaign_id: int, wanted: BoardFilter) -> Select[tuple[Seeker]]:
    stmt = (
        select(Seeker)
        .join(User, User.id == Seeker.user_id)
        .where(Seeker.campaign_id == campaign_id, User.is_active.is_(True))
        .options(selectinload(Seeker.skills), joinedload(Seeker.user).joinedload(User.department))
        .order_by(Seeker.listed_at.desc(), Seeker.id.desc())
    )
    if key := skill_key(wanted.skill):
        stmt = stmt.where(
            Seeker.id.in_(select(SeekerSkill.seeker_id).where(SeekerSkill.key.like(_like(key), escape="\\")))
        )
    if wanted.department_id is not None:
        stmt = stmt.where(User.department_id == wanted.department_id)
    if q := wanted.q.strip():
        pattern = _like(q.casefold())
        stmt = stmt.where(
            func.lower(User.name).like(pattern, escape="\\") | func.lower(Seeker.pitch).like(pattern, escape="\\")
        )
    return stmt


async def seekers_page(
    session: AsyncSession, campaign_id: int, wanted: BoardFilter, number: int, size: int
) -> Page[Seeker]:
    page: Page[Seeker] = await paginate(session, _seekers(campaign_id, wanted), number=number, size=size)
    return page


def _open_places(campaign: Campaign) -> Select[tuple[int]]:
    """Ids of the campaign's active teams with a free place (members and pending invitations)."""
    members = select(Membership.team_id.label("team_id")).where(Membership.campaign_id == campaign.id)
    invited = (
        select(Invitation.team_id.label("team_id"))
        .join(Team, Team.id == Invitation.team_id)
        .where(Team.campaign_id == campaign.id, Invitation.status == InvitationStatus.PENDING)
    )
    taken = union_all(members, invited).subquery()
    full = select(taken.c.team_id).group_by(taken.c.team_id).having(func.count() >= campaign.max_team_size)
    return select(Team.id).where(
        Team.campaign_id == campaign.id, Team.status == TeamStatus.ACTIVE, Team.id.not_in(full)
    )


async def teams_page(
    session: AsyncSession, campaign: Campaign, wanted: BoardFilter, number: int, size: int
) -> Page[Team]:
    """Teams that lack some skill and have a free place, newest first."""
    needing = select(TeamNeed.team_id)
    if key := skill_key(wanted.skill):
        needing = needing.where(TeamNeed.key.like(_like(key), escape="\\"))
    stmt = (
        select(Team)
        .where(Team.id.in_(_open_places(campaign)), Team.id.in_(needing))
        .options(joinedload(Team.challenge), joinedload(Team.captain))
        .order_by(Team.created_at.desc(), Team.id.desc())
    )
    if q := wanted.q.strip():
        stmt = stmt.where(func.lower(Team.name).like(_like(q.casefold()), escape="\\"))
    page: Page[Team] = await paginate(session, stmt, number=number, size=size)
    return page


async def member_counts_of(session: AsyncSession, team_ids: list[int]) -> dict[int, int]:
    if not team_ids:
        return {}
    rows = await session.execute(
        select(Membership.team_id, func.count()).where(Membership.team_id.in_(team_ids)).group_by(Membership.team_id)
    )
    return {team_id: count for team_id, count in rows.all()}


async def skill_suggestions(session: AsyncSession, campaign_id: int) -> list[str]:
    """The skills used most in the campaign (listings and needs), for the tag field's suggestions."""
    offered = select(SeekerSkill.name.label("name")).join(Seeker, Seeker.id == SeekerSkill.seeker_id)
    offered = offered.where(Seeker.campaign_id == campaign_id)
    needed = select(TeamNeed.name.label("name")).join(Team, Team.id == TeamNeed.team_id)
    needed = needed.where(Team.campaign_id == campaign_id)
    used = union_all(offered, needed).subquery()
    rows = await session.execute(
        select(used.c.name, func.count().label("uses"))
        .group_by(used.c.name)
        .order_by(func.count().desc(), used.c.name)
        .limit(SUGGESTED_SKILLS)
    )
    return [name for name, _uses in rows.all()]


# --- suggestions ---------------------------------------------------------------------------------------


async def _team_departments(session: AsyncSession, team_ids: list[int]) -> dict[int, set[int | None]]:
    rows = await session.execute(
        select(Membership.team_id, User.department_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id.in_(team_ids))
    )
    found: dict[int, set[int | None]] = {team_id: set() for team_id in team_ids}
    for team_id, department_id in rows.all():
        found[team_id].add(department_id)
    return found


@dataclass(frozen=True)
class Suggestion:
    """A suggested team (for a person) or person (for a team), with why."""

    match: Match
    team: Team | None = None
    seeker: Seeker | None = None
    names: dict[str, str] | None = None  # how the shared skills were typed, by key

    @property
    def shared(self) -> list[str]:
        """The shared skills as the team typed them."""
        return [(self.names or {}).get(key, key) for key in self.match.shared]


async def teams_for(session: AsyncSession, campaign: Campaign, seeker: Seeker) -> list[Suggestion]:
    """The teams on the board that best suit a listed person (see ``teams.skills``)."""
    names = {skill.key: skill.name for skill in seeker.skills}
    keys = list(names)
    rows = await session.execute(
        select(TeamNeed.team_id, TeamNeed.key).where(
            TeamNeed.key.in_(keys), TeamNeed.team_id.in_(_open_places(campaign))
        )
    )
    needs: dict[int, list[str]] = {}
    for team_id, key in rows.all():
        needs.setdefault(team_id, []).append(key)
    if not needs:
        return []
    teams = {
        team.id: team
        for team in (
            await session.scalars(select(Team).where(Team.id.in_(list(needs))).options(joinedload(Team.challenge)))
        ).all()
    }
    departments = await _team_departments(session, list(needs))
    department = await session.scalar(select(User.department_id).where(User.id == seeker.user_id))
    candidates = [
        Candidate(team_id, teams[team_id].created_at, match(needs[team_id], keys, departments[team_id], department))
        for team_id in needs
    ]
    return [Suggestion(c.match, team=teams[c.id], names=names) for c in best_matches(candidates, SUGGESTIONS)]


async def people_for(session: AsyncSession, team: Team) -> list[Suggestion]:
    """The listed people who best suit a team's needs (see ``teams.skills``): the match is scored
    from one row per shared skill, and only the best are loaded."""
    wanted = (await team_needs(session, [team.id]))[team.id]
    names = {need.key: need.name for need in wanted}
    needs = list(names)
    if not needs:
        return []
    rows = await session.execute(
        select(SeekerSkill.seeker_id, SeekerSkill.key, Seeker.listed_at, User.department_id)
        .join(Seeker, Seeker.id == SeekerSkill.seeker_id)
        .join(User, User.id == Seeker.user_id)
        .where(Seeker.campaign_id == team.campaign_id, SeekerSkill.key.in_(needs), User.is_active.is_(True))
    )
    offered: dict[int, tuple[list[str], datetime, int | None]] = {}
    for seeker_id, key, listed_at, department_id in rows.all():
        offered.setdefault(seeker_id, ([], listed_at, department_id))[0].append(key)
    departments = (await _team_departments(session, [team.id]))[team.id]
    best = best_matches(
        (
            Candidate(sid, listed_at, match(needs, keys, departments, dept))
            for sid, (keys, listed_at, dept) in offered.items()
        ),
        SUGGESTIONS,
    )
    if not best:
        return []
    seekers = {
        seeker.id: seeker
        for seeker in (
            await session.scalars(
                select(Seeker)
                .where(Seeker.id.in_([c.id for c in best]))
                .options(selectinload(Seeker.skills), joinedload(Seeker.user).joinedload(User.department))
            )
        ).all()
    }
    return [Suggestion(c.match, seeker=seekers[c.id], names=names) for c in best]

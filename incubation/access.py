"""Who may do what with incubation projects. Outside someone's scope a project does not exist (404).

- ``can_decide``: executives and admins decide on proposals and see every project.
- ``can_propose``: a member of the winning team, an organizer of its campaign, or an executive.
- ``can_see_project``: the team, the sponsor, the campaign's organizers, executives and admins.
- ``can_update_project``: the team and the sponsor (and executives/admins) tick milestones, log
  updates and record outcomes, while the project is approved or running.
- ``can_steer``: who moves an approved project along (start, implemented, stop): executives,
  admins, and the sponsor.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import is_platform_lead
from accounts.models import User
from campaigns.access import organizes
from campaigns.models import Campaign
from incubation.models import IncubationProject
from incubation.rules import ACTIVE
from teams.models import Membership


def can_decide(user: User) -> bool:
    return is_platform_lead(user)


@dataclass(frozen=True)
class Standing:
    """A person's relation to one team's campaign, read in one query."""

    member: bool
    organizer: bool
    lead: bool
    sponsor: bool = False


async def standing(session: AsyncSession, user: User, team_id: int, campaign_id: int) -> Standing:
    member = exists().where(Membership.team_id == team_id, Membership.user_id == user.id)
    organizer = organizes(user.id, campaign_id)
    sponsors = exists().where(Campaign.id == campaign_id, Campaign.sponsor_id == user.id)
    row = (await session.execute(select(member, organizer, sponsors))).one()
    return Standing(
        member=bool(row[0]),
        organizer=bool(row[1]) or (user.is_executive and bool(row[2])),
        lead=can_decide(user),
    )


def can_propose(who: Standing) -> bool:
    return who.member or who.organizer or who.lead


async def project_standing(session: AsyncSession, user: User, project: IncubationProject) -> Standing:
    found = await standing(session, user, project.team_id, project.campaign_id)
    return Standing(found.member, found.organizer, found.lead, sponsor=project.sponsor_id == user.id)


def can_see_project(who: Standing) -> bool:
    return who.member or who.organizer or who.lead or who.sponsor


def can_update_project(who: Standing, project: IncubationProject) -> bool:
    return project.status in ACTIVE and (who.member or who.sponsor or who.lead)


def can_steer(who: Standing) -> bool:
    return who.lead or who.sponsor

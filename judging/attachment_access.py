"""Who may download an entry's file.

The team's members, any of its files; and the files of the version submitted in time
(``Attachment.submitted``), no other, for whoever may see the team's page (the campaign's
organizers, its sponsor, admins: ``campaigns.access.can_organize``) and for the judges assigned
to the entry, on the terms of the score form (``judging.scorecards.get_assigned_entry``: a judging
phase that judges the entry's phase, and a submitted entry of a team that has not withdrawn). A
judge who declared a conflict is no longer assigned.
Anyone else gets 404, as if the file did not exist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import can_organize
from campaigns.models import Campaign, Phase, PhaseKind
from core.errors import NotFound
from judging.models import Assignment
from judging.withdrawn import judged
from teams.attachments import ATTACHMENT_NOT_FOUND
from teams.models import Attachment, Entry, Team
from teams.scope import is_member


async def is_assigned_judge(session: AsyncSession, user: User, entry: Entry) -> bool:
    """Is ``user`` assigned to judge ``entry`` in a judging phase of the entry's submission phase?"""
    if entry.submitted_version is None:
        return False
    found = await session.scalar(
        select(Assignment.id)
        .join(Phase, Phase.id == Assignment.phase_id)
        .where(
            Assignment.entry_id == entry.id,
            Assignment.judge_id == user.id,
            Phase.kind == PhaseKind.JUDGING,
            Phase.judges_phase_id == entry.phase_id,
            judged(Assignment.entry_id),
        )
        .limit(1)
    )
    return found is not None


async def readable_attachment(session: AsyncSession, user: User, attachment_id: int) -> Attachment:
    """The file if ``user`` may download it (see the module), else 404."""
    row = (
        await session.execute(
            select(Attachment, Entry, Team, Campaign)
            .join(Entry, Entry.id == Attachment.entry_id)
            .join(Team, Team.id == Entry.team_id)
            .join(Campaign, Campaign.id == Team.campaign_id)
            .where(Attachment.id == attachment_id)
        )
    ).first()
    if row is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    attachment: Attachment = row[0]
    entry, team, campaign = row[1], row[2], row[3]
    if await is_member(session, team.id, user):
        return attachment
    if attachment.submitted and (
        await can_organize(session, campaign, user) or await is_assigned_judge(session, user, entry)
    ):
        return attachment
    raise NotFound(ATTACHMENT_NOT_FOUND)

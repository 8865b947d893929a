"""When a team may change what judges see in a submission phase, and the locks that decide it.

Shared by the entry's submission (``teams.entries``) and its files (``teams.attachments``):
the submission phase a write goes to, the team's extension in it, the one deadline check of
every such write (``write_refusal``, by the rule of ``teams.rules.write_block``), the phase's
shared lock that its close waits for, and the team's entry of the phase, locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.deadlines import utc_to_local
from campaigns.models import Campaign, Phase, PhaseKind
from core.errors import N_, Conflict, NotFound
from teams.models import Entry, EntryStatus, Extension, Team
from teams.rules import WriteBlock, entry_phase, write_block
from teams.scope import campaign_phases


class LateWrite(Conflict):
    """A change that came too late (or too early); ``closed_at`` is the instant the message names."""

    def __init__(self, message: str, *, closed_at: datetime | None, timezone: str, field: str | None = None) -> None:
        when = utc_to_local(closed_at, timezone).strftime("%Y-%m-%d %H:%M %Z") if closed_at else ""
        super().__init__(message, field=field, when=when)
        self.closed_at = closed_at
        self.timezone = timezone


async def entry_phase_of(session: AsyncSession, team: Team, phase_id: int | None, now: datetime) -> Phase:
    """The submission phase asked for (it must be one of the team's campaign), else the relevant one."""
    phases = await campaign_phases(session, team.campaign_id)
    if phase_id is not None:
        for phase in phases:
            if phase.id == phase_id and phase.kind is PhaseKind.SUBMISSION:
                return phase
        raise NotFound(N_("We could not find that submission phase."))
    found = entry_phase(phases, now)
    if found is None:
        raise NotFound(N_("This campaign has no submission phase yet."))
    return found


async def extension_until(session: AsyncSession, team_id: int, phase_id: int) -> datetime | None:
    """Until when the team may still write into the phase by an organizer's extension, if it has one."""
    until: datetime | None = await session.scalar(
        select(Extension.until).where(Extension.team_id == team_id, Extension.phase_id == phase_id)
    )
    return until


@dataclass(frozen=True)
class RefusalMessages:
    """What a refused write says, by reason; ``%(when)s`` names the instant that decided."""

    team: str
    not_open: str
    extension_ended: str
    closed: str
    closed_by_organizers: str

    def of(self, reason: WriteBlock) -> str:
        return str(getattr(self, reason))


async def write_refusal(
    session: AsyncSession, campaign: Campaign, team: Team, phase: Phase, now: datetime, messages: RefusalMessages
) -> tuple[str, datetime | None] | None:
    """Why the team may not change what judges see in ``phase`` at ``now`` (its message and the
    instant it names), or None when it may.

    The one deadline check of every such write (submitting, adding or removing a file), by the
    rule of ``teams.rules.write_block``. Call it holding ``lock_phase``.
    """
    # read under the phase lock: granting or revoking an extension locks the phase for update
    until = await extension_until(session, team.id, phase.id)
    block = write_block(campaign, team.status, phase, now, until)
    if block is None:
        return None
    reason, when = block
    return messages.of(reason), when


async def lock_phase(session: AsyncSession, phase_id: int) -> Phase:
    """A shared lock on the phase row (FOR SHARE on PostgreSQL): closing it waits for this save."""
    phase = await session.scalar(
        select(Phase).where(Phase.id == phase_id).with_for_update(read=True).execution_options(populate_existing=True)
    )
    assert phase is not None
    return phase


async def entry_for_update(session: AsyncSession, team: Team, phase: Phase) -> Entry:
    """The team's entry for the phase, locked; created on the first save."""
    stmt = (
        select(Entry)
        .where(Entry.team_id == team.id, Entry.phase_id == phase.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    entry = await session.scalar(stmt)
    if entry is not None:
        return entry
    entry = Entry(team_id=team.id, phase_id=phase.id, status=EntryStatus.DRAFT)
    try:
        async with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        entry = await session.scalar(stmt)  # another member's first save won the race
        if entry is None:
            raise
    return entry

"""An entry's saved versions: opening one, comparing two, restoring an old one as a new draft.

Rules chosen here (DOMAIN.md is silent on them):
- the versions of an entry (drafts included) are the team's working history: only its members
  open, compare and restore them; anyone else (organizers, judges, other teams) gets 404, as
  for a version that does not exist. Everyone else sees the submitted version where they
  already did (the judging and organizer pages);
- restoring copies an old version's text fields (not its files) into a new draft version, by
  the very rules of saving a draft (``teams.entries.save_draft``), and is audited; restoring a
  version identical to the newest adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, Phase
from core.audit import record
from core.errors import N_, NotFound
from teams.diffing import FieldDiff, diff_fields
from teams.entries import save_draft
from teams.models import Entry, EntryVersion, Team
from teams.rules import ENTRY_FIELD_NAMES, EntryFields
from teams.scope import member_team
from teams.write_window import entry_phase_of

VERSION_NOT_FOUND = N_("We could not find that version of the entry.")
# EntryVersion.number is a 32-bit integer: anything outside it names no version
_NUMBER_MAX = 2**31 - 1


@dataclass(frozen=True)
class EntryInScope:
    """A team's entry of one submission phase, found for one of its members."""

    team: Team
    campaign: Campaign
    phase: Phase
    entry: Entry


@dataclass(frozen=True)
class SavedVersion:
    """A version with the name of who saved it (None: an account since deleted)."""

    version: EntryVersion
    author: str | None

    def fields(self) -> dict[str, str]:
        return {name: getattr(self.version, name) for name in ENTRY_FIELD_NAMES}


async def member_entry(
    session: AsyncSession, actor: User, team_id: int, phase_id: int | None, now: datetime
) -> EntryInScope:
    """The entry of the team (the actor must be a member) in the phase asked for, else the
    relevant one; 404 when there is none."""
    team = await member_team(session, actor, team_id)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    phase = await entry_phase_of(session, team, phase_id, now)
    entry = await session.scalar(select(Entry).where(Entry.team_id == team.id, Entry.phase_id == phase.id))
    if entry is None:
        raise NotFound(VERSION_NOT_FOUND)
    return EntryInScope(team, campaign, phase, entry)


async def latest_number(session: AsyncSession, entry_id: int) -> int:
    """The newest version's number, 0 when none was saved."""
    latest = await session.scalar(select(func.max(EntryVersion.number)).where(EntryVersion.entry_id == entry_id))
    return int(latest or 0)


async def saved_versions(session: AsyncSession, entry_id: int, numbers: set[int]) -> dict[int, SavedVersion]:
    """The entry's versions of these numbers with their authors' names, in one statement."""
    wanted = {n for n in numbers if 0 < n <= _NUMBER_MAX}
    if not wanted:
        return {}
    rows = await session.execute(
        select(EntryVersion, User.name)
        .outerjoin(User, User.id == EntryVersion.author_id)
        .where(EntryVersion.entry_id == entry_id, EntryVersion.number.in_(wanted))
    )
    return {version.number: SavedVersion(version, name) for version, name in rows.all()}


async def saved_version(session: AsyncSession, entry_id: int, number: int) -> SavedVersion:
    found = (await saved_versions(session, entry_id, {number})).get(number)
    if found is None:
        raise NotFound(VERSION_NOT_FOUND)
    return found


@dataclass(frozen=True)
class Comparison:
    """Two versions of an entry side by side, field by field (``old`` None: before the first)."""

    old: SavedVersion | None
    new: SavedVersion
    fields: list[FieldDiff]

    @property
    def changed(self) -> int:
        return sum(1 for f in self.fields if f.changed)


def _compare(old: SavedVersion | None, new: SavedVersion) -> Comparison:
    before = old.fields() if old else dict.fromkeys(ENTRY_FIELD_NAMES, "")
    return Comparison(old, new, diff_fields(before, new.fields(), ENTRY_FIELD_NAMES))


async def compare_versions(session: AsyncSession, entry_id: int, old: int, new: int) -> Comparison:
    """Versions ``old`` and ``new`` of the entry compared; 404 when either does not exist."""
    found = await saved_versions(session, entry_id, {old, new})
    if old not in found or new not in found:
        raise NotFound(VERSION_NOT_FOUND)
    return _compare(found[old], found[new])


async def changes_since(session: AsyncSession, entry_id: int, base: int, latest: int) -> Comparison:
    """What teammates changed between version ``base`` (0: none yet) and the newest, ``latest``:
    shown to a member whose save was refused because it was based on ``base``."""
    found = await saved_versions(session, entry_id, {base, latest})
    if latest not in found:
        raise NotFound(VERSION_NOT_FOUND)
    return _compare(found.get(base), found[latest])


@dataclass(frozen=True)
class Restored:
    """The outcome of a restore: the newest version, whether it was added, the entry's phase."""

    version: EntryVersion
    added: bool
    phase_id: int


async def restore_version(
    session: AsyncSession, actor: User, team_id: int, phase_id: int | None, number: int, now: datetime
) -> Restored:
    """Saves version ``number``'s text as a new draft (by ``save_draft``'s rules), audited; adds
    nothing when the newest version has that text already. 404 for a version or an entry out of
    scope."""
    scope = await member_entry(session, actor, team_id, phase_id, now)
    old = await saved_version(session, scope.entry.id, number)
    before = await latest_number(session, scope.entry.id)
    fields = EntryFields(**old.fields())
    draft = await save_draft(session, actor, team_id, scope.phase.id, fields, now)
    added = draft.number != before
    if added:
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="entry.restore",
            subject=scope.entry,
            campaign_id=scope.campaign.id,
            before={"version": before},
            after={"version": draft.number, "restored_from": number},
        )
    return Restored(draft, added, scope.phase.id)

"""Adding and removing an entry's files: members only, under the same deadline as submitting.

Rules chosen here (DOMAIN.md only says an entry holds attachments):
- any member of the team may add or remove a file while the team may still submit into the
  phase (``teams.write_window.write_refusal``: published campaign, active team, the phase open,
  grace and the team's extension included), checked under the phase's lock in the transaction
  that records the change; a late change is refused and nothing is kept;
- files are versioned with the entry's text: everyone but the team (organizers, judges, the
  download route) sees only the files of the version submitted in time (``Attachment.submitted``,
  set when the team submits). A file added since is the team's own until it submits again; a
  submitted file the team removes stays in the submitted version (marked ``removed_at``, its bytes
  kept) until the next submission, which forgets it (``forget_removed``). Any other removed
  file is deleted at once;
- an entry holds at most ``max_count`` files of at most ``max_bytes`` each; an empty file is
  refused; what a file is comes from its bytes (``teams.storage``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.models import Campaign
from core.audit import record
from core.errors import N_, Conflict, NotFound
from teams import storage
from teams.file_store import FileStore
from teams.models import Attachment, Entry, Team, in_submitted_version
from teams.scope import member_team
from teams.write_window import (
    LateWrite,
    RefusalMessages,
    entry_for_update,
    entry_phase_of,
    lock_phase,
    write_refusal,
)

ATTACHMENT_NOT_FOUND = N_("We could not find that file.")
TOO_MANY = N_("An entry can hold at most %(max)s files. Remove one to add another.")
FILE_REFUSALS = RefusalMessages(
    team=N_("This team can no longer submit, so its files can no longer change."),
    not_open=N_("The submission phase opens at %(when)s. Files can be added once it is open."),
    extension_ended=N_("Your extension ended at %(when)s. Files can no longer be added or removed."),
    closed=N_("The submission phase closed at %(when)s. Files can no longer be added or removed."),
    closed_by_organizers=N_("The organizers closed the submission phase. Files can no longer be added or removed."),
)


@dataclass(frozen=True)
class UploadLimits:
    """Where files are kept and how many and how large they may be (from the settings)."""

    store: FileStore
    max_bytes: int
    max_count: int


async def _require_writable(
    session: AsyncSession, team: Team, phase_id: int, now: datetime, clock: Callable[[], datetime] | None
) -> tuple[Campaign, datetime]:
    """The campaign and the instant that decides the write: with ``clock`` (the server's), read
    once the phase's lock is held, as for a submission (``teams.entries.submit_entry``)."""
    phase = await lock_phase(session, phase_id)
    if clock is not None:
        now = clock()
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    refusal = await write_refusal(session, campaign, team, phase, now, FILE_REFUSALS)
    if refusal is not None:
        message, closed_at = refusal
        raise LateWrite(message, closed_at=closed_at, timezone=campaign.timezone, field="file")
    return campaign, now


async def upload_attachment(
    session: AsyncSession,
    actor: User,
    team_id: int,
    phase_id: int | None,
    filename: str,
    source: IO[bytes],
    limits: UploadLimits,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Attachment:
    """Adds a file to the team's entry of the phase (created on the first save or file).

    The bytes are copied, measured, typed and kept under a generated name first, outside any
    lock; the deadline and the count are checked under the locks. The file is removed again if
    the transaction does not commit (a refusal rolls it back).
    """
    team = await member_team(session, actor, team_id)
    phase = await entry_phase_of(session, team, phase_id, now)
    staged = await asyncio.to_thread(storage.stage, source, limits.store.staging_dir, limits.max_bytes)
    try:
        # before the locks: sending a large file to an object store takes a while
        stored_name = await storage.keep(session, staged, limits.store)
    except BaseException:
        storage.discard(staged)
        raise
    campaign, now = await _require_writable(session, team, phase.id, now, clock)
    entry = await entry_for_update(session, team, phase)
    held = select(func.count(Attachment.id)).where(Attachment.entry_id == entry.id, Attachment.removed_at.is_(None))
    count = await session.scalar(held) or 0
    if count >= limits.max_count:
        raise Conflict(TOO_MANY, field="file", max=limits.max_count)
    attachment = Attachment(
        entry_id=entry.id,
        original_name=storage.safe_name(filename, staged.content_type),
        stored_name=stored_name,
        content_type=staged.content_type,
        size_bytes=staged.size,
        sha256=staged.sha256,
        uploaded_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(attachment)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="attachment.add",
        subject=attachment,
        campaign_id=campaign.id,
        after={
            "entry_id": entry.id,
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes,
            "sha256": attachment.sha256,
        },
    )
    return attachment


async def delete_attachment(
    session: AsyncSession,
    actor: User,
    team_id: int,
    attachment_id: int,
    store: FileStore,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Attachment:
    """Removes a file from the team's entry: a file of the submitted version is only marked
    removed (others see it until the team submits again); any other goes, the row now and the
    bytes once the removal has committed."""
    team = await member_team(session, actor, team_id)
    attachment = await session.scalar(
        select(Attachment)
        .join(Entry, Entry.id == Attachment.entry_id)
        .where(Attachment.id == attachment_id, Entry.team_id == team.id, Attachment.removed_at.is_(None))
        .options(joinedload(Attachment.entry))
    )
    if attachment is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    campaign, now = await _require_writable(session, team, attachment.entry.phase_id, now, clock)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="attachment.delete",
        subject=attachment,
        campaign_id=campaign.id,
        before={
            "entry_id": attachment.entry_id,
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes,
            "sha256": attachment.sha256,
        },
    )
    if attachment.submitted:
        attachment.removed_at = now
        await session.flush()
    else:
        await session.delete(attachment)
        await session.flush()
        storage.remove_after_commit(session, store, attachment.stored_name)
    return attachment


async def forget_removed(session: AsyncSession, entry_id: int, store: FileStore) -> None:
    """After a submission (which takes the submitted mark off removed files): deletes the removed
    files, their rows now and their bytes once the transaction has committed."""
    # a removed file still marked submitted was removed after the last submission: it stays
    removed = await session.scalars(
        select(Attachment).where(
            Attachment.entry_id == entry_id, Attachment.removed_at.is_not(None), Attachment.submitted.is_(False)
        )
    )
    for attachment in removed.all():
        await session.delete(attachment)
        storage.remove_after_commit(session, store, attachment.stored_name)
    await session.flush()


def _files(entry_id: int) -> Select[tuple[Attachment]]:
    return select(Attachment).where(Attachment.entry_id == entry_id).order_by(Attachment.created_at, Attachment.id)


async def entry_attachments(session: AsyncSession, entry_id: int | None) -> list[Attachment]:
    """The team's own files of the entry (its working copy), oldest first (none without an entry)."""
    if entry_id is None:
        return []
    return list((await session.scalars(_files(entry_id).where(Attachment.removed_at.is_(None)))).all())


async def submitted_attachments(session: AsyncSession, entry_id: int | None) -> list[Attachment]:
    """The files of the version submitted in time, which everyone but the team sees, oldest first."""
    if entry_id is None:
        return []
    return list((await session.scalars(_files(entry_id).where(in_submitted_version()))).all())


async def removed_submitted(session: AsyncSession, entry_id: int | None) -> list[Attachment]:
    """Files the team removed that stay in its submitted version until it submits again."""
    if entry_id is None:
        return []
    query = _files(entry_id).where(in_submitted_version(), Attachment.removed_at.is_not(None))
    return list((await session.scalars(query)).all())

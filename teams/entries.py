"""The team's entry: saving drafts and submitting, every save kept as a version.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
finds its objects in the actor's scope (anything else is 404), validates, changes, flushes,
writes its audit row where it matters and announces what happened. The rules themselves are
in ``teams.rules``; the deadline of a write and its locks in ``teams.write_window``.

Rules chosen here (DOMAIN.md is silent on them):
- a draft save that changes nothing adds no version;
- two members at once: a save (draft or submission) may name the version its form was based on
  (``base``); when a newer version was saved meanwhile, it is refused whole (``StaleBase``, 409)
  whatever fields changed, so that nobody overwrites a teammate's text unseen. The check is
  made under the entry's row lock, so of two saves from the same base exactly one goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.audit import record
from core.errors import N_, Conflict, DomainError, ValidationFailed
from teams.models import Attachment, Entry, EntryStatus, EntryVersion
from teams.rules import NOTHING_SENT, EntryFields, EntryInput, entry_errors, members_missing
from teams.scope import member_counts, member_team
from teams.write_window import (
    LateWrite,
    RefusalMessages,
    entry_for_update,
    entry_phase_of,
    lock_phase,
    write_refusal,
)


class EntryInvalid(ValidationFailed):
    """A submission refused for its fields (no title, a malformed link); ``draft`` is the version
    that keeps the text, or None when it could not be kept (a field too long)."""

    def __init__(self, errors: dict[str, str], *, draft: EntryVersion | None) -> None:
        super().__init__(errors)
        self.draft = draft


class SubmissionRefused(LateWrite):
    """A submission that came too late (or too early): the text was kept as a draft version."""

    def __init__(self, message: str, *, draft: EntryVersion, closed_at: datetime | None, timezone: str) -> None:
        super().__init__(message, closed_at=closed_at, timezone=timezone)
        self.draft = draft


class TeamTooSmall(SubmissionRefused):
    """A submission by a team with fewer members than the campaign's minimum: kept as a draft."""

    def __init__(self, *, draft: EntryVersion, timezone: str, minimum: int, missing: int) -> None:
        super().__init__(TOO_SMALL, draft=draft, closed_at=None, timezone=timezone)
        self.params.update(min=minimum, missing=missing)


class StaleBase(Conflict):
    """A save based on version ``base`` while version ``latest`` is the newest: nothing was saved."""

    def __init__(self, *, entry: Entry, base: int, latest: int) -> None:
        super().__init__(STALE, base=base, latest=latest)
        self.entry = entry
        self.base = base
        self.latest = latest


STALE = N_(
    "Not saved: a teammate saved version %(latest)s while you were editing version %(base)s. "
    "Your text is still in the form; merge their changes shown here, then save again."
)
# shown beside the disabled "Submit" while the team is too small
TOO_SMALL_TO_SUBMIT = N_(
    "A team needs at least %(min)s members to submit: yours is %(missing)s short. "
    "Invite colleagues or find them on the team board."
)
TOO_SMALL = N_(
    "A team needs at least %(min)s members to submit: yours is %(missing)s short. "
    "Your text was kept as a draft; invite colleagues or find them on the team board."
)
SUBMIT_REFUSALS = RefusalMessages(
    team=N_("This team can no longer submit. Your text was kept as a draft."),
    not_open=N_("The submission phase opens at %(when)s. Your text was kept as a draft."),
    extension_ended=N_("Your extension ended at %(when)s. Your text was kept as a draft."),
    closed=N_("The submission phase closed at %(when)s. Your text was kept as a draft."),
    closed_by_organizers=N_("The organizers closed the submission phase. Your text was kept as a draft."),
)
# beside a disabled "Submit" button, before anything is typed
SUBMIT_BLOCKED = RefusalMessages(
    team=N_("This team can no longer submit."),
    not_open=N_("Submissions open at %(when)s."),
    extension_ended=N_("Your team's extension ended at %(when)s."),
    closed=N_("Submissions closed at %(when)s."),
    closed_by_organizers=N_("The organizers closed the submission phase."),
)


async def _latest_version(session: AsyncSession, entry: Entry) -> EntryVersion | None:
    version: EntryVersion | None = await session.scalar(
        select(EntryVersion).where(EntryVersion.entry_id == entry.id).order_by(EntryVersion.number.desc()).limit(1)
    )
    return version


async def _append_version(
    session: AsyncSession, entry: Entry, actor: User, data: EntryFields, now: datetime, *, submitted: bool
) -> EntryVersion:
    latest = await _latest_version(session, entry)
    values = data.as_dict()
    version = EntryVersion(
        entry_id=entry.id,
        number=(latest.number if latest else 0) + 1,
        author_id=actor.id,
        submitted=submitted,
        saved_at=now,
        **values,
    )
    session.add(version)
    for name, value in values.items():
        setattr(entry, name, value)
    await session.flush()
    return version


async def _check_base(session: AsyncSession, entry: Entry, base: int | None) -> None:
    """Refuses a save based on an older version than the entry's newest (call it holding the entry's
    lock); ``base`` None (a request that names none) is not checked, 0 means "no version yet"."""
    if base is None:
        return
    latest = await _latest_version(session, entry)
    number = latest.number if latest else 0
    if base < number:
        raise StaleBase(entry=entry, base=base, latest=number)


def _nothing_sent(data: EntryInput) -> None:
    if not data.names:
        raise DomainError(NOTHING_SENT)  # 400: a malformed request, never a blank version


async def _keep_draft(
    session: AsyncSession, entry: Entry, actor: User, data: EntryFields, now: datetime
) -> EntryVersion:
    latest = await _latest_version(session, entry)
    if latest is not None and data.same_as(latest):
        return latest
    return await _append_version(session, entry, actor, data, now, submitted=False)


async def save_draft(
    session: AsyncSession,
    actor: User,
    team_id: int,
    phase_id: int | None,
    data: EntryInput,
    now: datetime,
    *,
    base: int | None = None,
) -> EntryVersion:
    """Keeps what a member typed as a new draft version; never changes what judges see.

    Only the fields ``data`` holds change (``EntryPatch``): the others keep their saved text,
    read under the entry's lock so that two saves of different fields both count. With ``base``
    (the version the form was based on), a newer version saved meanwhile refuses it (``StaleBase``).
    """
    _nothing_sent(data)
    team = await member_team(session, actor, team_id)
    errors = entry_errors(data.sent(), submitting=False)
    if errors:
        raise ValidationFailed(errors)
    phase = await entry_phase_of(session, team, phase_id, now)
    await lock_phase(session, phase.id)
    entry = await entry_for_update(session, team, phase)
    await _check_base(session, entry, base)
    return await _keep_draft(session, entry, actor, data.over(entry), now)


async def submit_entry(
    session: AsyncSession,
    actor: User,
    team_id: int,
    phase_id: int | None,
    data: EntryInput,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
    base: int | None = None,
) -> EntryVersion:
    """Submits the entry if the phase still accepts writes at ``now`` (the team's extension
    counts), checked under the phase's lock; fields that ``data`` does not hold keep their saved text.

    With ``clock`` (the server's), the deciding instant is read from it once the phase's lock is
    held, not taken from ``now`` (which then only picks the phase): a request that waited for the
    lock, or for the server, is judged by the time it writes. From that instant to the commit the
    phase cannot close (its close waits for the lock), so the write is decided as if at its commit.

    When it does not, the text is still saved as a draft version and ``SubmissionRefused`` is
    raised: the caller must commit before answering, so that nothing typed is lost. So is it
    when the fields are refused (``EntryInvalid``), unless a field is too long to be kept.
    A submission based on an older version than the newest (``base``) saves nothing
    (``StaleBase``): the text stays in the member's form, to merge.
    """
    _nothing_sent(data)
    team = await member_team(session, actor, team_id)
    too_long = entry_errors(data.sent(), submitting=False)
    if too_long:
        sent = data.names
        errors = {name: m for name, m in entry_errors(data.sent(), submitting=True).items() if name in sent}
        raise EntryInvalid(errors, draft=None)
    phase = await entry_phase_of(session, team, phase_id, now)
    phase = await lock_phase(session, phase.id)
    if clock is not None:
        now = clock()  # the deadline's decision, under the lock that the phase's close waits for
    entry = await entry_for_update(session, team, phase)
    await _check_base(session, entry, base)
    fields = data.over(entry)
    errors = entry_errors(fields, submitting=True)
    if errors:
        raise EntryInvalid(errors, draft=await _keep_draft(session, entry, actor, fields, now))
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    refusal = await write_refusal(session, campaign, team, phase, now, SUBMIT_REFUSALS)
    if refusal is not None:
        message, closed_at = refusal
        draft = await _append_version(session, entry, actor, fields, now, submitted=False)
        raise SubmissionRefused(message, draft=draft, closed_at=closed_at, timezone=campaign.timezone)
    members, _pending = await member_counts(session, team.id)
    if missing := members_missing(campaign.min_team_size, members):
        draft = await _keep_draft(session, entry, actor, fields, now)
        raise TeamTooSmall(draft=draft, timezone=campaign.timezone, minimum=campaign.min_team_size, missing=missing)
    version = await _append_version(session, entry, actor, fields, now, submitted=True)
    before = {"status": entry.status.value, "submitted_version": entry.submitted_version}
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_version = version.number
    entry.submitted_at = now
    # the files go with the text: those the team holds now are the submitted version's
    await session.execute(
        update(Attachment).where(Attachment.entry_id == entry.id).values(submitted=Attachment.removed_at.is_(None))
    )
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="entry.submit",
        subject=entry,
        campaign_id=campaign.id,
        before=before,
        after={"status": EntryStatus.SUBMITTED.value, "submitted_version": version.number},
    )
    return version

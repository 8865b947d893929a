"""Extensions: one team's later deadline in one submission phase, granted by an organizer.

Rules chosen here (DOMAIN.md is silent on them):
- only a published campaign's organizers grant extensions, for an active (or winning) team of
  that campaign, in one of its submission phases, with a reason;
- an extension ends after the phase's effective close (closing time plus grace) and in the
  future; granting again for the same team and phase changes the existing extension;
- granting and revoking lock the phase row for update, so a submission in flight (which holds
  a shared lock on it) sees the extension either wholly before or wholly after the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.access import CAMPAIGN_NOT_FOUND, can_organize
from campaigns.deadlines import effective_close
from campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind
from core.audit import record
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.events import publish
from teams.events import ExtensionGranted
from teams.models import EXTENSION_REASON_MAX, Extension, Team
from teams.rules import can_submit_as

EXTENSION_NOT_FOUND = N_("We could not find that extension.")
RACE_LOST = N_("Someone granted this team an extension just now. Reload the page and try again.")


@dataclass
class ExtensionInput:
    team_id: int | None
    phase_id: int | None
    until: datetime | None  # aware, UTC; None: missing or not understood
    reason: str


def campaign_extensions_query(campaign_id: int) -> Select[tuple[Extension]]:
    """The campaign's extensions with team and phase, by phase, then team name (stable order)."""
    return (
        select(Extension)
        .join(Phase, Phase.id == Extension.phase_id)
        .join(Team, Team.id == Extension.team_id)
        .where(Phase.campaign_id == campaign_id)
        .options(joinedload(Extension.team), joinedload(Extension.phase))
        .order_by(Phase.position, Team.name_key, Extension.id)
    )


def _shown(extension: Extension) -> dict[str, Any]:
    return {
        "team_id": extension.team_id,
        "phase_id": extension.phase_id,
        "until": extension.until.isoformat(),
        "reason": extension.reason,
    }


async def _require_organizer(session: AsyncSession, campaign: Campaign, actor: User) -> None:
    if not await can_organize(session, campaign, actor):
        raise NotFound(CAMPAIGN_NOT_FOUND)


async def _checked(
    session: AsyncSession, campaign: Campaign, data: ExtensionInput, now: datetime
) -> tuple[Team, Phase, datetime, str]:
    """The team, phase, end and reason of a valid request; every field's error at once otherwise."""
    errors: dict[str, str] = {}
    team = (
        await session.scalar(select(Team).where(Team.id == data.team_id, Team.campaign_id == campaign.id))
        if data.team_id is not None
        else None
    )
    if team is None:
        errors["team_id"] = N_("Choose a team of this campaign.")
    elif not can_submit_as(team.status):
        errors["team_id"] = N_("This team can no longer submit, so an extension would not help it.")
    phase = (
        await session.scalar(select(Phase).where(Phase.id == data.phase_id, Phase.campaign_id == campaign.id))
        if data.phase_id is not None
        else None
    )
    if phase is None or phase.kind is not PhaseKind.SUBMISSION:
        errors["phase_id"] = N_("Choose a submission phase of this campaign.")
    if data.until is None:
        errors["until"] = N_("Enter a valid date and time.")
    elif data.until <= now:
        errors["until"] = N_("The extension must end in the future.")
    elif phase is not None and data.until <= effective_close(phase):
        errors["until"] = N_("The extension must end after the phase's deadline, grace period included.")
    reason = data.reason.strip()
    if not reason:
        errors["reason"] = N_("Give the reason for the extension.")
    elif len(reason) > EXTENSION_REASON_MAX:
        errors["reason"] = N_("The reason can have at most 500 characters.")
    if errors:
        raise ValidationFailed(errors)
    assert team is not None and phase is not None and data.until is not None
    return team, phase, data.until, reason


async def _lock_phase_for_update(session: AsyncSession, phase_id: int) -> None:
    await session.execute(select(Phase.id).where(Phase.id == phase_id).with_for_update())


async def grant_extension(
    session: AsyncSession,
    actor: User,
    now: datetime,
    campaign: Campaign,
    team_id: int | None,
    phase_id: int | None,
    until: datetime | None,
    reason: str,
) -> Extension:
    """Grants one team a later deadline in one submission phase, or changes the one it has."""
    await _require_organizer(session, campaign, actor)
    if campaign.status is not CampaignStatus.PUBLISHED:
        raise Conflict(N_("Extensions can only be granted in a published campaign."))
    team, phase, end, why = await _checked(
        session, campaign, ExtensionInput(team_id=team_id, phase_id=phase_id, until=until, reason=reason), now
    )
    await _lock_phase_for_update(session, phase.id)
    extension = await session.scalar(
        select(Extension)
        .where(Extension.team_id == team.id, Extension.phase_id == phase.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    before: dict[str, Any] | None = None
    if extension is None:
        extension = Extension(team_id=team.id, phase_id=phase.id, until=end, reason=why, granted_by_id=actor.id)
        try:
            async with session.begin_nested():
                session.add(extension)
        except IntegrityError as exc:
            raise Conflict(RACE_LOST) from exc
    else:
        before = _shown(extension)
        extension.until, extension.reason, extension.granted_by_id = end, why, actor.id
        await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="extension.grant" if before is None else "extension.update",
        subject=extension,
        campaign_id=campaign.id,
        before=before,
        after=_shown(extension),
        reason=why,
    )
    await publish(session, ExtensionGranted(extension_id=extension.id, team_id=team.id, phase_id=phase.id, at=now))
    return extension


async def revoke_extension(
    session: AsyncSession, actor: User, now: datetime, campaign: Campaign, extension_id: int
) -> None:
    """Takes an extension away: from now on the team is held to the phase's own deadline."""
    await _require_organizer(session, campaign, actor)
    extension = await session.scalar(
        select(Extension)
        .join(Phase, Phase.id == Extension.phase_id)
        .where(Extension.id == extension_id, Phase.campaign_id == campaign.id)
    )
    if extension is None:
        raise NotFound(EXTENSION_NOT_FOUND)
    await _lock_phase_for_update(session, extension.phase_id)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="extension.revoke",
        subject=extension,
        campaign_id=campaign.id,
        before=_shown(extension),
    )
    await session.delete(extension)
    await session.flush()

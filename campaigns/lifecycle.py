"""Named operations on the campaign itself: create, edit, publish and close it; which ones a person may list.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
validates, changes, flushes, writes its audit row and announces what happened. Callers
resolve the campaign in the actor's scope first (campaigns.access); the operations check
the organizer right again, so that scope is never decided in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import is_platform_lead
from accounts.models import User
from campaigns.access import require_organizer
from campaigns.deadlines import (
    normalise_reminder_hours,
)
from campaigns.events import CampaignClosed, CampaignPublished, TimelineChanged
from campaigns.models import (
    Campaign,
    CampaignRole,
    CampaignRoleKind,
    CampaignStatus,
    Challenge,
    Phase,
    PhaseKind,
)
from campaigns.publication import publication_blocker
from campaigns.texts import published_title_error, text_errors
from core.audit import apply_changes, record
from core.errors import N_, Conflict, Forbidden, ValidationFailed
from core.events import publish
from core.timezones import is_valid_timezone

TEAM_SIZE_MAX = 20
REMINDER_HOURS_ERROR = N_("Enter up to 5 whole hours from 1 to 720 separated by commas, such as 24,1; empty for none.")


# --- input ----------------------------------------------------------------------------------
# ``None`` in a number field means "missing or not understood": the operation says so.


@dataclass
class CampaignInput:
    title: str
    description: str = ""
    timezone: str = "UTC"
    min_team_size: int | None = 1
    max_team_size: int | None = 5
    show_judge_names: bool = False
    show_ranks: bool = True
    reminder_hours: str = "24,1"  # whole hours before a deadline, comma-separated; "" for none


def _campaign_errors(data: CampaignInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    data.title = data.title.strip()
    data.timezone = data.timezone.strip() or "UTC"
    text_errors(errors, data.title, {"description": data.description})
    if not is_valid_timezone(data.timezone):
        errors["timezone"] = N_("Choose a time zone from the list, such as Europe/Berlin.")
    if data.min_team_size is None or not 1 <= data.min_team_size <= TEAM_SIZE_MAX:
        errors["min_team_size"] = N_("Enter a whole number from 1 to 20.")
    if data.max_team_size is None or not 1 <= data.max_team_size <= TEAM_SIZE_MAX:
        errors["max_team_size"] = N_("Enter a whole number from 1 to 20.")
    elif data.min_team_size is not None and data.max_team_size < data.min_team_size:
        errors["max_team_size"] = N_("The largest team size must not be below the smallest.")
    reminder_hours = normalise_reminder_hours(data.reminder_hours)
    if reminder_hours is None:
        errors["reminder_hours"] = REMINDER_HOURS_ERROR
    else:
        data.reminder_hours = reminder_hours
    return errors


def visible_campaigns_query(user: User) -> Select[tuple[Campaign]]:
    """Campaigns the user may list, newest first: leads see all, organizers their drafts too."""
    stmt = select(Campaign)
    if not is_platform_lead(user):
        organized = select(CampaignRole.campaign_id).where(
            CampaignRole.user_id == user.id, CampaignRole.role == CampaignRoleKind.ORGANIZER
        )
        stmt = stmt.where(
            or_(
                Campaign.status.in_([CampaignStatus.PUBLISHED, CampaignStatus.CLOSED]),
                Campaign.sponsor_id == user.id,
                Campaign.id.in_(organized),
            )
        )
    return stmt.order_by(Campaign.created_at.desc(), Campaign.id.desc())


# --- campaigns ------------------------------------------------------------------------------


async def create_campaign(session: AsyncSession, actor: User, now: datetime, data: CampaignInput) -> Campaign:
    """A new draft campaign sponsored by the executive creating it, who also organizes it."""
    if not is_platform_lead(actor):
        raise Forbidden(N_("Only executives can launch campaigns."))
    if errors := _campaign_errors(data):
        raise ValidationFailed(errors)
    campaign = Campaign(
        title=data.title,
        description=data.description,
        timezone=data.timezone,
        min_team_size=data.min_team_size,
        max_team_size=data.max_team_size,
        show_judge_names=data.show_judge_names,
        show_ranks=data.show_ranks,
        reminder_hours=data.reminder_hours,
        sponsor_id=actor.id,
        status=CampaignStatus.DRAFT,
    )
    session.add(campaign)
    await session.flush()
    session.add(CampaignRole(campaign_id=campaign.id, user_id=actor.id, role=CampaignRoleKind.ORGANIZER))
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="campaign.create",
        subject=campaign,
        campaign_id=campaign.id,
        after={"title": campaign.title, "timezone": campaign.timezone},
    )
    return campaign


_CAMPAIGN_FIELDS = (
    "title",
    "description",
    "timezone",
    "min_team_size",
    "max_team_size",
    "show_judge_names",
    "show_ranks",
    "reminder_hours",
)


async def update_campaign(
    session: AsyncSession, actor: User, now: datetime, campaign: Campaign, data: CampaignInput
) -> Campaign:
    await require_organizer(session, campaign, actor)
    errors = _campaign_errors(data)
    published_title_error(errors, campaign, campaign.title, data.title)
    if errors:
        raise ValidationFailed(errors)
    before, after = apply_changes(campaign, data, _CAMPAIGN_FIELDS)
    await session.flush()
    if after:
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="campaign.update",
            subject=campaign,
            campaign_id=campaign.id,
            before=before,
            after=after,
        )
    if "reminder_hours" in after:
        # reminders are planned from the timeline: the scheduler re-plans the whole campaign
        await publish(session, TimelineChanged(campaign_id=campaign.id, phase_id=0))
    return campaign


async def publish_campaign(session: AsyncSession, actor: User, now: datetime, campaign: Campaign) -> Campaign:
    """Draft → published, once it has at least one challenge and one submission phase."""
    await require_organizer(session, campaign, actor)
    if campaign.status is not CampaignStatus.DRAFT:
        raise Conflict(N_("Only a draft campaign can be published."))
    challenges = await session.scalar(select(func.count()).where(Challenge.campaign_id == campaign.id)) or 0
    submissions = (
        await session.scalar(
            select(func.count()).where(Phase.campaign_id == campaign.id, Phase.kind == PhaseKind.SUBMISSION)
        )
        or 0
    )
    if blocker := publication_blocker(challenges, submissions):
        raise Conflict(blocker)
    await _move_status(
        session,
        actor,
        now,
        campaign,
        CampaignStatus.DRAFT,
        CampaignStatus.PUBLISHED,
        "campaign.publish",
        N_("Only a draft campaign can be published."),
        published_at=now,
    )
    await publish(session, CampaignPublished(campaign_id=campaign.id))
    return campaign


async def _move_status(
    session: AsyncSession,
    actor: User,
    now: datetime,
    campaign: Campaign,
    source: CampaignStatus,
    target: CampaignStatus,
    action: str,
    refusal: str,
    **values: Any,
) -> None:
    """A conditional status change (a second click is refused, never applied twice), audited."""
    changed = await session.execute(
        update(Campaign).where(Campaign.id == campaign.id, Campaign.status == source).values(status=target, **values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(refusal)
    await session.refresh(campaign)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action=action,
        subject=campaign,
        campaign_id=campaign.id,
        before={"status": source.value},
        after={"status": target.value},
    )


async def close_campaign(session: AsyncSession, actor: User, now: datetime, campaign: Campaign) -> Campaign:
    """Published → closed: the campaign stays readable, nothing new starts in it."""
    await require_organizer(session, campaign, actor)
    await _move_status(
        session,
        actor,
        now,
        campaign,
        CampaignStatus.PUBLISHED,
        CampaignStatus.CLOSED,
        "campaign.close",
        N_("Only a published campaign can be closed."),
    )
    await publish(session, CampaignClosed(campaign_id=campaign.id))
    return campaign

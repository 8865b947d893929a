"""Named operations on campaigns: the campaign itself, its challenges, timeline and people.

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

from accounts.models import User
from accounts.services import normalise_email, validate_email
from campaigns.access import CAMPAIGN_NOT_FOUND, can_organize, is_platform_lead
from campaigns.deadlines import (
    normalise_reminder_hours,
)
from campaigns.models import (
    TEXT_MAX,
    TITLE_MAX,
    Campaign,
    CampaignRole,
    CampaignRoleKind,
    CampaignStatus,
    Challenge,
    Phase,
    PhaseKind,
)
from campaigns.publication import publication_blocker
from core.audit import apply_changes, record
from core.concurrency import add_unique
from core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from core.events import Event, publish
from core.timezones import is_valid_timezone

TEAM_SIZE_MAX = 20
GRACE_MAX_MINUTES = 7 * 24 * 60
REQUIRED_JUDGES_MAX = 50
REMINDER_HOURS_ERROR = N_("Enter up to 5 whole hours from 1 to 720 separated by commas, such as 24,1; empty for none.")


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignPublished(Event):
    campaign_id: int


@dataclass(frozen=True)
class CampaignClosed(Event):
    campaign_id: int


@dataclass(frozen=True)
class TimelineChanged(Event):
    """A phase was added or its times changed: whatever is scheduled from the timeline is stale."""

    campaign_id: int
    phase_id: int


@dataclass(frozen=True)
class PhaseOpened(Event):
    campaign_id: int
    phase_id: int
    at: datetime


@dataclass(frozen=True)
class PhaseClosed(Event):
    campaign_id: int
    phase_id: int
    at: datetime


# --- inputs ---------------------------------------------------------------------------------
# ``None`` in a number or time field means "missing or not understood": the operation says so.


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


@dataclass
class ChallengeInput:
    title: str
    description: str = ""
    expected_impact: str = ""
    resources: str = ""


# --- helpers --------------------------------------------------------------------------------


async def require_organizer(session: AsyncSession, campaign: Campaign, actor: User) -> None:
    if not await can_organize(session, campaign, actor):
        raise NotFound(CAMPAIGN_NOT_FOUND)


def _text_errors(errors: dict[str, str], title: str, texts: dict[str, str]) -> None:
    if not title:
        errors["title"] = N_("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = N_("The title is too long (at most 200 characters).")
    for field, text in texts.items():
        if len(text) > TEXT_MAX:
            errors[field] = N_("This text is too long (at most 20,000 characters).")


def _campaign_errors(data: CampaignInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    data.title = data.title.strip()
    data.timezone = data.timezone.strip() or "UTC"
    _text_errors(errors, data.title, {"description": data.description})
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


# the results name the campaign and its challenges: once they are published, those names stay
PUBLISHED_TITLE = N_("The results are published under this title, so it can no longer change.")
NO_NEW_CHALLENGE = N_("The results are published, so no challenge can be added.")


def _published_title_error(errors: dict[str, str], campaign: Campaign, before: str, after: str) -> None:
    if campaign.results_published_at is not None and after != before:
        errors.setdefault("title", PUBLISHED_TITLE)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


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
    _published_title_error(errors, campaign, campaign.title, data.title)
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


# --- challenges -----------------------------------------------------------------------------


def _challenge_errors(data: ChallengeInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    data.title = data.title.strip()
    _text_errors(
        errors,
        data.title,
        {"description": data.description, "expected_impact": data.expected_impact, "resources": data.resources},
    )
    return errors


async def add_challenge(
    session: AsyncSession, actor: User, now: datetime, campaign: Campaign, data: ChallengeInput
) -> Challenge:
    await require_organizer(session, campaign, actor)
    if campaign.results_published_at is not None:
        raise Conflict(NO_NEW_CHALLENGE)
    if errors := _challenge_errors(data):
        raise ValidationFailed(errors)
    last = await session.scalar(select(func.max(Challenge.position)).where(Challenge.campaign_id == campaign.id))
    challenge = Challenge(
        campaign_id=campaign.id,
        title=data.title,
        description=data.description,
        expected_impact=data.expected_impact,
        resources=data.resources,
        position=(last + 1) if last is not None else 0,
    )
    session.add(challenge)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="challenge.add",
        subject=challenge,
        campaign_id=campaign.id,
        after={"title": challenge.title},
    )
    return challenge


async def update_challenge(
    session: AsyncSession, actor: User, now: datetime, campaign: Campaign, challenge: Challenge, data: ChallengeInput
) -> Challenge:
    if challenge.campaign_id != campaign.id:
        raise NotFound(N_("We could not find that challenge."))
    await require_organizer(session, campaign, actor)
    errors = _challenge_errors(data)
    _published_title_error(errors, campaign, challenge.title, data.title)
    if errors:
        raise ValidationFailed(errors)
    before, after = apply_changes(challenge, data, ("title", "description", "expected_impact", "resources"))
    await session.flush()
    if after:
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="challenge.update",
            subject=challenge,
            campaign_id=campaign.id,
            before=before,
            after=after,
        )
    return challenge


# --- people ---------------------------------------------------------------------------------


async def add_person(
    session: AsyncSession, actor: User, now: datetime, campaign: Campaign, email: str, role: str
) -> CampaignRole:
    """Gives an existing account a role in the campaign: organizer or judge."""
    await require_organizer(session, campaign, actor)
    errors: dict[str, str] = {}
    try:
        kind = CampaignRoleKind(role)
    except ValueError:
        errors["role"] = N_("Choose organizer or judge.")
    email = normalise_email(email)
    invalid = validate_email(email)
    user = None if invalid else await session.scalar(select(User).where(User.email == email))
    if invalid:
        errors["email"] = invalid
    elif user is None:
        errors["email"] = N_("No account uses this e-mail address. Ask an administrator to add the person first.")
    elif not user.is_active:
        errors["email"] = N_("This account is deactivated.")
    if errors:
        raise ValidationFailed(errors)
    assert user is not None
    taken = await session.scalar(
        select(CampaignRole.id).where(
            CampaignRole.campaign_id == campaign.id, CampaignRole.user_id == user.id, CampaignRole.role == kind
        )
    )
    already = Conflict(N_("This person already has this role in the campaign."), field="email")
    if taken is not None:
        raise already
    granted = CampaignRole(campaign_id=campaign.id, user_id=user.id, role=kind)
    if not await add_unique(session, granted):  # given at the same moment by another request
        raise already
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="campaign_role.add",
        subject=granted,
        campaign_id=campaign.id,
        after={"user_id": user.id, "email": user.email, "role": kind.value},
    )
    return granted


async def remove_person(session: AsyncSession, actor: User, now: datetime, campaign: Campaign, role_id: int) -> None:
    """Takes a campaign role away; the last organizer stays."""
    await require_organizer(session, campaign, actor)
    granted = await session.scalar(
        select(CampaignRole).where(CampaignRole.id == role_id, CampaignRole.campaign_id == campaign.id)
    )
    if granted is None:
        raise NotFound(N_("We could not find that person in this campaign."))
    if granted.role is CampaignRoleKind.ORGANIZER:
        organizers = (
            await session.scalar(
                select(func.count()).where(
                    CampaignRole.campaign_id == campaign.id, CampaignRole.role == CampaignRoleKind.ORGANIZER
                )
            )
            or 0
        )
        if organizers <= 1:
            raise Conflict(N_("A campaign needs at least one organizer."))
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="campaign_role.remove",
        subject=granted,
        campaign_id=campaign.id,
        before={"user_id": granted.user_id, "role": granted.role.value},
    )
    await session.delete(granted)
    await session.flush()

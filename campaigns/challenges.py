"""Named operations on a campaign's challenges: add one, edit one.

Like every campaign operation: validated, flushed, audited; the organizer right is checked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import require_organizer
from campaigns.models import Campaign, Challenge
from campaigns.texts import published_title_error, text_errors
from core.audit import apply_changes, record
from core.errors import N_, Conflict, NotFound, ValidationFailed

# the results name the challenges: once they are published, no new one joins them
NO_NEW_CHALLENGE = N_("The results are published, so no challenge can be added.")


@dataclass
class ChallengeInput:
    title: str
    description: str = ""
    expected_impact: str = ""
    resources: str = ""


def _challenge_errors(data: ChallengeInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    data.title = data.title.strip()
    text_errors(
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
    published_title_error(errors, campaign, challenge.title, data.title)
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

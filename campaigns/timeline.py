"""A campaign's timeline read under the campaign's lock, and what the operations on it share.

The timeline's operations (campaigns.timeline_editing: add and edit phases;
campaigns.phase_transitions: open, close and reopen them) load the timeline under a lock on the
campaign's row, so two transitions of one campaign never interleave, apply the rule (pure:
campaigns.deadlines for the shape of a timeline, campaigns.transitions for the state machine),
change, audit and announce.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.access import CAMPAIGN_NOT_FOUND
from campaigns.deadlines import FieldMessage
from campaigns.models import Campaign, Phase, PhaseKind
from core.errors import Conflict, NotFound, ValidationFailed
from core.scheduling import ScheduledAction

GRACE_MAX_MINUTES = 7 * 24 * 60


class ConfirmationNeeded(Conflict):
    """The change is allowed but consequential (a running phase's deadline): ask, then repeat with consent."""


class FieldErrors:
    """Field errors with the values their messages name."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        self.params: dict[str, dict[str, Any]] = {}

    def add(self, field: str, error: FieldMessage) -> None:
        if field not in self.messages:
            self.messages[field] = error.message
            self.params[field] = error.params

    def __bool__(self) -> bool:
        return bool(self.messages)

    def items(self) -> list[tuple[str, FieldMessage]]:
        return [(field, FieldMessage(message, self.params[field])) for field, message in self.messages.items()]

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationFailed(self.messages, field_params=self.params)


def shown(_field: str, value: Any) -> Any:
    """A value as the audit log keeps it."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, PhaseKind) else value


async def lock_campaign(session: AsyncSession, campaign_id: int, *, by_person: bool = True) -> Campaign:
    """The campaign's row, locked against other transitions of its timeline and read afresh.

    ``FOR NO KEY UPDATE`` on PostgreSQL: it does not block the key-share locks that inserts of
    rows referencing the campaign take; SQLite already serialises writers. A person's change
    first waits for the scheduler's steps of this campaign in flight (their rows, which its
    re-planning updates): the scheduler holds those and then takes this lock, so taking them in
    the same order cannot deadlock.
    """
    if by_person:
        await session.execute(
            select(ScheduledAction.id).where(ScheduledAction.campaign_id == campaign_id).with_for_update()
        )
    campaign = await session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign


async def locked_timeline(session: AsyncSession, campaign_id: int, *, by_person: bool = True) -> list[Phase]:
    """The campaign's phases, in order, read under the campaign's lock (lock_campaign)."""
    await lock_campaign(session, campaign_id, by_person=by_person)
    rows = await session.scalars(
        select(Phase)
        .where(Phase.campaign_id == campaign_id)
        .order_by(Phase.position, Phase.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())

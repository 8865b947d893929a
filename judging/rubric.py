"""The rubric of a judging phase: its criteria, read in order, and the organizer's edits to them.

Every edit takes the session, the acting user and ``now`` (from the injected clock), validates,
changes, flushes and writes its audit row. It takes a judging phase already resolved in the
actor's scope and checks the organizer right again.

Rules chosen here (DOMAIN.md is silent on them):
- a rubric is locked as soon as one scorecard of its phase is final, until an organizer reopens
  it with a reason (``judging/rubric_reset.py``: every final scorecard of the phase back to draft);
- a scale has at most 21 levels (``max − min ≤ 20``) within ±1000, a weight is in (0, 1000];
- changing a criterion's scale drops draft scores that fall outside the new scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Phase
from core.audit import record
from core.errors import N_, Conflict, Invalid, NotFound, ValidationFailed
from judging.models import CRITERION_NAME_MAX, Criterion, Score, Scorecard, ScorecardStatus
from judging.phases import organized_campaign_of

GUIDANCE_MAX = 5_000
DESCRIPTOR_MAX = 200
WEIGHT_MAX = 1_000.0
SCALE_LIMIT = 1_000
SCALE_LEVELS_MAX = 21
CRITERIA_MAX = 30

CRITERION_NOT_FOUND = N_("We could not find that criterion.")
RUBRIC_LOCKED = N_("The rubric is locked: a judge has already finalised a scorecard in this phase.")


async def rubric(session: AsyncSession, phase_id: int) -> list[Criterion]:
    rows = await session.scalars(
        select(Criterion).where(Criterion.phase_id == phase_id).order_by(Criterion.position, Criterion.id)
    )
    return list(rows.all())


async def rubric_locked(session: AsyncSession, phase_id: int) -> bool:
    found = await session.scalar(
        select(
            exists().where(Scorecard.phase_id == phase_id, Scorecard.status == ScorecardStatus.FINAL),
        )
    )
    return bool(found)


# --- the rubric -------------------------------------------------------------------------------


@dataclass
class CriterionInput:
    """``None`` in a number field means missing or not understood."""

    name: str
    guidance: str = ""
    weight: float | None = 1.0
    scale_min: int | None = 1
    scale_max: int | None = 5
    descriptors: str = ""  # lines such as "3: Solid evidence"


def parse_descriptors(text: str, low: int, high: int) -> dict[str, str] | None:
    """Level descriptors from lines ``"<level>: <text>"``; ``None`` if a line does not fit the scale."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        level_raw, sep, words = line.partition(":")
        try:
            level = int(level_raw.strip())
        except ValueError:
            return None
        words = words.strip()
        if not sep or not words or len(words) > DESCRIPTOR_MAX or not low <= level <= high or str(level) in found:
            return None
        found[str(level)] = words
    return dict(sorted(found.items(), key=lambda item: int(item[0])))


def descriptors_text(descriptors: dict[str, Any]) -> str:
    return "\n".join(f"{level}: {text}" for level, text in sorted(descriptors.items(), key=lambda i: int(i[0])))


def _criterion_errors(data: CriterionInput) -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = N_("Enter a name for the criterion.")
    elif len(name) > CRITERION_NAME_MAX:
        errors["name"] = N_("The name can be at most 120 characters.")
    if len(data.guidance) > GUIDANCE_MAX:
        errors["guidance"] = N_("The guidance can be at most 5000 characters.")
    if data.weight is None or not math.isfinite(data.weight):
        errors["weight"] = N_("Enter the weight as a number, such as 2 or 1.5.")
    elif data.weight <= 0:
        errors["weight"] = N_("The weight must be greater than zero.")
    elif data.weight > WEIGHT_MAX:
        errors["weight"] = N_("The weight can be at most 1000.")
    low, high = data.scale_min, data.scale_max
    descriptors: dict[str, str] = {}
    if low is None or high is None:
        errors["scale_min" if low is None else "scale_max"] = N_("Enter the scale as whole numbers.")
    elif abs(low) > SCALE_LIMIT or abs(high) > SCALE_LIMIT:
        errors["scale_max"] = N_("The scale must stay between -1000 and 1000.")
    elif low >= high:
        errors["scale_max"] = N_("The top of the scale must be greater than the bottom.")
    elif high - low + 1 > SCALE_LEVELS_MAX:
        errors["scale_max"] = N_("A scale can have at most 21 levels.")
    else:
        parsed = parse_descriptors(data.descriptors, low, high)
        if parsed is None:
            errors["descriptors"] = N_(
                "Write one level per line, such as “3: Solid evidence”, with levels on the scale "
                "and at most 200 characters each."
            )
        else:
            descriptors = parsed
    return errors, descriptors


def _criterion_state(criterion: Criterion) -> dict[str, Any]:
    return {
        "name": criterion.name,
        "guidance": criterion.guidance,
        "weight": criterion.weight,
        "scale_min": criterion.scale_min,
        "scale_max": criterion.scale_max,
        "position": criterion.position,
        "descriptors": dict(criterion.descriptors or {}),
    }


async def _require_unlocked(session: AsyncSession, phase: Phase) -> None:
    if await rubric_locked(session, phase.id):
        raise Conflict(RUBRIC_LOCKED)


async def _criterion_of(session: AsyncSession, phase: Phase, criterion_id: int) -> Criterion:
    criterion = await session.scalar(
        select(Criterion).where(Criterion.id == criterion_id, Criterion.phase_id == phase.id)
    )
    if criterion is None:
        raise NotFound(CRITERION_NOT_FOUND)
    return criterion


async def add_criterion(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, data: CriterionInput
) -> Criterion:
    campaign = await organized_campaign_of(session, actor, phase)
    await _require_unlocked(session, phase)
    errors, descriptors = _criterion_errors(data)
    if errors:
        raise ValidationFailed(errors)
    existing = await rubric(session, phase.id)
    if len(existing) >= CRITERIA_MAX:
        raise Conflict(N_("A rubric can have at most 30 criteria."))
    assert data.weight is not None and data.scale_min is not None and data.scale_max is not None
    criterion = Criterion(
        phase_id=phase.id,
        name=data.name.strip(),
        guidance=data.guidance.strip(),
        weight=float(data.weight),
        scale_min=data.scale_min,
        scale_max=data.scale_max,
        position=max((c.position for c in existing), default=-1) + 1,
        descriptors=descriptors,
    )
    session.add(criterion)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_added",
        subject=criterion,
        campaign_id=campaign.id,
        after=_criterion_state(criterion),
    )
    return criterion


async def update_criterion(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, criterion_id: int, data: CriterionInput
) -> Criterion:
    campaign = await organized_campaign_of(session, actor, phase)
    criterion = await _criterion_of(session, phase, criterion_id)
    await _require_unlocked(session, phase)
    errors, descriptors = _criterion_errors(data)
    if errors:
        raise ValidationFailed(errors)
    assert data.weight is not None and data.scale_min is not None and data.scale_max is not None
    before = _criterion_state(criterion)
    criterion.name = data.name.strip()
    criterion.guidance = data.guidance.strip()
    criterion.weight = float(data.weight)
    criterion.scale_min = data.scale_min
    criterion.scale_max = data.scale_max
    criterion.descriptors = descriptors
    after = _criterion_state(criterion)
    if before == after:
        return criterion
    # scores that the new scale no longer contains are dropped; the rubric is unlocked, so every scorecard
    # is a draft (also those reopened by a rubric reset, which then need that criterion scored again)
    stale = await session.scalars(
        select(Score).where(
            Score.criterion_id == criterion.id,
            (Score.value < criterion.scale_min) | (Score.value > criterion.scale_max),
        )
    )
    for score in stale.all():
        await session.delete(score)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_updated",
        subject=criterion,
        campaign_id=campaign.id,
        before=before,
        after=after,
    )
    return criterion


async def delete_criterion(session: AsyncSession, actor: User, now: datetime, phase: Phase, criterion_id: int) -> None:
    campaign = await organized_campaign_of(session, actor, phase)
    criterion = await _criterion_of(session, phase, criterion_id)
    await _require_unlocked(session, phase)
    before = _criterion_state(criterion)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_deleted",
        subject=criterion,
        campaign_id=campaign.id,
        before=before,
    )
    await session.delete(criterion)
    await session.flush()
    for position, other in enumerate(await rubric(session, phase.id)):
        other.position = position
    await session.flush()


async def move_criterion(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, criterion_id: int, direction: str
) -> None:
    campaign = await organized_campaign_of(session, actor, phase)
    if direction not in ("up", "down"):
        raise Invalid(N_("Choose to move the criterion up or down."), field="direction")
    criterion = await _criterion_of(session, phase, criterion_id)
    await _require_unlocked(session, phase)
    ordered = await rubric(session, phase.id)
    before = [c.id for c in ordered]
    index = before.index(criterion.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered):
        other.position = position
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_moved",
        subject=criterion,
        campaign_id=campaign.id,
        before={"order": before},
        after={"order": [c.id for c in ordered]},
    )

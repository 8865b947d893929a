"""Copying a rubric from another judging phase (usually a past campaign's) into this phase.

Rules chosen here (DOMAIN.md is silent on them):
- the sources are the judging phases with a rubric of the campaigns the actor organizes, or of
  every campaign for executives and admins, this phase excepted;
- the copy takes name, guidance, weight, scale, level descriptors and order;
- refused while this phase's rubric is locked, and when it already has criteria unless
  ``replace`` is asked for (the old criteria are then deleted, and draft scores with them);
- audited once, with the criteria before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import is_platform_lead
from accounts.models import User
from campaigns.access import organizes
from campaigns.models import Campaign, Phase, PhaseKind
from core.audit import record
from core.errors import N_, Conflict, NotFound
from judging.models import Criterion
from judging.phases import organized_campaign_of
from judging.rubric import RUBRIC_LOCKED, rubric, rubric_locked

SOURCES_MAX = 200


@dataclass(frozen=True)
class RubricSource:
    campaign: Campaign
    phase: Phase
    criteria: int


async def copy_sources(session: AsyncSession, actor: User, phase: Phase) -> list[RubricSource]:
    """Judging phases the actor may copy a rubric from, newest campaigns first (one query)."""
    counts = select(Criterion.phase_id, func.count(Criterion.id).label("n")).group_by(Criterion.phase_id).subquery()
    stmt = (
        select(Campaign, Phase, counts.c.n)
        .join(Phase, Phase.campaign_id == Campaign.id)
        .join(counts, counts.c.phase_id == Phase.id)
        .where(Phase.kind == PhaseKind.JUDGING, Phase.id != phase.id)
        .order_by(Campaign.id.desc(), Phase.position, Phase.id)
        .limit(SOURCES_MAX)
    )
    if not is_platform_lead(actor):
        stmt = stmt.where(organizes(actor.id, Campaign.id))
    rows = await session.execute(stmt)
    return [RubricSource(campaign, source, n) for campaign, source, n in rows.all()]


def _state(criteria: list[Criterion]) -> list[dict[str, object]]:
    return [{"name": c.name, "weight": c.weight, "scale_min": c.scale_min, "scale_max": c.scale_max} for c in criteria]


async def copy_rubric(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, source_phase_id: int, *, replace: bool = False
) -> list[Criterion]:
    campaign = await organized_campaign_of(session, actor, phase)
    if not any(s.phase.id == source_phase_id for s in await copy_sources(session, actor, phase)):
        raise NotFound(N_("We could not find that rubric."), field="source")
    if await rubric_locked(session, phase.id):
        raise Conflict(RUBRIC_LOCKED)
    current = await rubric(session, phase.id)
    if current and not replace:
        raise Conflict(
            N_("This phase already has criteria: tick “replace” to delete them and copy the other rubric."),
            field="source",
        )
    source = await rubric(session, source_phase_id)
    for criterion in current:
        await session.delete(criterion)
    await session.flush()
    copies = [
        Criterion(
            phase_id=phase.id,
            name=c.name,
            guidance=c.guidance,
            weight=c.weight,
            scale_min=c.scale_min,
            scale_max=c.scale_max,
            position=position,
            descriptors=dict(c.descriptors or {}),
        )
        for position, c in enumerate(source)
    ]
    session.add_all(copies)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.copied",
        subject=phase,
        campaign_id=campaign.id,
        before={"criteria": _state(current)},
        after={"source_phase_id": source_phase_id, "criteria": _state(copies)},
    )
    return copies

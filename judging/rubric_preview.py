"""What participants see of a rubric before they submit: criteria, weights, scales, descriptors.

Never a score: only the rubric itself. Every hackathon shows its judging criteria up front, so
teams know what counts before they write.

Rules chosen here (DOMAIN.md is silent on them):
- the campaign page shows the rubrics of the judging phases that have not closed yet;
- the entry page shows the rubric of the judging phase(s) that judge that submission phase;
- a weight is shown as its share of 100 % (weight / sum of weights), with one decimal at most;
- a judging phase without criteria yet is listed with a note that they are still to come.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.deadlines import phase_state
from campaigns.models import Phase, PhaseKind, PhaseStatus
from judging.models import Criterion


@dataclass(frozen=True)
class CriterionPreview:
    name: str
    guidance: str
    share: float  # percent of the total, 0..100
    scale_min: int
    scale_max: int
    levels: list[tuple[int, str]]  # (level, descriptor), lowest first


@dataclass(frozen=True)
class RubricPreview:
    phase: Phase
    criteria: list[CriterionPreview]


def weight_shares(weights: Sequence[float]) -> list[float]:
    """Each weight as a percentage of their sum (all 0 when the sum is not positive)."""
    total = sum(weights)
    if total <= 0:
        return [0.0 for _ in weights]
    return [100 * w / total for w in weights]


def _levels(descriptors: dict[str, object] | None) -> list[tuple[int, str]]:
    found = []
    for level, text in (descriptors or {}).items():
        try:
            found.append((int(level), str(text)))
        except ValueError:
            continue
    return sorted(found)


def preview(phase: Phase, criteria: Sequence[Criterion]) -> RubricPreview:
    """The participant's view of one phase's rubric, in rubric order (pure)."""
    ordered = sorted(criteria, key=lambda c: (c.position, c.id))
    shares = weight_shares([c.weight for c in ordered])
    return RubricPreview(
        phase=phase,
        criteria=[
            CriterionPreview(
                name=c.name,
                guidance=c.guidance,
                share=share,
                scale_min=c.scale_min,
                scale_max=c.scale_max,
                levels=_levels(c.descriptors),
            )
            for c, share in zip(ordered, shares, strict=True)
        ],
    )


def judging_ahead(phases: Sequence[Phase], now: datetime) -> list[Phase]:
    """The judging phases that have not closed at ``now``, in timeline order."""
    return [p for p in phases if p.kind is PhaseKind.JUDGING and phase_state(p, now) is not PhaseStatus.CLOSED]


def judging_of(phases: Sequence[Phase], submission: Phase) -> list[Phase]:
    """The judging phases that judge the entries of ``submission``."""
    return [p for p in phases if p.kind is PhaseKind.JUDGING and p.judges_phase_id == submission.id]


async def rubric_previews(session: AsyncSession, phases: Sequence[Phase]) -> list[RubricPreview]:
    """The rubrics of these judging phases, in the order given: one query whatever their number."""
    if not phases:
        return []
    rows = await session.scalars(
        select(Criterion)
        .where(Criterion.phase_id.in_([p.id for p in phases]))
        .order_by(Criterion.phase_id, Criterion.position, Criterion.id)
    )
    by_phase: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in rows.all():
        by_phase[criterion.phase_id].append(criterion)
    return [preview(phase, by_phase[phase.id]) for phase in phases]

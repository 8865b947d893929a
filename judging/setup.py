"""Settings of a judging phase and the judges' challenge limits, changed by an organizer.

Rules chosen here (DOMAIN.md is silent on them):
- ``k`` must lie between 1 and the number of active judges in the pool; an unchanged ``k`` is
  not checked again, so the other settings can be saved before judges are invited;
- the settings stay editable once scorecards are final: they change the ranking and the
  completeness shown, never a score;
- a minimum score lies in 0..100 unless scores are z-scores (any number).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import (
    AdvancementRule,
    CampaignRole,
    CampaignRoleKind,
    Challenge,
    NormalisationMode,
    Phase,
    RankingScope,
)
from core.audit import record
from core.concurrency import serialise
from core.errors import N_, Invalid, ValidationFailed
from judging.models import JudgeChallenge
from judging.phases import organized_campaign_of

K_MAX = 50
E = TypeVar("E", NormalisationMode, RankingScope, AdvancementRule)


@dataclass
class PhaseSettings:
    """``None`` in a number field means missing or not understood."""

    required_judges: int | None
    normalisation: str
    ranking_scope: str
    advancement_rule: str
    advancement_value: float | None
    department_conflict: bool


async def pool_size(session: AsyncSession, campaign_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(CampaignRole)
        .join(User, User.id == CampaignRole.user_id)
        .where(
            CampaignRole.campaign_id == campaign_id,
            CampaignRole.role == CampaignRoleKind.JUDGE,
            User.is_active.is_(True),
        )
    )
    return int(count or 0)


def _state(phase: Phase) -> dict[str, Any]:
    return {
        "required_judges": phase.required_judges,
        "normalisation": phase.normalisation.value,
        "ranking_scope": phase.ranking_scope.value,
        "advancement_rule": phase.advancement_rule.value,
        "advancement_value": phase.advancement_value,
        "department_conflict": phase.department_conflict,
    }


def _value_error(rule: AdvancementRule, mode: NormalisationMode | None, value: float | None) -> str | None:
    if rule is AdvancementRule.MANUAL:
        return None
    if value is None or not math.isfinite(value):
        return N_("Enter a number for the advancement rule.")
    if rule is AdvancementRule.TOP_N and (value < 1 or value != int(value)):
        return N_("The number of teams must be a whole number of at least 1.")
    if rule is AdvancementRule.TOP_PERCENT and not 0 < value <= 100:
        return N_("The percentage must be greater than 0 and at most 100.")
    if rule is AdvancementRule.MIN_SCORE and mode is not NormalisationMode.ZSCORE and not 0 <= value <= 100:
        return N_("The minimum score must lie between 0 and 100.")
    return None


def _enum(kind: type[E], raw: str) -> E | None:
    try:
        return kind(raw)
    except ValueError:
        return None


async def update_settings(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, data: PhaseSettings
) -> Phase:
    campaign = await organized_campaign_of(session, actor, phase)
    errors: dict[str, str] = {}
    params: dict[str, Any] = {}
    mode = _enum(NormalisationMode, data.normalisation)
    scope = _enum(RankingScope, data.ranking_scope)
    rule = _enum(AdvancementRule, data.advancement_rule)
    if mode is None:
        errors["normalisation"] = N_("Choose how scores are normalised.")
    if scope is None:
        errors["ranking_scope"] = N_("Choose whether teams are ranked per challenge or across the campaign.")
    if rule is None:
        errors["advancement_rule"] = N_("Choose an advancement rule.")
    else:
        value_error = _value_error(rule, mode, data.advancement_value)
        if value_error:
            errors["advancement_value"] = value_error
    k = data.required_judges
    if k is None or not 1 <= k <= K_MAX:
        errors["required_judges"] = N_("Enter the number of judges per entry as a whole number from 1 to 50.")
    elif k != phase.required_judges:
        size = await pool_size(session, campaign.id)
        if k > size:
            errors["required_judges"] = N_(
                "The judge pool has only %(size)s active judges, so each entry cannot get %(k)s: "
                "invite %(missing)s more judges or lower the number."
            )
            params = {"size": size, "k": k, "missing": k - size}
    if errors:
        raise ValidationFailed(errors, **params)
    assert k is not None and mode is not None and scope is not None and rule is not None
    before = _state(phase)
    phase.required_judges = k
    phase.normalisation = mode
    phase.ranking_scope = scope
    phase.advancement_rule = rule
    phase.advancement_value = None if rule is AdvancementRule.MANUAL else data.advancement_value
    phase.department_conflict = data.department_conflict
    after = _state(phase)
    if before == after:
        return phase
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="judging.settings_updated",
        subject=phase,
        campaign_id=campaign.id,
        before=before,
        after=after,
    )
    return phase


async def judge_limits(session: AsyncSession, campaign_id: int) -> dict[int, set[int]]:
    """Judge id -> the challenges they are limited to (judges without limits are absent)."""
    limits: dict[int, set[int]] = {}
    for judge_id, challenge_id in await session.execute(
        select(JudgeChallenge.judge_id, JudgeChallenge.challenge_id).where(JudgeChallenge.campaign_id == campaign_id)
    ):
        limits.setdefault(judge_id, set()).add(challenge_id)
    return limits


async def set_judge_limits(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, judge_id: int, challenge_ids: set[int]
) -> None:
    """Limits a judge of the campaign to ``challenge_ids``; an empty set lets them judge every challenge."""
    campaign = await organized_campaign_of(session, actor, phase)
    judge = await session.scalar(
        select(User)
        .join(CampaignRole, CampaignRole.user_id == User.id)
        .where(
            CampaignRole.campaign_id == campaign.id,
            CampaignRole.role == CampaignRoleKind.JUDGE,
            User.id == judge_id,
        )
    )
    if judge is None:
        raise Invalid(N_("Choose a judge from the campaign's judge pool."), field="judge_id")
    known = set((await session.scalars(select(Challenge.id).where(Challenge.campaign_id == campaign.id))).all())
    if not challenge_ids <= known:
        raise Invalid(N_("Choose challenges of this campaign."), field="challenges")
    # one change of a judge's challenges at a time: two at once would both delete, then both insert
    await serialise(session, f"judge-limits:{campaign.id}:{judge_id}")
    before = sorted((await judge_limits(session, campaign.id)).get(judge_id, set()))
    if before == sorted(challenge_ids):
        return
    await session.execute(
        delete(JudgeChallenge).where(JudgeChallenge.campaign_id == campaign.id, JudgeChallenge.judge_id == judge_id)
    )
    session.add_all(
        JudgeChallenge(campaign_id=campaign.id, judge_id=judge_id, challenge_id=c) for c in sorted(challenge_ids)
    )
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="judging.judge_limits_updated",
        subject=judge,
        campaign_id=campaign.id,
        before={"challenges": before},
        after={"challenges": sorted(challenge_ids)},
    )

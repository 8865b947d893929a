"""The ranking cache is exactly as fresh as the data: every change made through the services is
seen at once, through the service and through HTTP. These tests run with the cache on
(``ranking_cache`` marker) and change data only through the services once the first ranking is
cached."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Phase
from core.versions import current
from judging import ranking_cache
from judging.advancing import override_advancement
from judging.assign_by_hand import assign_judge, unassign_judge
from judging.models import AdvancementOutcome
from judging.ranking import phase_ranking
from judging.ranking_rows import PhaseRanking
from judging.rubric import CriterionInput, update_criterion
from judging.rubric_reset import reopen_rubric
from judging.scorecards import finalise_scorecard
from judging.setup import PhaseSettings, update_settings
from tests.conftest import NOW, Browser
from tests.factories import assign
from tests.judging.test_results import ORGANIZER, World, row_of, world

pytestmark = pytest.mark.ranking_cache

SCORES = {"Alpha": [5, 5, 10], "Beta": [5, 3, 5], "Gamma": [5, 3, 5], "Delta": [3, 3, 5], "Zeta": [3, 3, 5]}


def figures(ranking: PhaseRanking) -> list[tuple[Any, ...]]:
    return [(r.entry.id, r.rank, r.score, r.raw_mean, r.cards, r.incomplete, r.tied) for r in ranking.rows]


async def fresh(db: AsyncSession, phase: Phase) -> list[tuple[Any, ...]]:
    """The ranking computed from the data, the cache bypassed."""
    ranking_cache.ENABLED = False
    try:
        return figures(await phase_ranking(db, phase))
    finally:
        ranking_cache.ENABLED = True


async def seen(db: AsyncSession, phase: Phase) -> PhaseRanking:
    """What a reader sees in a new transaction (the cache in use), checked against the data."""
    await db.commit()
    ranking = await phase_ranking(db, phase)
    assert figures(ranking) == await fresh(db, phase)
    await db.commit()
    return ranking


async def test_every_change_is_seen_at_once_through_the_service_and_http(db: AsyncSession, browser: Browser) -> None:
    w: World = await world(db)
    phase = w.s.judging
    judges = w.judges
    assignments = {}
    for entry in w.entries.values():  # the judges' assignments, before anything is cached
        for judge in judges:
            assignments[entry.id, judge.id] = await assign(db, phase, entry, judge)
    await db.commit()
    org = (await db.scalars(select(User).where(User.email == ORGANIZER))).one()
    await browser.sign_in(ORGANIZER)

    async def page() -> str:
        response = await browser.get(f"{w.url}/results")
        assert response.status_code == 200
        return str(response.text)

    first = await seen(db, phase)
    assert (await seen(db, phase)) is not first and ranking_cache.CACHE.hits >= 1  # served from the cache
    epsilon = w.entries["Epsilon"]
    assert first.row_of_entry(epsilon.id).incomplete  # type: ignore[union-attr]
    assert "Incomplete" in row_of(await page(), epsilon, phase)
    version = await current(db, w.s.campaign.id)

    # an assignment, removed and added again
    await unassign_judge(db, org, NOW, phase, assignments[epsilon.id, judges[2].id].id)
    await seen(db, phase)
    await assign_judge(db, org, NOW, phase, epsilon.id, judges[2].id)
    await seen(db, phase)
    assert await current(db, w.s.campaign.id) == version + 2

    # a score: the third judge finalises Epsilon's scorecard
    c1, c2, c3 = (c.id for c in w.s.criteria)
    await finalise_scorecard(db, judges[2], phase.id, epsilon.id, {c1: 5, c2: 5, c3: 10}, "Fine.", "", NOW)
    ranking = await seen(db, phase)
    row = ranking.row_of_entry(epsilon.id)
    assert row is not None and not row.incomplete and row.rank == 1
    assert "Incomplete" not in row_of(await page(), epsilon, phase)
    assert await current(db, w.s.campaign.id) > version

    # the mode
    settings = PhaseSettings(
        required_judges=phase.required_judges,
        normalisation="zscore",
        ranking_scope=phase.ranking_scope.value,
        advancement_rule=phase.advancement_rule.value,
        advancement_value=phase.advancement_value,
        department_conflict=phase.department_conflict,
    )
    await update_settings(db, org, NOW, phase, settings)
    assert (await seen(db, phase)).mode.value == "zscore"
    assert "z-score" in await page()

    # an advancement outcome set by hand
    before = await current(db, w.s.campaign.id)
    await override_advancement(db, org, NOW, phase, w.teams["Delta"].id, AdvancementOutcome.ELIMINATE, "Out of scope.")
    await seen(db, phase)
    assert await current(db, w.s.campaign.id) > before

    # a rubric weight: reopen the rubric, weigh the third criterion 10 times more, finalise again
    await reopen_rubric(db, org, NOW, phase, "Weigh feasibility more.")
    assert all(row.incomplete for row in (await seen(db, phase)).rows)
    assert "Incomplete" in row_of(await page(), w.entries["Alpha"], phase)
    criterion = w.s.criteria[2]
    await update_criterion(
        db,
        org,
        NOW,
        phase,
        criterion.id,
        CriterionInput(
            name=criterion.name,
            weight=criterion.weight * 10,
            scale_min=criterion.scale_min,
            scale_max=criterion.scale_max,
        ),
    )
    await seen(db, phase)
    for name, values in {**SCORES, "Epsilon": [5, 5, 10]}.items():
        for judge in judges[: 2 if name == "Epsilon" else 3]:
            scores = dict(zip((c1, c2, c3), values, strict=True))
            await finalise_scorecard(db, judge, phase.id, w.entries[name].id, scores, "Fine.", "", NOW)
    await finalise_scorecard(db, judges[2], phase.id, epsilon.id, {c1: 5, c2: 5, c3: 10}, "Fine.", "", NOW)
    ranking = await seen(db, phase)
    assert not any(row.incomplete for row in ranking.rows)
    assert "Incomplete" not in await page()

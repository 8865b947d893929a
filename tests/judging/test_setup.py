"""The judging set-up page: phase settings with clear field errors, judges' challenge limits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import AdvancementRule, NormalisationMode, Phase, RankingScope
from core.audit import AuditEntry
from judging.models import JudgeChallenge
from tests.conftest import Browser
from tests.factories import Scenario, make_campaign, make_user

VALID = {
    "required_judges": "2",
    "normalisation": "zscore",
    "ranking_scope": "challenge",
    "advancement_rule": "top_n",
    "advancement_value": "5",
    "department_conflict": "on",
}


async def arrange(db: AsyncSession) -> tuple[Scenario, str]:
    org = await make_user(db, "org@example.com", name="Org")
    judges = [await make_user(db, f"judge{i}@example.com", name=f"Judge {i}") for i in range(2)]
    scenario = await make_campaign(db, organizer=org, stage="judging", judges=judges)
    await db.commit()
    return scenario, f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/setup"


async def phase_of(db: AsyncSession, scenario: Scenario) -> Phase:
    phase = await db.scalar(
        select(Phase).where(Phase.id == scenario.judging.id).execution_options(populate_existing=True)
    )
    await db.commit()
    assert phase is not None
    return phase


async def test_saving_settings(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    await browser.sign_in("org@example.com")
    page = await browser.get(url)
    assert page.status_code == 200
    assert "Judge 0" in page.text and f"/campaigns/{scenario.campaign.id}/people" in page.text

    response = await browser.post(url, VALID)
    assert response.status_code == 303
    phase = await phase_of(db, scenario)
    assert phase.required_judges == 2 and phase.normalisation is NormalisationMode.ZSCORE
    assert phase.ranking_scope is RankingScope.CHALLENGE and phase.advancement_rule is AdvancementRule.TOP_N
    assert phase.advancement_value == 5 and phase.department_conflict
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "judging.settings_updated"))
    await db.commit()
    assert audit is not None and audit.after is not None and audit.after["required_judges"] == 2

    manual = await browser.post(url, {**VALID, "advancement_rule": "manual", "advancement_value": "9"})
    assert manual.status_code == 303, manual.text
    phase = await phase_of(db, scenario)
    assert phase.advancement_rule is AdvancementRule.MANUAL and phase.advancement_value is None


async def test_k_larger_than_the_pool_is_refused_and_nothing_is_saved(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    await browser.sign_in("org@example.com")
    response = await browser.post(url, {**VALID, "required_judges": "4"})
    assert response.status_code == 422
    assert "The judge pool has only 2 active judges, so each entry cannot get 4" in response.text
    assert "invite 2 more judges" in response.text
    assert 'value="4"' in response.text  # what was typed is kept
    phase = await phase_of(db, scenario)
    assert phase.required_judges == 3 and phase.normalisation is NormalisationMode.NONE  # nothing half-way
    assert not phase.department_conflict


async def test_bad_values(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    await browser.sign_in("org@example.com")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"required_judges": "0"}, "whole number from 1 to 50"),
        ({"required_judges": "two"}, "whole number from 1 to 50"),
        ({"advancement_value": "2.5"}, "whole number of at least 1"),
        ({"advancement_rule": "top_percent", "advancement_value": "0"}, "greater than 0 and at most 100"),
        ({"advancement_rule": "top_percent", "advancement_value": ""}, "Enter a number"),
        ({"advancement_rule": "min_score", "advancement_value": "150", "normalisation": "none"}, "between 0 and 100"),
        ({"normalisation": "magic"}, "Choose how scores are normalised"),
        ({"advancement_rule": "lottery"}, "Choose an advancement rule"),
    ]
    for change, message in cases:
        response = await browser.post(url, {**VALID, **change})
        assert response.status_code == 422, change
        assert message in response.text, change
    assert (await phase_of(db, scenario)).normalisation is NormalisationMode.NONE
    ok = await browser.post(url, {**VALID, "advancement_rule": "min_score", "advancement_value": "-0.5"})
    assert ok.status_code == 303  # any number with z-scores
    assert (await phase_of(db, scenario)).advancement_value == -0.5


async def test_judge_challenge_limits(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    judge = await db.scalar(select(JudgeChallenge.id))  # none yet
    assert judge is None
    judge_id = await browser_judge_id(db, "judge0@example.com")
    await browser.sign_in("org@example.com")
    challenge = scenario.challenges[1].id
    response = await browser.post(f"{url}/judges/{judge_id}", {"challenges": str(challenge)})
    assert response.status_code == 303
    rows = (await db.execute(select(JudgeChallenge.judge_id, JudgeChallenge.challenge_id))).all()
    await db.commit()
    assert [tuple(r) for r in rows] == [(judge_id, challenge)]
    assert "checked" in (await browser.get(url)).text

    bad = await browser.post(f"{url}/judges/{judge_id}", {"challenges": "999999"})
    assert bad.status_code == 422 and "Choose challenges of this campaign" in bad.text
    organizer_id = await browser_judge_id(db, "org@example.com")
    not_judge = await browser.post(f"{url}/judges/{organizer_id}", {"challenges": str(challenge)})
    assert not_judge.status_code == 422

    cleared = await browser.post(f"{url}/judges/{judge_id}", {})
    assert cleared.status_code == 303
    assert await db.scalar(select(JudgeChallenge.id)) is None


async def test_only_organizers(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    await browser.sign_in("judge0@example.com")
    assert (await browser.get(url)).status_code == 404
    assert (await browser.post(url, VALID)).status_code == 404
    assert (await phase_of(db, scenario)).required_judges == 3


async def browser_judge_id(db: AsyncSession, email: str) -> int:
    from accounts.models import User

    found = await db.scalar(select(User.id).where(User.email == email))
    await db.commit()
    assert found is not None
    return found

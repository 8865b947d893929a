"""Automatic assignment against the database: k judges, no conflict, limits, kept scorecards, audit."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import AuditEntry
from judging.assigning import auto_assign
from judging.models import Assignment, AssignmentSource, JudgeChallenge
from tests.conftest import NOW, Browser
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user


async def arrange(db: AsyncSession, judges: int = 5) -> tuple[Scenario, dict[str, User], list[Any]]:
    org = await make_user(db, "org@example.com", name="Org")
    pool = [await make_user(db, f"judge{i}@example.com", name=f"Judge {i}") for i in range(judges)]
    scenario = await make_campaign(db, organizer=org, stage="judging", judges=pool)
    entries = []
    for i in range(6):
        captain = await make_user(db, f"cap{i}@example.com")
        members = [pool[0]] if i == 0 else []  # judge 0 is in team 0
        team = await make_team(
            db, scenario, captain, members=members, name=f"Team {i}", challenge=scenario.challenges[i % 2]
        )
        entries.append(await make_entry(db, team, scenario.submission))
    await db.commit()
    return scenario, {"org": org, **{f"j{i}": j for i, j in enumerate(pool)}}, entries


async def pairs(db: AsyncSession, scenario: Scenario) -> set[tuple[int, int]]:
    rows = await db.execute(
        select(Assignment.entry_id, Assignment.judge_id).where(Assignment.phase_id == scenario.judging.id)
    )
    found = {(e, j) for e, j in rows}
    await db.commit()
    return found


async def test_every_entry_gets_k_judges_without_conflicts_within_limits(db: AsyncSession) -> None:
    scenario, people, entries = await arrange(db)
    # judge 4 only judges the second challenge
    db.add(
        JudgeChallenge(
            campaign_id=scenario.campaign.id, judge_id=people["j4"].id, challenge_id=scenario.challenges[1].id
        )
    )
    await db.commit()

    result = await auto_assign(db, people["org"], NOW, scenario.judging, seed=3)
    await db.commit()

    found = await pairs(db, scenario)
    per_entry = Counter(e for e, _ in found)
    assert all(per_entry[e.id] == 3 for e in entries)
    assert (entries[0].id, people["j0"].id) not in found  # never a member of the team
    challenge_of = {e.id: (0 if i % 2 == 0 else 1) for i, e in enumerate(entries)}
    assert all(challenge_of[e] == 1 for e, j in found if j == people["j4"].id)
    loads = Counter(j for _, j in found)
    assert max(loads.values()) - min(loads.values()) <= 1
    assert result.added == 18 and not result.plan.short
    sources = set((await db.scalars(select(Assignment.source))).all())
    assert sources == {AssignmentSource.AUTOMATIC}
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.auto"))
    assert audit is not None and audit.after is not None
    assert audit.after["added"] == 18 and audit.after["judges_missing"] == 0 and audit.after["seed"] == 3


async def test_rerun_keeps_started_and_manual_and_same_seed_same_plan(db: AsyncSession) -> None:
    scenario, people, entries = await arrange(db)
    await assign(db, scenario.judging, entries[1], people["j3"])  # by hand
    await db.commit()
    await auto_assign(db, people["org"], NOW, scenario.judging, seed=11)
    await db.commit()
    first = await pairs(db, scenario)
    again = await auto_assign(db, people["org"], NOW, scenario.judging, seed=11)
    await db.commit()
    assert await pairs(db, scenario) == first  # same seed, same inputs, same plan
    assert again.kept == 1 and again.removed == 17 and again.added == 17

    started = next(p for p in sorted(first) if p[0] == entries[2].id)
    judge = await db.get(User, started[1])
    assert judge is not None
    await make_scorecard(db, scenario, entries[2], judge, [3], final=False)
    await db.commit()
    await auto_assign(db, people["org"], NOW, scenario.judging, seed=12345)
    await db.commit()
    third = await pairs(db, scenario)
    assert (entries[1].id, people["j3"].id) in third and started in third
    assert all(n == 3 for n in Counter(e for e, _ in third).values())


async def test_shortfall_message_and_bad_seed(db: AsyncSession, browser: Browser) -> None:
    scenario, _people, _entries = await arrange(db, judges=2)
    url = f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/assignments"
    await browser.sign_in("org@example.com")

    response = await browser.post(f"{url}/auto", {"seed": "7"})
    assert response.headers["location"] == f"{url}?seed=7"  # a reload of the page does not assign again
    page = (await browser.landing(response)).text
    # 6 entries lack one judge each, entry 0 lacks two (judge 0 is in its team)
    assert "6 entries could not get 3 judges: 7 judges are missing in all" in page
    assert 'name="seed" type="number" min="0" step="1" value="7"' in page
    assert len(await pairs(db, scenario)) == 11

    bad = await browser.post(f"{url}/auto", {"seed": "lots"})
    assert bad.status_code == 422 and "seed as a whole number" in bad.text
    assert len(await pairs(db, scenario)) == 11


async def test_page_shows_form_loads_and_only_organizers_may_run(db: AsyncSession, browser: Browser) -> None:
    scenario, _people, _entries = await arrange(db)
    url = f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/assignments"
    await browser.sign_in("judge1@example.com")
    assert (await browser.post(f"{url}/auto", {"seed": "1"})).status_code == 404
    assert await pairs(db, scenario) == set()
    await browser.sign_out()

    await browser.sign_in("org@example.com")
    response = await browser.post(f"{url}/auto", {"seed": "1"})
    assert "Every entry has 3 judges." in (await browser.landing(response)).text
    page = await browser.get(url)
    assert "Assign automatically" in page.text and "Judge 1: 4" in page.text
    assert f"/phases/{scenario.judging.id}/setup" in page.text

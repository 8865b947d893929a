"""Conflicts of interest: declared by a judge (then replaced), the department rule, challenge limits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import AuditEntry
from judging.assigning import auto_assign
from judging.models import Assignment, ConflictDeclaration, JudgeChallenge, Scorecard
from teams.models import Entry
from tests.conftest import NOW, Browser
from tests.factories import (
    Scenario,
    assign,
    make_campaign,
    make_department,
    make_entry,
    make_scorecard,
    make_team,
    make_user,
)


async def arrange(db: AsyncSession) -> tuple[Scenario, dict[str, User], Entry]:
    sales = await make_department(db, "Sales")
    people = {
        "org": await make_user(db, "org@example.com", name="Org"),
        "ann": await make_user(db, "ann@example.com", name="Ann"),
        "bob": await make_user(db, "bob@example.com", name="Bob"),
        "cat": await make_user(db, "cat@example.com", name="Cat", department=sales),
        "dan": await make_user(db, "dan@example.com", name="Dan"),
        "cap": await make_user(db, "cap@example.com", name="Cap", department=sales),
    }
    judges = [people[n] for n in ("ann", "bob", "cat", "dan")]
    scenario = await make_campaign(db, organizer=people["org"], stage="judging", judges=judges)
    scenario.judging.required_judges = 2
    team = await make_team(db, scenario, people["cap"], name="Blue Team")
    entry = await make_entry(db, team, scenario.submission, title="Pick by light")
    await db.commit()
    return scenario, people, entry


async def judges_of(db: AsyncSession, entry: Entry) -> set[int]:
    found = set((await db.scalars(select(Assignment.judge_id).where(Assignment.entry_id == entry.id))).all())
    await db.commit()
    return found


def score_url(scenario: Scenario, entry: Entry) -> str:
    return f"/judging/{scenario.judging.id}/entries/{entry.id}"


async def test_declaring_removes_the_judge_and_assigns_a_replacement(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry = await arrange(db)
    await assign(db, scenario.judging, entry, people["ann"])
    await assign(db, scenario.judging, entry, people["bob"])
    await make_scorecard(db, scenario, entry, people["ann"], [3], final=False)
    await db.commit()
    await browser.sign_in("ann@example.com")
    page = await browser.get(score_url(scenario, entry))
    assert "Declare a conflict of interest" in page.text
    # keyboard scoring: the help, the hook for the script, and a label tied to every level
    assert "Keyboard shortcuts" in page.text and "data-keyboard-score" in page.text
    assert f'for="c{scenario.criteria[0].id}-1"' in page.text

    unconfirmed = await browser.post(score_url(scenario, entry) + "/conflict", {"reason": "My cousin"})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.text
    assert "My cousin" in unconfirmed.text
    assert await judges_of(db, entry) == {people["ann"].id, people["bob"].id}

    response = await browser.post(
        score_url(scenario, entry) + "/conflict", {"reason": "My cousin is the captain", "confirm": "yes"}
    )
    assert response.status_code == 303
    # cat is in the captain's department, but the rule is off: the least loaded allowed judge by id
    assert await judges_of(db, entry) == {people["bob"].id, people["cat"].id}
    declaration = await db.scalar(select(ConflictDeclaration))
    assert declaration is not None and declaration.judge_id == people["ann"].id
    assert declaration.reason == "My cousin is the captain"
    assert await db.scalar(select(Scorecard.id).where(Scorecard.judge_id == people["ann"].id)) is not None
    actions = set((await db.scalars(select(AuditEntry.action))).all())
    assert {"conflict.declared", "assignment.added"} <= actions
    await db.commit()

    # a declared conflict is never assigned again, by hand or automatically
    await browser.sign_out()
    await browser.sign_in("org@example.com")
    url = f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/assignments"
    refused = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["ann"].id)})
    assert "declared a conflict of interest" in (await browser.landing(refused)).text
    scenario.judging.required_judges = 4
    await db.commit()
    result = await auto_assign(db, people["org"], NOW, scenario.judging, seed=1)
    await db.commit()
    assert people["ann"].id not in await judges_of(db, entry)
    assert result.plan.short == {entry.id: 1}


async def test_department_rule_and_no_replacement_left(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry = await arrange(db)
    scenario.judging.department_conflict = True
    scenario.judging.required_judges = 3
    for name in ("ann", "bob", "dan"):
        await assign(db, scenario.judging, entry, people[name])
    await db.commit()
    await browser.sign_in("org@example.com")
    url = f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/assignments"
    refused = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["cat"].id)})
    assert "department of a team member" in (await browser.landing(refused)).text
    await browser.sign_out()

    await browser.sign_in("dan@example.com")
    response = await browser.post(score_url(scenario, entry) + "/conflict", {"confirm": "yes"})
    assert response.status_code == 303
    # cat may not judge (same department): the entry stays short, and the page shows it
    assert await judges_of(db, entry) == {people["ann"].id, people["bob"].id}
    await browser.sign_out()
    await browser.sign_in("org@example.com")
    assert "2 of 3" in (await browser.get(url)).text


async def test_challenge_limits_refuse_assignment_by_hand(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry = await arrange(db)
    db.add(
        JudgeChallenge(
            campaign_id=scenario.campaign.id, judge_id=people["ann"].id, challenge_id=scenario.challenges[1].id
        )
    )
    await db.commit()
    await browser.sign_in("org@example.com")
    url = f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/assignments"
    refused = await browser.post(url, {"entry_id": str(entry.id), "judge_id": str(people["ann"].id)})
    assert "limited to other challenges" in (await browser.landing(refused)).text
    assert await judges_of(db, entry) == set()


async def test_no_declaration_on_a_final_scorecard(db: AsyncSession, browser: Browser) -> None:
    scenario, people, entry = await arrange(db)
    await assign(db, scenario.judging, entry, people["ann"])
    await make_scorecard(db, scenario, entry, people["ann"], [4, 4, 6], final=True)
    await db.commit()
    await browser.sign_in("ann@example.com")
    assert "Declare a conflict of interest" not in (await browser.get(score_url(scenario, entry))).text
    response = await browser.post(score_url(scenario, entry) + "/conflict", {"confirm": "yes"})
    assert "finalised this scorecard" in (await browser.landing(response)).text
    assert await judges_of(db, entry) == {people["ann"].id}
    assert await db.scalar(select(ConflictDeclaration)) is None

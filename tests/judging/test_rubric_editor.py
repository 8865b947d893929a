"""The rubric editor of a judging phase, through HTTP: organizers only, validated, audited, locked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from judging.models import Criterion
from tests.conftest import Browser
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user


async def rows(db: AsyncSession, stmt: Any) -> list[Any]:
    found = list((await db.scalars(stmt.execution_options(populate_existing=True))).all())
    await db.commit()
    return found


async def criteria_of(db: AsyncSession, scenario: Scenario) -> list[Criterion]:
    return await rows(
        db,
        select(Criterion).where(Criterion.phase_id == scenario.judging.id).order_by(Criterion.position, Criterion.id),
    )


async def count_audit(db: AsyncSession, action: str) -> int:
    total = await db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))
    await db.commit()
    return int(total or 0)


def form(**overrides: str) -> dict[str, str]:
    values = {
        "name": "Customer value",
        "guidance": "Does it help customers?",
        "weight": "1.5",
        "scale_min": "1",
        "scale_max": "4",
        "descriptors": "1: None\n4: Compelling",
    }
    values.update(overrides)
    return values


async def arrange(db: AsyncSession) -> tuple[Scenario, str]:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="judging")
    await db.commit()
    return scenario, f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}/rubric"


async def test_lists_criteria_in_order_and_adds_one(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    await browser.sign_in("org@example.com")

    page = await browser.get(url)
    assert page.status_code == 200
    text = page.text
    assert text.index("Impact") < text.index("Feasibility") < text.index("Originality")

    response = await browser.post(url, form())
    assert response.status_code == 303
    criteria = await criteria_of(db, scenario)
    assert [c.name for c in criteria] == ["Impact", "Feasibility", "Originality", "Customer value"]
    added = criteria[-1]
    assert (added.weight, added.scale_min, added.scale_max) == (1.5, 1, 4)
    assert added.descriptors == {"1": "None", "4": "Compelling"}
    assert await count_audit(db, "rubric.criterion_added") == 1
    assert "Compelling" in (await browser.get(url)).text


async def test_bad_input_is_refused_with_messages_and_nothing_saved(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    await browser.sign_in("org@example.com")
    cases = [
        (form(weight="0"), "The weight must be greater than zero"),
        (form(weight="-2"), "The weight must be greater than zero"),
        (form(weight="heavy"), "Enter the weight as a number"),
        (form(scale_min="5", scale_max="5"), "The top of the scale must be greater than the bottom."),
        (form(scale_min="6", scale_max="2"), "The top of the scale must be greater than the bottom."),
        (form(name=""), "Enter a name for the criterion."),
        (form(name="x" * 121), "at most 120 characters"),
        (form(descriptors="9: Beyond the scale"), "one level per line"),
    ]
    for data, message in cases:
        response = await browser.post(url, data)
        assert response.status_code == 422, data
        assert message in response.text, data
        assert data["name"][:50] in response.text  # what was typed is shown again
    assert len(await criteria_of(db, scenario)) == 3
    assert await count_audit(db, "rubric.criterion_added") == 0


async def test_edit_delete_and_move(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    await browser.sign_in("org@example.com")
    impact, _feasibility, originality = await criteria_of(db, scenario)

    response = await browser.post(f"{url}/{impact.id}", form(name="Business impact", weight="4"))
    assert response.status_code == 303
    bad = await browser.post(f"{url}/{impact.id}", form(weight="0"))
    assert bad.status_code == 422 and "The weight must be greater than zero" in bad.text

    assert (await browser.post(f"{url}/{originality.id}/move", {"direction": "up"})).status_code == 303
    assert (await browser.post(f"{url}/{impact.id}/delete")).status_code == 303

    criteria = await criteria_of(db, scenario)
    assert [c.name for c in criteria] == ["Originality", "Feasibility"]
    assert [c.position for c in criteria] == [0, 1]
    for action in ("rubric.criterion_updated", "rubric.criterion_moved", "rubric.criterion_deleted"):
        assert await count_audit(db, action) == 1, action


async def test_locked_once_a_scorecard_is_final(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    judge = await make_user(db, "judge@example.com")
    captain = await make_user(db, "cap@example.com")
    team = await make_team(db, scenario, captain)
    entry = await make_entry(db, team, scenario.submission)
    await make_scorecard(db, scenario, entry, judge, [3, 3, 5], final=True)
    await db.commit()
    first = scenario.criteria[0]
    await browser.sign_in("org@example.com")

    page = await browser.get(url)
    assert page.status_code == 200 and "The rubric is locked" in page.text
    for target, data in [
        (url, form()),
        (f"{url}/{first.id}", form()),
        (f"{url}/{first.id}/delete", {}),
        (f"{url}/{first.id}/move", {"direction": "down"}),
    ]:
        response = await browser.post(target, data)
        assert response.headers.get("location") == url, target  # back to the rubric, with the reason
        assert "The rubric is locked" in (await browser.landing(response)).text
    assert [c.name for c in await criteria_of(db, scenario)] == ["Impact", "Feasibility", "Originality"]


async def test_only_organizers_of_the_campaign(db: AsyncSession, browser: Browser) -> None:
    scenario, url = await arrange(db)
    judge = await make_user(db, "judge@example.com")
    other_org = await make_user(db, "other@example.com")
    await make_campaign(db, organizer=other_org, stage="judging", title="Another")
    await db.commit()
    first = scenario.criteria[0]
    for email in ("judge@example.com", "other@example.com"):
        await browser.sign_in(email)
        assert (await browser.get(url)).status_code == 404
        assert (await browser.post(url, form())).status_code == 404
        assert (await browser.post(f"{url}/{first.id}/delete")).status_code == 404
        await browser.sign_out()
    assert judge.id  # a judge of nothing, an organizer elsewhere: both 404
    await browser.sign_in("org@example.com")
    # a phase that is not a judging phase, and a criterion of another phase, do not exist here
    other_phase = f"/campaigns/{scenario.campaign.id}/phases/{scenario.submission.id}/rubric"
    assert (await browser.get(other_phase)).status_code == 404
    assert (await browser.post(f"{url}/999999/delete")).status_code == 404
    assert len(await criteria_of(db, scenario)) == 3

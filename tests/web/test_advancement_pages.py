"""The advancement page (organizers), the award approval page (executives), and what teams see."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import AdvancementRule, Phase, RankingScope
from judging.models import Advancement, AdvancementOutcome, Award
from teams.models import Team, TeamStatus
from tests.conftest import Browser, QueryCounter
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user

ORG = "org@example.com"


async def world(db: AsyncSession) -> tuple[Scenario, dict[str, Team]]:
    organizer = await make_user(db, ORG)
    judges = [await make_user(db, f"judge{i}@example.com") for i in (1, 2)]
    s = await make_campaign(db, stage="judging", organizer=organizer, judges=judges)
    await make_campaign(db, stage="judging", organizer=await make_user(db, "other@example.com"), title="Other")
    await make_user(db, "exec@example.com", executive=True)
    s.judging.required_judges = 2
    s.judging.ranking_scope = RankingScope.CAMPAIGN
    s.judging.advancement_rule, s.judging.advancement_value = AdvancementRule.TOP_N, 1
    teams = {}
    for name, values, cards in [("Alpha", [5, 5, 10], 2), ("Beta", [3, 3, 5], 2), ("Gamma", [5, 5, 10], 1)]:
        team = await make_team(db, s, await make_user(db, f"{name.lower()}@example.com"), name=name)
        entry = await make_entry(db, team, s.submission)
        for judge in judges[:cards]:
            await make_scorecard(db, s, entry, judge, values)
        teams[name] = team
    await db.commit()
    return s, teams


def _url(s: Scenario) -> str:
    return f"/campaigns/{s.campaign.id}/phases/{s.judging.id}/advancement"


@pytest.mark.parametrize("who", ["other@example.com", "judge1@example.com", "alpha@example.com"])
async def test_only_the_campaigns_organizers_see_the_advancement_page(
    db: AsyncSession, browser: Browser, who: str
) -> None:
    s, teams = await world(db)
    await browser.sign_in(who)
    assert (await browser.get(_url(s))).status_code == 404
    assert (await browser.post(f"{_url(s)}/apply")).status_code == 404
    override = await browser.post(f"{_url(s)}/teams/{teams['Beta'].id}", {"outcome": "advance", "reason": "x"})
    assert override.status_code == 404
    assert await db.scalar(select(Advancement.id)) is None


async def test_organizer_previews_applies_and_overrides(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    s, teams = await world(db)
    await browser.sign_in(ORG)
    queries.reset()
    page = await browser.get(_url(s))
    small = queries.count
    assert page.status_code == 200
    assert "Would advance" in page.text and "Would be eliminated" in page.text
    undecided = page.text.split('id="undecided"', 1)[1].split("</section>", 1)[0]
    assert "Gamma" in undecided and "1 of 2 scorecards" in undecided
    judges = [await make_user(db, f"judge{i}@example.com") for i in (3, 4)]  # more teams: no more queries
    for name in ("Delta", "Epsilon", "Zeta"):
        entry = await make_entry(
            db, await make_team(db, s, await make_user(db, f"{name}@example.com"), name=name), s.submission
        )
        for judge in judges:
            await make_scorecard(db, s, entry, judge, [4, 4, 4])
    await db.commit()
    queries.reset()
    assert (await browser.get(_url(s))).status_code == 200
    assert queries.count == small
    # a phase of another campaign is not found under this one
    other = await db.scalar(select(Phase.id).where(Phase.campaign_id != s.campaign.id).limit(1))
    await db.commit()
    assert (await browser.get(f"/campaigns/{s.campaign.id}/phases/{other}/advancement")).status_code == 404

    assert (await browser.post(f"{_url(s)}/apply")).status_code == 303
    page = await browser.get(_url(s))
    assert "The rule was applied on" in page.text and "Apply the rule now" not in page.text
    beta = page.text.split(f'id="team-{teams["Beta"].id}"', 1)[1].split("</tr>", 1)[0]
    assert "Eliminated" in beta

    # an override without a reason is refused next to the field, keeping the choice
    url = f"{_url(s)}/teams/{teams['Beta'].id}"
    refused = await browser.post(url, {"outcome": "advance", "reason": ""})
    assert refused.status_code == 422 and "Give the reason for this decision." in refused.text
    unknown = await browser.post(url, {"outcome": "promote", "reason": "Kept as typed"})
    assert unknown.status_code == 422 and "Choose whether the team advances or is eliminated." in unknown.text
    assert "Kept as typed" in unknown.text
    assert (await browser.post(url, {"outcome": "advance", "reason": "Judges missed the demo"})).status_code == 303
    row = await db.scalar(select(Advancement).where(Advancement.team_id == teams["Beta"].id))
    team = await db.get(Team, teams["Beta"].id, populate_existing=True)
    await db.commit()
    assert row is not None and row.outcome is AdvancementOutcome.ADVANCE and row.reason == "Judges missed the demo"
    assert team is not None and team.status is TeamStatus.ACTIVE
    assert "Overridden: Judges missed the demo" in (await browser.get(_url(s))).text


async def test_teams_hear_they_were_eliminated_or_of_the_next_phase(db: AsyncSession, browser: Browser) -> None:
    s, _teams = await world(db)
    await browser.sign_in(ORG)
    assert (await browser.post(f"{_url(s)}/apply")).status_code == 303
    await browser.sign_in("beta@example.com")
    assert "Beta does not go on in Spring Innovation Challenge" in (await browser.get("/notifications")).text
    await browser.sign_in("alpha@example.com")
    told = (await browser.get("/notifications")).text
    assert "Alpha goes on in Spring Innovation Challenge" in told and "The next phase, “Results”, opens on" in told


async def test_executives_approve_awards_and_others_cannot(db: AsyncSession, browser: Browser) -> None:
    s, teams = await world(db)
    award = Award(campaign_id=s.campaign.id, name="Best idea", team_id=teams["Alpha"].id)
    db.add(award)
    await db.commit()
    approval = f"/campaigns/{s.campaign.id}/awards/approval"
    await browser.sign_in(ORG)  # an organizer who is no executive cannot approve
    assert (await browser.get(approval)).status_code == 404
    assert (await browser.post(f"/campaigns/{s.campaign.id}/awards/{award.id}/approve")).status_code == 404
    results = (await browser.get(f"/campaigns/{s.campaign.id}/results")).text
    assert "approval: 1. The results can be published once every award is approved." in results

    await browser.sign_in("exec@example.com")
    page = await browser.get(approval)
    assert page.status_code == 200 and "Best idea" in page.text and "Awards waiting: 1." in page.text
    approved = await browser.post(f"/campaigns/{s.campaign.id}/awards/{award.id}/approve")
    assert approved.status_code == 303 and approved.headers["location"] == approval
    assert "Award “Best idea” approved." in (await browser.get(approval)).text
    again = await browser.post(f"/campaigns/{s.campaign.id}/awards/{award.id}/approve")  # a re-sent form
    assert again.status_code == 303 and again.headers["location"] == approval
    assert "This award is approved already." in (await browser.get(approval)).text
    stored = await db.get(Award, award.id, populate_existing=True)
    await db.commit()
    assert stored is not None and stored.approved_at is not None

"""Published results do not move (issue 10): they are not published while judging runs, by hand or
by the scheduler; what teams see is frozen at publication; an explicit, audited "publish again"
with a reason replaces it and tells the teams, under the conditions of a publication."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from automation.plan import RESULTS_PUBLISH
from campaigns.models import Campaign, Phase, PhaseKind, PhaseStatus
from core.audit import AuditEntry
from core.scheduling import ActionState
from judging.models import Advancement, Award, PublishedTeamResult
from notifications.models import Notification, NotificationKind
from teams.models import Team
from tests.automation.conftest import plan
from tests.conftest import NOW, Browser, Sweeper
from tests.factories import assign, make_user
from tests.judging.test_results import ORGANIZER, World, world

EXECUTIVE = "exec@example.com"
REASON = "Two judges of Epsilon were missed at first"


async def approved_award(db: AsyncSession, w: World, team: str = "Alpha") -> None:
    executive = await make_user(db, EXECUTIVE, executive=True)
    db.add(
        Award(
            campaign_id=w.s.campaign.id,
            name=f"Prize for {team}",
            team_id=w.teams[team].id,
            approved_by_id=executive.id,
            approved_at=NOW,
        )
    )
    await db.commit()


async def close_judging(db: AsyncSession, w: World) -> None:
    await db.execute(update(Phase).where(Phase.id == w.s.judging.id).values(status=PhaseStatus.CLOSED))
    await db.commit()


async def published_at(db: AsyncSession, w: World) -> object:
    await db.commit()
    return await db.scalar(select(Campaign.results_published_at).where(Campaign.id == w.s.campaign.id))


async def team_page(browser: Browser, w: World, team: str) -> str:
    await browser.sign_in(f"{team.lower()}@example.com")
    response = await browser.get(f"/teams/{w.teams[team].id}/result")
    assert response.status_code == 200
    html = str(response.text)
    return html[html.index("<h1>") :]  # what the page shows of the results (flash messages come before)


async def winners_page(browser: Browser, w: World) -> str:
    await browser.sign_in(EXECUTIVE)
    response = await browser.get(f"{w.url}/winners")
    assert response.status_code == 200
    html = str(response.text)
    return html[html.index("<h1>") :]  # what the page shows of the results (flash messages come before)


async def test_no_path_publishes_while_judging_is_open(db: AsyncSession, browser: Browser, sweeper: Sweeper) -> None:
    w = await world(db)  # judging open until NOW + 6 days, results due then
    results = w.s.phases[PhaseKind.RESULTS]
    await browser.sign_in(ORGANIZER)
    response = await browser.post(f"{w.url}/awards", {"name": "Prize", "team_id": str(w.teams["Alpha"].id)})
    assert response.status_code == 303
    # the executive's approval of the last award waiting publishes nothing
    await make_user(db, EXECUTIVE, executive=True)
    award_id = await db.scalar(select(Award.id))
    await db.commit()
    await browser.sign_in(EXECUTIVE)
    assert "approved" in (await browser.landing(await browser.post(f"{w.url}/awards/{award_id}/approve"))).text
    assert await published_at(db, w) is None
    await browser.sign_in(ORGANIZER)

    # the organizer's button: disabled with the reason, and refused when pressed anyway
    page = (await browser.get(f"{w.url}/results")).text
    assert 'disabled aria-describedby="publish-blockers"' in page
    landing = await browser.landing(await browser.post(f"{w.url}/results/publish"))
    assert "Judging phase “Judging” is still open" in landing.text
    # opening the results phase on the timeline does not publish either
    response = await browser.post(f"{w.url}/phases/{results.id}/open", {"confirm": "yes"})
    assert response.status_code in (303, 409)
    assert await published_at(db, w) is None

    # the scheduler at the results phase's opening, judging still in its grace period: refused,
    # the step failed and the organizers told
    await db.execute(update(Phase).where(Phase.id == w.s.judging.id).values(grace_minutes=60))
    await db.commit()
    await plan(db, w.s.campaign.id)
    await db.commit()
    applied = await sweeper.at(results.opens_at)
    publish = next(a for a in applied if a.kind == RESULTS_PUBLISH)
    assert publish.state is ActionState.FAILED
    assert await published_at(db, w) is None
    assert await db.scalar(select(func.count(PublishedTeamResult.id))) == 0
    warned = await db.scalar(
        select(func.count(Notification.id)).where(Notification.kind == NotificationKind.AUTOMATION_FAILED)
    )
    assert warned
    assert (
        await db.scalar(
            select(func.count(Notification.id)).where(Notification.kind == NotificationKind.RESULTS_PUBLISHED)
        )
        == 0
    )


async def test_published_results_stay_as_published_until_published_again(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    await approved_award(db, w)
    await close_judging(db, w)
    # Epsilon has 2 of 3 final scorecards (incomplete); judge 3 was assigned and never finalised
    await assign(db, w.s.judging, w.entries["Epsilon"], w.judges[2])
    await db.commit()
    await browser.sign_in(ORGANIZER)
    assert "are published" in (await browser.landing(await browser.post(f"{w.url}/results/publish"))).text
    assert await db.scalar(select(func.count(PublishedTeamResult.id))) == len(w.teams)

    epsilon_before = await team_page(browser, w, "Epsilon")
    delta_before = await team_page(browser, w, "Delta")
    winners_before = await winners_page(browser, w)
    assert "Prize for Alpha" in winners_before
    assert "did not receive enough final scorecards" in epsilon_before
    assert "4 of 4" in delta_before and "50.0 of 100" in delta_before and "z-score" not in delta_before

    # a judge's late scorecard is refused: judging is closed and no phase reopens after publication
    await browser.sign_in("judge3@example.com")
    scores = {f"c{c.id}": str(v) for c, v in zip(w.s.criteria, [5, 5, 10], strict=True)}
    response = await browser.post(f"/judging/{w.s.judging.id}/entries/{w.entries['Epsilon'].id}/finalise", scores)
    assert response.status_code == 409 and "closed" in response.text
    await browser.sign_in(ORGANIZER)
    response = await browser.post(
        f"{w.url}/phases/{w.s.judging.id}/reopen", {"closes_at": "2030-01-01T00:00", "grace_minutes": "0"}
    )
    assert response.status_code in (303, 409)
    assert await db.scalar(select(Phase.status).where(Phase.id == w.s.judging.id)) is PhaseStatus.CLOSED
    # awards are refused too, with the reason on the page
    response = await browser.post(f"{w.url}/awards", {"name": "Late prize", "team_id": str(w.teams["Delta"].id)})
    assert response.status_code == 409 and "awards can no longer change" in response.text
    await db.commit()

    # the organizer may change how the phase ranks (two judges suffice, z-scores): allowed, and
    # invisible to teams and everyone else until the results are published again
    setup = {
        "required_judges": "2",
        "normalisation": "zscore",
        "ranking_scope": "challenge",
        "advancement_rule": "manual",
        "advancement_value": "",
    }
    response = await browser.post(f"{w.url}/phases/{w.s.judging.id}/setup", setup)
    assert response.status_code == 303
    await db.execute(update(Campaign).where(Campaign.id == w.s.campaign.id).values(show_ranks=False))
    await db.commit()
    assert await team_page(browser, w, "Epsilon") == epsilon_before
    assert await team_page(browser, w, "Delta") == delta_before
    assert await winners_page(browser, w) == winners_before

    # the organizer's page offers to publish again, and says what teams see meanwhile
    await browser.sign_in(ORGANIZER)
    page = (await browser.get(f"{w.url}/results")).text
    assert "Publish the results again" in page and "Teams see the results as they were published on" in page

    # a reason and a confirmation are required; nothing changes without them
    response = await browser.post(f"{w.url}/results/republish", {"reason": "", "confirm": "yes"})
    assert response.status_code == 422 and "Say why the results are published again" in response.text
    response = await browser.post(f"{w.url}/results/republish", {"reason": REASON})
    assert response.status_code == 422 and "Confirm that every team" in response.text and REASON in response.text

    # nor while a judging phase runs
    await db.execute(update(Phase).where(Phase.id == w.s.judging.id).values(status=PhaseStatus.OPEN))
    await db.commit()
    response = await browser.post(f"{w.url}/results/republish", {"reason": REASON, "confirm": "yes"})
    assert response.status_code == 409
    assert "Judging phase “Judging” is still open" in response.text and REASON in response.text
    assert 'disabled aria-describedby="republish-blockers"' in response.text
    await close_judging(db, w)
    assert await db.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "results.republish")) == 0
    assert await team_page(browser, w, "Delta") == delta_before

    # published again: the teams see the current results, the change is audited and they are told
    await browser.sign_in(ORGANIZER)
    response = await browser.post(f"{w.url}/results/republish", {"reason": REASON, "confirm": "yes"})
    assert "The results are published again" in (await browser.landing(response)).text
    epsilon_after = await team_page(browser, w, "Epsilon")
    assert "did not receive enough final scorecards" not in epsilon_after and "(z-score)" in epsilon_after
    delta_after = await team_page(browser, w, "Delta")
    assert "(z-score)" in delta_after and "Raw mean" in delta_after and "50.0 of 100" in delta_after
    assert "Rank in your challenge" not in delta_after  # the campaign's switch, as now
    await db.commit()  # a fresh read
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "results.republish"))
    assert audit is not None and audit.reason == REASON and audit.after is not None
    assert audit.after["teams_frozen"] == len(w.teams)
    told = (
        await db.scalars(
            select(Notification).where(
                Notification.kind == NotificationKind.RESULTS_PUBLISHED, Notification.campaign_id == w.s.campaign.id
            )
        )
    ).all()
    again = [n for n in told if n.params.get("republished")]
    # every member of every team (one each here) and the three judges, once more
    assert len(again) == len(w.teams) + len(w.judges) and all(n.params["reason"] == REASON for n in again)
    await browser.sign_in("delta@example.com")
    inbox = (await browser.get("/notifications")).text
    assert "have been updated" in inbox and REASON in inbox
    chinese = (await browser.get("/notifications", headers={"accept-language": "zh-CN"})).text
    assert "结果已更新" in chinese

    # a team member, a judge or an organizer of another campaign cannot publish again
    response = await browser.post(f"{w.url}/results/republish", {"reason": REASON, "confirm": "yes"})
    assert response.status_code == 404


async def test_outcomes_and_names_on_the_published_results_stay(db: AsyncSession, browser: Browser) -> None:
    """After publication no override and no rule changes a team's outcome (its status is on the
    results), and the campaign and its challenges keep the names the results carry."""
    w = await world(db)
    await approved_award(db, w)
    await close_judging(db, w)
    await browser.sign_in(ORGANIZER)
    assert "are published" in (await browser.landing(await browser.post(f"{w.url}/results/publish"))).text
    delta = w.teams["Delta"]
    status_before = await db.scalar(select(Team.status).where(Team.id == delta.id))
    await db.commit()

    advancement = f"{w.url}/phases/{w.s.judging.id}/advancement"
    page = (await browser.get(advancement)).text
    assert "these outcomes are final" in page and 'class="row override"' not in page
    typed = {"outcome": "advance", "reason": "A late appeal upheld"}
    response = await browser.post(f"{advancement}/teams/{delta.id}", typed)
    assert response.status_code == 409
    assert "can no longer change" in response.text and "A late appeal upheld" not in response.text  # no form
    response = await browser.post(f"{advancement}/apply")
    assert "can no longer change" in (await browser.landing(response)).text
    assert await db.scalar(select(func.count(Advancement.id))) == 0
    assert await db.scalar(select(Team.status).where(Team.id == delta.id)) == status_before
    await db.commit()

    winners_before = await winners_page(browser, w)
    challenge = w.s.challenges[0]
    await browser.sign_in(ORGANIZER)
    form = (await browser.get(f"{w.url}/challenges/{challenge.id}/edit")).text
    assert "readonly" in form and "The results are published under this title" in form
    fields = {"title": "Renamed afterwards", "description": "Clearer words.", "expected_impact": "", "resources": ""}
    response = await browser.post(f"{w.url}/challenges/{challenge.id}/edit", fields)
    assert response.status_code == 422 and "so it can no longer change" in response.text
    assert "Renamed afterwards" in response.text and "Clearer words." in response.text  # what was typed
    response = await browser.post(f"{w.url}/challenges/{challenge.id}/edit", {**fields, "title": challenge.title})
    assert response.status_code == 303  # the description may still change
    response = await browser.post(f"{w.url}/challenges", {**fields, "title": "A new one"})
    assert response.status_code == 409 and "no challenge can be added" in response.text
    assert "A new one" in response.text
    assert "Add a challenge" not in (await browser.get(w.url)).text

    campaign = {"title": "Renamed campaign", "description": "", "timezone": "UTC"}
    campaign |= {"min_team_size": "1", "max_team_size": "5", "reminder_hours": "24,1"}
    response = await browser.post(f"{w.url}/edit", campaign)
    assert response.status_code == 422 and "so it can no longer change" in response.text
    assert await winners_page(browser, w) == winners_before

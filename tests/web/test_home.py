"""The home page: what to do next, per person, in a constant number of queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import CampaignRole, CampaignRoleKind
from teams.models import Invitation, InvitationStatus, Team
from tests.conftest import Browser, QueryCounter
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user


async def _invite(
    db: AsyncSession, team: Team, invitee: User, status: InvitationStatus = InvitationStatus.PENDING
) -> None:
    db.add(Invitation(team_id=team.id, invitee_id=invitee.id, invited_by_id=team.captain_id, status=status))
    await db.flush()


async def test_participant_sees_team_entry_invitations_and_open_campaigns(db: AsyncSession, browser: Browser) -> None:
    alice = await make_user(db, "alice@example.com", name="Alice Martin")
    bob = await make_user(db, "bob@example.com")
    carol = await make_user(db, "carol@example.com", name="Carol Schmidt")
    spring = await make_campaign(db, stage="submission", title="Spring Challenge")
    other = await make_campaign(db, stage="registration", title="Summer Sprint")
    await make_campaign(db, stage="draft", title="Secret Draft")
    team = await make_team(db, spring, alice, members=[bob], name="Pick Right")
    await make_entry(db, team, spring.submission, submitted=False)
    inviting = await make_team(db, other, carol, name="Close Crew")
    await _invite(db, inviting, alice)
    declined = await make_team(db, other, bob, name="Declined Team")
    await _invite(db, declined, alice, InvitationStatus.DECLINED)
    await db.commit()

    await browser.sign_in("alice@example.com")
    page = await browser.get("/")
    assert page.status_code == 200
    text = page.text
    assert "Pick Right" in text and "Spring Challenge" in text and "Challenge 1" in text
    assert f'href="/teams/{team.id}"' in text and f'href="/teams/{team.id}/entry"' in text
    assert "Entry in draft" in text
    assert "You have 1 pending invitation." in text and "Close Crew" in text and "Carol Schmidt" in text
    assert 'href="/invitations"' in text
    assert "Declined Team" not in text
    # open campaigns: the one she is not in yet; drafts stay hidden
    assert f'href="/campaigns/{other.campaign.id}"' in text and "Summer Sprint" in text
    assert "Secret Draft" not in text
    assert 'href="/campaigns"' in text
    # no judging or organizing panels for a plain participant
    assert "My judging" not in text.split("</nav>", 1)[1] and "Campaigns I organize" not in text


async def test_newcomer_gets_friendly_empty_panels(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "new@example.com")
    await db.commit()
    await browser.sign_in("new@example.com")
    text = (await browser.get("/")).text
    assert "You are not in a team yet" in text
    assert "No pending invitations." in text
    assert "No other campaign is open for you right now." in text


async def test_judge_sees_their_judging_work(db: AsyncSession, browser: Browser) -> None:
    judge = await make_user(db, "judge@example.com")
    scenario = await make_campaign(db, stage="judging", judges=[judge])
    entries = []
    for i in range(3):
        captain = await make_user(db, f"cap{i}@example.com")
        team = await make_team(db, scenario, captain, name=f"Team {i}")
        entry = await make_entry(db, team, scenario.submission)
        await assign(db, scenario.judging, entry, judge)
        entries.append(entry)
    await make_scorecard(db, scenario, entries[0], judge, [5, 4, 7], final=True)
    await make_scorecard(db, scenario, entries[1], judge, [3], final=False)
    # an assignment of a closed judging phase is no longer work to do
    old = await make_campaign(db, stage="results", judges=[judge], title="Old")
    old_team = await make_team(db, old, await make_user(db, "old@example.com"), name="Old Team")
    await assign(db, old.judging, await make_entry(db, old_team, old.submission), judge)
    await db.commit()

    await browser.sign_in("judge@example.com")
    text = (await browser.get("/")).text
    assert "My judging" in text
    assert "1 of 3 scorecards final" in text
    assert "2 entries still need your final scores." in text
    assert 'href="/judging"' in text


async def test_organizer_sees_campaigns_they_organize_including_drafts(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    executive = await make_user(db, "exec@example.com", executive=True)
    draft = await make_campaign(db, stage="draft", organizer=organizer, title="Draft Sprint")
    running = await make_campaign(db, stage="submission", organizer=organizer, title="Running Challenge")
    sponsored = await make_campaign(db, stage="registration", sponsor=executive, title="Sponsored One")
    await make_campaign(db, stage="submission", title="Someone Else's")
    await db.commit()

    await browser.sign_in("org@example.com")
    text = (await browser.get("/")).text
    panel = text.split("Campaigns I organize", 1)[1].split("</section>", 1)[0]
    assert f'href="/campaigns/{draft.campaign.id}"' in panel and "Draft Sprint" in panel
    assert f'href="/campaigns/{running.campaign.id}"' in panel
    assert "Someone Else" not in panel and "Sponsored One" not in panel

    await browser.sign_out()
    await browser.sign_in("exec@example.com")
    text = (await browser.get("/")).text
    panel = text.split("Campaigns I organize", 1)[1].split("</section>", 1)[0]
    assert f'href="/campaigns/{sponsored.campaign.id}"' in panel


async def _busy_person(db: AsyncSession, email: str, campaigns: list[Scenario], judge_of: Scenario) -> None:
    person = await make_user(db, email)
    for n, scenario in enumerate(campaigns):
        team = await make_team(db, scenario, person, name=f"{email} team {n}")
        await make_entry(db, team, scenario.submission)
        host = await make_user(db, f"host{n}-{email}")
        other = await make_team(db, scenario, host, name=f"{email} host {n}", challenge=scenario.challenges[1])
        await _invite(db, other, person)
    db.add(CampaignRole(campaign_id=judge_of.campaign.id, user_id=person.id, role=CampaignRoleKind.JUDGE))
    db.add(CampaignRole(campaign_id=judge_of.campaign.id, user_id=person.id, role=CampaignRoleKind.ORGANIZER))
    for n in range(len(campaigns)):
        captain = await make_user(db, f"c{n}-{email}")
        team = await make_team(db, judge_of, captain, name=f"{email} judged {n}")
        await assign(db, judge_of.judging, await make_entry(db, team, judge_of.submission), person)


async def test_home_runs_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    scenarios = [await make_campaign(db, stage="submission", title=f"Campaign {i}") for i in range(4)]
    judged = await make_campaign(db, stage="judging", title="Judged")
    await _busy_person(db, "few@example.com", scenarios[:1], judged)
    await _busy_person(db, "many@example.com", scenarios, judged)
    await db.commit()

    counts = []
    for email in ("few@example.com", "many@example.com"):
        await browser.sign_in(email)
        queries.reset()
        page = await browser.get("/")
        assert page.status_code == 200
        counts.append(queries.count)
        await browser.sign_out()
    print(f"home page queries: {counts}")
    assert counts[0] == counts[1]
    assert counts[1] <= 14

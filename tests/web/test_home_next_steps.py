"""The home page's "what to do next": per team, invitation and judging phase, soonest deadline first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import CampaignRole, CampaignRoleKind
from teams.models import Extension, Invitation, JoinRequest, Team
from tests.conftest import NOW, Browser, QueryCounter
from tests.factories import DAY, Scenario, assign, make_campaign, make_entry, make_team, make_user


async def _invite(db: AsyncSession, team: Team, invitee: User) -> None:
    db.add(Invitation(team_id=team.id, invitee_id=invitee.id, invited_by_id=team.captain_id))
    await db.flush()


async def _judge(db: AsyncSession, scenario: Scenario, judge: User, entries: int, tag: str) -> None:
    db.add(CampaignRole(campaign_id=scenario.campaign.id, user_id=judge.id, role=CampaignRoleKind.JUDGE))
    for n in range(entries):
        team = await make_team(db, scenario, await make_user(db, f"{tag}{n}@example.com"), name=f"{tag} team {n}")
        await assign(db, scenario.judging, await make_entry(db, team, scenario.submission), judge)


def panel(html: str) -> str:
    return html.split('id="panel-next"', 1)[1].split("</section>", 1)[0]


async def test_next_steps_in_deadline_order(db: AsyncSession, browser: Browser) -> None:
    ann = await make_user(db, "ann@example.com")
    # closes now + 2 d; needs two people per team
    solo = await make_campaign(db, stage="submission", title="Solo Cup")
    solo.campaign.min_team_size = 2
    await make_team(db, solo, ann, name="Lone Wolf")
    # closes now + 3 d; entry already submitted
    done = await make_campaign(db, stage="submission", title="Done Cup", now=NOW + DAY)
    done_team = await make_team(db, done, ann, name="Early Birds")
    await make_entry(db, done_team, done.submission)
    # registration closes now + 5 d: an invitation to answer
    invited = await make_campaign(db, stage="registration", title="Invite Cup")
    await _invite(db, await make_team(db, invited, await make_user(db, "cap@example.com"), name="Hosts"), ann)
    # judging closes now + 6 d: two scorecards to do
    judged = await make_campaign(db, stage="judging", title="Judge Cup")
    await _judge(db, judged, ann, 2, "j")
    # submission opens now + 5 d, closes now + 12 d: prepare
    later = await make_campaign(db, stage="registration", title="Later Cup", now=NOW + timedelta(hours=1))
    await make_team(db, later, ann, name="Planners")
    # submission closed a day ago, but this team has an extension until now + 1 d
    extended = await make_campaign(db, stage="judging", title="Extended Cup", now=NOW - timedelta(hours=1))
    ext_team = await make_team(db, extended, ann, name="Late Larks")
    db.add(Extension(team_id=ext_team.id, phase_id=extended.submission.id, until=NOW + DAY, reason="Ill"))
    await db.commit()

    await browser.sign_in(ann.email)
    page = await browser.get("/")
    assert page.status_code == 200
    steps = panel(page.text)
    expected = [
        "Submit the entry of Late Larks for Submission",
        "Lone Wolf: find 1 more member",
        "Submit the entry of Lone Wolf for Submission",
        "Early Birds: your entry for Submission is submitted",
        "Answer the invitation to join Hosts",
        "2 unfinished scorecards",
        "Planners: prepare the entry for Submission",
    ]
    positions = [steps.find(text) for text in expected]
    assert all(p >= 0 for p in positions), list(zip(expected, positions, strict=True))
    assert positions == sorted(positions)
    items = steps.split("<li ")[1:]
    assert len(items) == len(expected)
    # each step links to where it is done, shows its deadline as a countdown, and its campaign
    late = items[0]
    assert f'href="/teams/{ext_team.id}/entry?phase={extended.submission.id}"' in late
    assert f'data-until="{(NOW + DAY).isoformat()}"' in late and "ends in 1 d 0 h" in late and "your extension" in late
    assert "Extended Cup" in late
    assert f'data-until="{solo.submission.closes_at.isoformat()}"' in items[2] and "closes in 2 d 0 h" in items[2]
    assert "You can still edit it until" in items[3] and "closes in 3 d 0 h" in items[3]
    assert 'href="/invitations"' in items[4] and "closes in 5 d 0 h" in items[4]
    assert 'href="/judging"' in items[5] and "Scorecards due by" in items[5] and "Judge Cup" in items[5]
    assert "opens in 5 d 1 h" in items[6]


async def test_nothing_to_do_hides_the_panel(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "new@example.com")
    done = await make_campaign(db, stage="results", title="Finished")
    await make_team(db, done, await make_user(db, "old@example.com"), name="Veterans")
    await db.commit()
    await browser.sign_in("new@example.com")
    assert 'id="panel-next"' not in (await browser.get("/")).text
    await browser.sign_out()
    await browser.sign_in("old@example.com")
    assert 'id="panel-next"' not in (await browser.get("/")).text


async def _busy(db: AsyncSession, email: str, size: int) -> None:
    person = await make_user(db, email)
    for n in range(size):
        scenario = await make_campaign(db, stage="submission", title=f"{email} cup {n}")
        team = await make_team(db, scenario, person, name=f"{email} team {n}")
        if n % 2:
            await make_entry(db, team, scenario.submission)
        db.add(Extension(team_id=team.id, phase_id=scenario.submission.id, until=NOW + 5 * DAY, reason="Ill"))
        host = await make_team(db, scenario, await make_user(db, f"h{n}-{email}"), name=f"{email} host {n}")
        await _invite(db, host, person)
        judged = await make_campaign(db, stage="judging", title=f"{email} judged {n}")
        await _judge(db, judged, person, 2, f"{n}-{email}-")


async def test_next_steps_run_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    await _busy(db, "few@example.com", 1)
    await _busy(db, "many@example.com", 4)
    await db.commit()
    counts = []
    # few also may form a team in the three submission campaigns among the six newest open ones (many's)
    for email, steps in (("few@example.com", 3 + 3), ("many@example.com", 12)):
        await browser.sign_in(email)
        queries.reset()
        page = await browser.get("/")
        assert page.status_code == 200
        counts.append(queries.count)
        assert panel(page.text).count("<li ") == steps
        await browser.sign_out()
    print(f"home page queries with next steps: {counts}")
    assert counts[0] == counts[1]


async def test_a_captain_is_asked_to_answer_requests_to_join(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    mate = await make_user(db, "mate@example.com")
    s = await make_campaign(db, stage="registration", title="Ask Cup")
    team = await make_team(db, s, cap, members=[mate], name="Pickers")
    for n in range(2):
        asker = await make_user(db, f"ask{n}@example.com")
        db.add(JoinRequest(team_id=team.id, campaign_id=s.campaign.id, user_id=asker.id, requested_at=NOW))
    await db.commit()

    await browser.sign_in(cap.email)
    steps = panel((await browser.get("/")).text)
    assert "Pickers: answer 2 requests to join" in steps and f'href="/teams/{team.id}#requests"' in steps
    assert "Teams can form until" in steps
    await browser.sign_out()
    await browser.sign_in(mate.email)  # only the captain answers
    assert "requests to join" not in panel((await browser.get("/")).text)

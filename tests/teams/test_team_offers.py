""" "Form a team" is offered only while teams can form, to an eligible person without a team; a member
is shown their team instead; the form itself keeps refusing with a clear message."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import CampaignDepartment, CampaignRole, CampaignRoleKind
from teams.models import Invitation
from tests.conftest import Browser, QueryCounter
from tests.factories import make_campaign, make_department, make_team, make_user


def card_of(list_html: str, campaign_id: int) -> str:
    start = list_html.index(f'<a href="/campaigns/{campaign_id}">')
    return list_html[start : list_html.index("</li>", start)]


def next_steps(html: str) -> str:
    if 'id="panel-next"' not in html:
        return ""
    return html.split('id="panel-next"', 1)[1].split("</section>", 1)[0]


async def test_offered_while_teams_can_form_and_gone_after(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com")
    registration = await make_campaign(db, stage="registration", title="Registration Cup")
    submission = await make_campaign(db, stage="submission", title="Submission Cup")
    judging = await make_campaign(db, stage="judging", title="Judging Cup")
    results = await make_campaign(db, stage="results", title="Results Cup")
    await db.commit()
    await browser.sign_in("ann@example.com")

    listing = (await browser.get("/campaigns")).text
    for open_one in (registration, submission):
        assert f'href="/campaigns/{open_one.campaign.id}/teams/new"' in card_of(listing, open_one.campaign.id)
    for late in (judging, results):
        assert "/teams/new" not in card_of(listing, late.campaign.id)

    for open_one in (registration, submission):
        detail = (await browser.get(f"/campaigns/{open_one.campaign.id}")).text
        for challenge in open_one.challenges:
            assert f'href="/campaigns/{open_one.campaign.id}/teams/new?challenge={challenge.id}"' in detail
    for late in (judging, results):
        detail = (await browser.get(f"/campaigns/{late.campaign.id}")).text
        assert "/teams/new" not in detail
        assert "Teams can be formed or changed only while registration or submission is open." in detail

    home = (await browser.get("/")).text
    steps = next_steps(home)
    for open_one in (registration, submission):
        assert f'href="/campaigns/{open_one.campaign.id}/teams/new"' in steps
        assert f"Form a team for {open_one.campaign.title}" in steps
    assert "Teams can form until" in steps
    assert "Judging Cup" not in steps and "Results Cup" not in steps

    # the form refuses, too, with the reason
    page = await browser.get(f"/campaigns/{judging.campaign.id}/teams/new")
    assert page.status_code == 409 and "only while registration or submission is open" in page.text
    assert "<form" not in page.text.split("</header>", 1)[1]
    refused = await browser.post(
        f"/campaigns/{judging.campaign.id}/teams", {"name": "Late", "challenge_id": str(judging.challenges[0].id)}
    )
    assert "only while registration or submission is open" in (await browser.landing(refused)).text


async def test_a_member_sees_their_team_instead(db: AsyncSession, browser: Browser) -> None:
    ann = await make_user(db, "ann@example.com")
    bob = await make_user(db, "bob@example.com")
    spring = await make_campaign(db, stage="submission", title="Spring Cup")
    team = await make_team(db, spring, await make_user(db, "cap@example.com"), members=[ann], name="Pick <Right>")
    await db.commit()
    await browser.sign_in(ann.email)

    listing = (await browser.get("/campaigns")).text
    card = card_of(listing, spring.campaign.id)
    assert "/teams/new" not in card
    assert f'Your team: <a href="/teams/{team.id}">Pick &lt;Right&gt;</a>' in card

    detail = (await browser.get(f"/campaigns/{spring.campaign.id}")).text
    assert "/teams/new" not in detail
    assert f'Your team: <a href="/teams/{team.id}">Pick &lt;Right&gt;</a>' in detail

    assert "/teams/new" not in (await browser.get("/")).text

    page = await browser.get(f"/campaigns/{spring.campaign.id}/teams/new")
    assert page.status_code == 409
    assert "You are already in a team of this campaign." in page.text
    assert f'href="/teams/{team.id}"' in page.text

    # someone else in the same campaign is still offered it
    await browser.sign_out()
    await browser.sign_in(bob.email)
    assert f'href="/campaigns/{spring.campaign.id}/teams/new"' in (await browser.get("/campaigns")).text


async def test_people_outside_the_eligible_departments_are_told_why(db: AsyncSession, browser: Browser) -> None:
    sales = await make_department(db, "Sales")
    plant = await make_department(db, "Plant")
    await make_user(db, "seller@example.com", department=sales)
    await make_user(db, "worker@example.com", department=plant)
    spring = await make_campaign(db, stage="registration", title="Sales Cup")
    spring.campaign.all_staff_eligible = False
    db.add(CampaignDepartment(campaign_id=spring.campaign.id, department_id=sales.id))
    await db.commit()
    url = f"/campaigns/{spring.campaign.id}"

    await browser.sign_in("worker@example.com")
    assert "/teams/new" not in card_of((await browser.get("/campaigns")).text, spring.campaign.id)
    detail = (await browser.get(url)).text
    assert "/teams/new" not in detail and "open to some departments only" in detail
    assert (await browser.get(f"{url}/teams/new")).status_code == 403

    await browser.sign_out()
    await browser.sign_in("seller@example.com")
    assert f'href="{url}/teams/new"' in (await browser.get(url)).text


async def test_home_leaves_out_campaigns_with_an_invitation_or_that_the_person_runs(
    db: AsyncSession, browser: Browser
) -> None:
    ann = await make_user(db, "ann@example.com")
    invited = await make_campaign(db, stage="registration", title="Invited Cup")
    host = await make_team(db, invited, await make_user(db, "cap@example.com"), name="Hosts")
    db.add(Invitation(team_id=host.id, invitee_id=ann.id, invited_by_id=host.captain_id))
    run = await make_campaign(db, stage="registration", title="Own Cup")
    db.add(CampaignRole(campaign_id=run.campaign.id, user_id=ann.id, role=CampaignRoleKind.ORGANIZER))
    free = await make_campaign(db, stage="registration", title="Free Cup")
    await db.commit()
    await browser.sign_in(ann.email)
    steps = next_steps((await browser.get("/")).text)
    assert "Answer the invitation to join Hosts" in steps
    assert "Form a team for Invited Cup" not in steps and "Form a team for Own Cup" not in steps
    assert f'href="/campaigns/{free.campaign.id}/teams/new"' in steps


async def test_campaign_list_runs_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    sales = await make_department(db, "Sales")
    ann = await make_user(db, "ann@example.com", department=sales)

    async def add(n: int) -> None:
        scenario = await make_campaign(db, stage="submission", title=f"Cup {n}")
        if n % 2:
            await make_team(db, scenario, ann, name=f"Team {n}")
        else:
            scenario.campaign.all_staff_eligible = False
            db.add(CampaignDepartment(campaign_id=scenario.campaign.id, department_id=sales.id))

    for n in range(2):
        await add(n)
    await db.commit()
    await browser.sign_in(ann.email)
    queries.reset()
    assert (await browser.get("/campaigns")).status_code == 200
    few = queries.count
    for n in range(2, 8):
        await add(n)
    await db.commit()
    queries.reset()
    listing = (await browser.get("/campaigns")).text
    assert listing.count("Your team: ") == 4 and listing.count("/teams/new") == 4
    print(f"campaign list queries: {few} → {queries.count}")
    assert queries.count == few

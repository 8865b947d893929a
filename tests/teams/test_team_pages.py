"""Forming a team, the team page and who may see it, invitations, leaving: all through HTTP."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import CampaignDepartment
from core.audit import AuditEntry
from teams.models import Invitation, InvitationStatus, Membership, Team, TeamStatus
from tests.conftest import Browser
from tests.factories import make_campaign, make_department, make_entry, make_team, make_user
from tests.teams.helpers import count, first, fresh, rows_of, switch_to


async def test_create_team_makes_the_creator_captain_and_member(db: AsyncSession, browser: Browser) -> None:
    ann = await make_user(db, "ann@example.com", name="Ann")
    scenario = await make_campaign(db)
    await db.commit()
    cid, challenge = scenario.campaign.id, scenario.challenges[1]
    await browser.sign_in(ann.email)

    form = await browser.get(f"/campaigns/{cid}/teams/new")
    assert form.status_code == 200
    assert "Challenge 1" in form.text and "Challenge 2" in form.text

    response = await browser.post(
        f"/campaigns/{cid}/teams", {"name": "  Pick  Fixers ", "challenge_id": str(challenge.id)}
    )
    assert response.status_code == 303, response.text
    team = await first(db, select(Team).where(Team.campaign_id == cid))
    assert response.headers["location"] == f"/teams/{team.id}"
    assert (team.name, team.name_key, team.captain_id, team.challenge_id) == (
        "Pick Fixers",
        "pick fixers",
        ann.id,
        challenge.id,
    )
    assert await count(db, Membership, Membership.team_id == team.id, Membership.user_id == ann.id) == 1
    assert await count(db, AuditEntry, AuditEntry.action == "team.create") == 1

    page = await browser.get(f"/teams/{team.id}")
    assert page.status_code == 200
    for text in ("Pick Fixers", "Challenge 2", "Ann", "Captain", "No entry yet", "Start the entry", "data-local"):
        assert text in page.text


async def test_duplicate_team_name_is_a_conflict_next_to_the_name(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    bob = await make_user(db, "bob@example.com")
    scenario = await make_campaign(db)
    await make_team(db, scenario, cap, name="Blue Team")
    await db.commit()
    await browser.sign_in(bob.email)

    response = await browser.post(
        f"/campaigns/{scenario.campaign.id}/teams",
        {"name": "blue   TEAM", "challenge_id": str(scenario.challenges[0].id)},
    )
    assert response.status_code == 409
    assert "A team with this name already exists in this campaign." in response.text
    assert 'id="e-name"' in response.text and 'value="blue   TEAM"' in response.text
    assert await count(db, Team) == 1
    assert await count(db, Membership, Membership.user_id == bob.id) == 0


async def test_team_form_errors_keep_what_was_typed(db: AsyncSession, browser: Browser) -> None:
    bob = await make_user(db, "bob@example.com")
    scenario = await make_campaign(db)
    other = await make_campaign(db, title="Other campaign")
    await db.commit()
    await browser.sign_in(bob.email)
    url = f"/campaigns/{scenario.campaign.id}/teams"
    challenge = str(scenario.challenges[0].id)

    missing = await browser.post(url, {"name": "", "challenge_id": challenge})
    assert missing.status_code == 422 and "Enter a team name." in missing.text

    long_name = "N" * 81
    too_long = await browser.post(url, {"name": long_name, "challenge_id": challenge})
    assert too_long.status_code == 422
    assert "at most 80 characters" in too_long.text and long_name in too_long.text

    foreign = await browser.post(url, {"name": "Reds", "challenge_id": str(other.challenges[0].id)})
    assert foreign.status_code == 422 and "Choose one of the campaign" in foreign.text
    assert 'value="Reds"' in foreign.text
    assert await count(db, Team) == 0


async def test_who_may_create_a_team(db: AsyncSession, browser: Browser) -> None:
    sales = await make_department(db, "Sales")
    plant = await make_department(db, "Plant")
    seller = await make_user(db, "seller@example.com", department=sales)
    worker = await make_user(db, "worker@example.com", department=plant)
    boss = await make_user(db, "boss@example.com", executive=True)
    open_one = await make_campaign(db)
    open_one.campaign.all_staff_eligible = False
    db.add(CampaignDepartment(campaign_id=open_one.campaign.id, department_id=sales.id))
    judging = await make_campaign(db, stage="judging", title="Judging now")
    draft = await make_campaign(db, stage="draft", title="Draft", sponsor=boss)
    await make_team(db, open_one, seller, name="Sellers")
    await db.commit()
    challenge = str(open_one.challenges[0].id)

    await browser.sign_in(worker.email)
    page = await browser.get(f"/campaigns/{open_one.campaign.id}/teams/new")
    assert "open to some departments only" in page.text
    refused = await browser.post(
        f"/campaigns/{open_one.campaign.id}/teams", {"name": "Plant", "challenge_id": challenge}
    )
    assert refused.headers["location"] == f"/campaigns/{open_one.campaign.id}/teams/new"
    assert "open to some departments only" in (await browser.landing(refused)).text

    late = await browser.post(
        f"/campaigns/{judging.campaign.id}/teams", {"name": "Late", "challenge_id": str(judging.challenges[0].id)}
    )
    assert "only while registration or submission is open" in (await browser.landing(late)).text

    hidden = await browser.post(
        f"/campaigns/{draft.campaign.id}/teams", {"name": "Early", "challenge_id": str(draft.challenges[0].id)}
    )
    assert hidden.status_code == 404
    assert (await browser.get(f"/campaigns/{draft.campaign.id}/teams/new")).status_code == 404

    await browser.sign_out()
    await browser.sign_in(seller.email)
    again = await browser.post(
        f"/campaigns/{open_one.campaign.id}/teams", {"name": "Second", "challenge_id": challenge}
    )
    assert "already in a team of this campaign" in (await browser.landing(again)).text
    assert await count(db, Team) == 1


async def test_team_page_is_for_members_organizers_and_admins_only(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    org = await make_user(db, "org@example.com")
    other_org = await make_user(db, "other-org@example.com")
    admin = await make_user(db, "admin@example.com", admin=True)
    stranger = await make_user(db, "stranger@example.com")
    rival = await make_user(db, "rival@example.com")
    scenario = await make_campaign(db, organizer=org)
    other = await make_campaign(db, organizer=other_org, title="Other")
    team = await make_team(db, scenario, cap, name="Blue Team")
    await make_team(db, other, rival, name="Rivals")
    await db.commit()

    expected = {cap: 200, org: 200, admin: 200, stranger: 404, other_org: 404, rival: 404}
    for person, status in expected.items():
        await switch_to(browser, person.email)
        page = await browser.get(f"/teams/{team.id}")
        assert page.status_code == status, person.email
        if status == 200:
            assert "Blue Team" in page.text
            # only members get the link to edit the entry and the invite form
            assert ("/entry" in page.text) is (person is cap)
            assert ('name="email"' in page.text) is (person is cap)


async def test_invitation_errors_answer_next_to_the_field(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    mate = await make_user(db, "mate@example.com")
    taken = await make_user(db, "taken@example.com")
    carl = await make_user(db, "carl@example.com", name="Carl")
    dora = await make_user(db, "dora@example.com", name="Dora")
    scenario = await make_campaign(db, max_team_size=3)
    team = await make_team(db, scenario, cap, members=[mate])
    await make_team(db, scenario, taken, name="Other team")
    await db.commit()
    await browser.sign_in(cap.email)
    url = f"/teams/{team.id}/invitations"

    unknown = await browser.post(url, {"email": "nobody@example.com"}, htmx=True)
    assert unknown.status_code == 422
    assert "No active account uses this e-mail address." in unknown.text
    assert 'id="invitations"' in unknown.text and "nobody@example.com" in unknown.text
    assert "<html" not in unknown.text

    look_alike = await browser.post(url, {"email": "c\u0430rl@example.com"}, htmx=True)  # a Cyrillic "а"
    assert look_alike.status_code == 422 and "mixes letters of different alphabets" in look_alike.text
    assert 'id="invitations"' in look_alike.text

    in_team = await browser.post(url, {"email": "Taken@Example.com"}, htmx=True)
    assert in_team.status_code == 409 and "already in a team of this campaign" in in_team.text

    ok = await browser.post(url, {"email": "carl@example.com"}, htmx=True)
    assert ok.status_code == 200 and "Carl" in ok.text and "<html" not in ok.text

    twice = await browser.post(url, {"email": "carl@example.com"}, htmx=True)
    assert twice.status_code == 409 and "already been invited" in twice.text

    # 2 members + 1 pending invitation = 3 = the campaign's maximum
    full = await browser.post(url, {"email": "dora@example.com"})
    assert full.status_code == 409 and "The team is full" in full.text
    assert 'value="dora@example.com"' in full.text and "<html" in full.text
    pending = await rows_of(db, select(Invitation).where(Invitation.team_id == team.id))
    assert [(i.invitee_id, i.status) for i in pending] == [(carl.id, InvitationStatus.PENDING)]
    assert dora.id not in {i.invitee_id for i in pending}


async def test_invitee_accepts_declines_and_is_checked_again(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    carl = await make_user(db, "carl@example.com", name="Carl")
    dora = await make_user(db, "dora@example.com", name="Dora")
    eve = await make_user(db, "eve@example.com", name="Eve")
    scenario = await make_campaign(db, max_team_size=2)
    team = await make_team(db, scenario, cap, name="Blue Team")
    carl_inv = Invitation(team_id=team.id, invitee_id=carl.id, invited_by_id=cap.id)
    dora_inv = Invitation(team_id=team.id, invitee_id=dora.id, invited_by_id=cap.id)  # made when there was room
    eve_inv = Invitation(team_id=team.id, invitee_id=eve.id, invited_by_id=cap.id)
    db.add_all([carl_inv, dora_inv, eve_inv])
    await db.commit()
    await browser.sign_in(carl.email)
    listing = await browser.get("/invitations")
    assert listing.status_code == 200 and "Blue Team" in listing.text and "Spring Innovation Challenge" in listing.text
    # somebody else's invitation does not exist for Carl
    assert (await browser.post(f"/invitations/{dora_inv.id}/accept")).status_code == 404
    accepted = await browser.post(f"/invitations/{carl_inv.id}/accept")
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/teams/{team.id}"
    assert await count(db, Membership, Membership.team_id == team.id) == 2

    await switch_to(browser, dora.email)
    full = await browser.post(f"/invitations/{dora_inv.id}/accept")
    assert full.headers["location"] == "/invitations"
    assert "This team is full" in (await browser.landing(full)).text
    assert await count(db, Membership, Membership.user_id == dora.id) == 0
    assert (await fresh(db, Invitation, dora_inv.id)).status is InvitationStatus.PENDING

    declined = await browser.post(f"/invitations/{dora_inv.id}/decline")
    assert declined.status_code == 303
    assert (await fresh(db, Invitation, dora_inv.id)).status is InvitationStatus.DECLINED

    # the captain withdraws Eve's invitation; a plain member may not
    await switch_to(browser, carl.email)
    carl_revoke = await browser.post(f"/teams/{team.id}/invitations/{eve_inv.id}/revoke")
    assert carl_revoke.headers["location"] == f"/teams/{team.id}#invitations"
    assert "Only the captain" in (await browser.landing(carl_revoke)).text
    await switch_to(browser, cap.email)
    revoked = await browser.post(f"/teams/{team.id}/invitations/{eve_inv.id}/revoke", htmx=True)
    assert revoked.status_code == 200 and "No pending invitations." in revoked.text
    assert (await fresh(db, Invitation, eve_inv.id)).status is InvitationStatus.REVOKED


async def test_accepting_while_in_another_team_is_a_conflict(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    carl = await make_user(db, "carl@example.com")
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, cap, name="Blue Team")
    invitation = Invitation(team_id=team.id, invitee_id=carl.id, invited_by_id=cap.id)
    db.add(invitation)
    await db.commit()
    await browser.sign_in(carl.email)
    # Carl forms his own team meanwhile: that declines his other invitations of the campaign
    created = await browser.post(
        f"/campaigns/{scenario.campaign.id}/teams", {"name": "Carl's", "challenge_id": str(scenario.challenges[0].id)}
    )
    assert created.status_code == 303
    assert (await fresh(db, Invitation, invitation.id)).status is InvitationStatus.DECLINED
    # an invitation still pending (e.g. made in a race) is refused on accept
    invitation.status = InvitationStatus.PENDING
    await db.commit()
    response = await browser.post(f"/invitations/{invitation.id}/accept")
    assert "already in a team of this campaign" in (await browser.landing(response)).text
    assert await count(db, Membership, Membership.user_id == carl.id) == 1


async def test_leaving_a_team(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    mate = await make_user(db, "mate@example.com")
    solo = await make_user(db, "solo@example.com")
    keeper = await make_user(db, "keeper@example.com")
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, cap, members=[mate])
    lonely = await make_team(db, scenario, solo, name="Lonely")
    kept = await make_team(db, scenario, keeper, name="Kept")
    await make_entry(db, kept, scenario.submission, submitted=False)
    await db.commit()

    await switch_to(browser, cap.email)

    refused = await browser.post(f"/teams/{team.id}/leave")
    assert refused.headers["location"] == f"/teams/{team.id}"
    assert "hand the role to another member before you leave" in (await browser.landing(refused)).text

    await switch_to(browser, mate.email)

    left = await browser.post(f"/teams/{team.id}/leave")
    assert left.status_code == 303
    assert await count(db, Membership, Membership.team_id == team.id) == 1
    assert (await browser.get(f"/teams/{team.id}")).status_code == 404

    await switch_to(browser, solo.email)

    # the last member is asked to confirm first: the team goes with them
    unconfirmed = await browser.post(f"/teams/{lonely.id}/leave")
    assert unconfirmed.headers["location"] == f"/teams/{lonely.id}/leave"
    confirm = await browser.landing(unconfirmed)
    assert "the team is dissolved" in confirm.text and "deleted and its name becomes free" in confirm.text
    assert await fresh(db, Team, lonely.id) is not None
    assert (await browser.post(f"/teams/{lonely.id}/leave", {"dissolve": "1"})).status_code == 303
    assert await fresh(db, Team, lonely.id) is None  # no entry: the team and its name are gone

    await switch_to(browser, keeper.email)

    assert "it is withdrawn" in (await browser.get(f"/teams/{kept.id}/leave")).text
    assert (await browser.post(f"/teams/{kept.id}/leave", {"dissolve": "1"})).status_code == 303
    withdrawn = await fresh(db, Team, kept.id)
    assert withdrawn is not None and withdrawn.status is TeamStatus.WITHDRAWN

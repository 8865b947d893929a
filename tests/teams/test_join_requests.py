"""Requests to join a team, the captain role and the smallest team that may submit: through HTTP,
and under concurrent answers over two app instances (held at the same point on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.models import Notification, NotificationKind
from teams import membership
from teams.models import Invitation, JoinRequest, JoinRequestStatus, Membership, Seeker, Team
from tests import factories as f
from tests.conftest import NOW, Browser
from tests.teams.helpers import count, first, fresh, switch_to
from tests.web.test_double_submit import Instance, Rendezvous, at_once, instances, postgres

__all__ = ["instances", "postgres"]  # fixtures


async def _request_id(db: AsyncSession, user_id: int) -> int:
    found = await first(db, select(JoinRequest).where(JoinRequest.user_id == user_id).order_by(JoinRequest.id.desc()))
    return int(found.id)


async def test_a_person_asks_to_join_and_the_captain_answers(db: AsyncSession, browser: Browser) -> None:
    cap = await f.make_user(db, "cap@example.com", name="Cap")
    lin = await f.make_user(db, "lin@example.com", name="Lin")
    ivo = await f.make_user(db, "ivo@example.com", name="Ivo")
    mate = await f.make_user(db, "mate@example.com", name="Mate")
    s = await f.make_campaign(db, max_team_size=3)
    team = await f.make_team(db, s, cap, members=[mate], name="Pickers")
    other = await f.make_team(db, s, await f.make_user(db, "red@example.com"), name="Red")
    await db.commit()
    db.add(Seeker(campaign_id=s.campaign.id, user_id=lin.id, pitch="", listed_at=NOW))
    await db.commit()

    await browser.sign_in(lin.email)
    page = await browser.get(f"/teams/{team.id}/join")
    assert page.status_code == 200 and "Message to the captain" in page.text and "Pickers" in page.text
    too_long = await browser.post(f"/teams/{team.id}/join-requests", {"message": "字" * 501})
    assert too_long.status_code == 422 and "at most 500 characters" in too_long.text and "字" * 501 in too_long.text
    sent = await browser.post(f"/teams/{team.id}/join-requests", {"message": "I know <SQL>"})
    assert sent.status_code == 303 and sent.headers["location"] == "/invitations"
    mine = await browser.landing(sent)
    assert "Your request is sent" in mine.text and "Waiting for the captain" in mine.text
    again = await browser.post(f"/teams/{team.id}/join-requests", {"message": "again"})
    assert again.status_code == 409 and "already asked to join this team" in again.text
    assert "Withdraw the request" in again.text  # the open request is shown with its way back
    assert (await browser.post(f"/teams/{other.id}/join-requests", {"message": ""})).status_code == 303
    # the captain is told; a member sees the request but cannot answer it
    told = await first(db, select(Notification).where(Notification.kind == NotificationKind.JOIN_REQUEST))
    assert told.user_id == cap.id and told.link == f"/teams/{team.id}#requests"
    rid = (await first(db, select(JoinRequest).where(JoinRequest.team_id == team.id))).id

    await switch_to(browser, mate.email)
    team_page = await browser.get(f"/teams/{team.id}")
    assert "I know &lt;SQL&gt;" in team_page.text and "The captain answers requests" in team_page.text
    refused = await browser.post(f"/teams/{team.id}/join-requests/{rid}/accept")
    assert "Only the captain can do this." in (await browser.landing(refused)).text
    await switch_to(browser, ivo.email)  # outside the team: not found
    assert (await browser.post(f"/teams/{team.id}/join-requests/{rid}/accept")).status_code == 404
    assert (await browser.post(f"/join-requests/{rid}/withdraw")).status_code == 404

    await switch_to(browser, cap.email)
    accepted = await browser.post(f"/teams/{team.id}/join-requests/{rid}/accept")
    assert "the person is in the team now" in (await browser.landing(accepted)).text
    assert await count(db, Membership, Membership.team_id == team.id, Membership.user_id == lin.id) == 1
    # her other request and her listing went with it; she is told
    statuses = {r.team_id: r.status for r in (await db.scalars(select(JoinRequest))).all()}
    await db.commit()
    assert statuses == {team.id: JoinRequestStatus.ACCEPTED, other.id: JoinRequestStatus.WITHDRAWN}
    assert await count(db, Seeker) == 0
    answer = await first(db, select(Notification).where(Notification.kind == NotificationKind.JOIN_ANSWER))
    assert answer.user_id == lin.id and answer.params["accepted"] is True
    # the team is full now (3): asking is refused with the reason
    await switch_to(browser, ivo.email)
    assert "This team is full" in (await browser.get(f"/teams/{team.id}/join")).text
    full = await browser.post(f"/teams/{team.id}/join-requests", {"message": "me too"})
    assert full.status_code == 409 and "me too" in full.text


async def test_declining_and_withdrawing(db: AsyncSession, browser: Browser) -> None:
    cap = await f.make_user(db, "cap@example.com")
    lin = await f.make_user(db, "lin@example.com")
    s = await f.make_campaign(db)
    team = await f.make_team(db, s, cap)
    await db.commit()
    await browser.sign_in(lin.email)
    await browser.post(f"/teams/{team.id}/join-requests", {"message": "one"})
    rid = await _request_id(db, lin.id)
    withdrawn = await browser.post(f"/join-requests/{rid}/withdraw")
    assert "Your request is withdrawn." in (await browser.landing(withdrawn)).text
    await browser.post(f"/teams/{team.id}/join-requests", {"message": "two"})
    second = await _request_id(db, lin.id)

    await switch_to(browser, cap.email)
    late = await browser.post(f"/teams/{team.id}/join-requests/{rid}/decline")
    assert "no longer open" in (await browser.landing(late)).text
    declined = await browser.post(f"/teams/{team.id}/join-requests/{second}/decline")
    assert "the person is told" in (await browser.landing(declined)).text
    assert (await fresh(db, JoinRequest, second)).status is JoinRequestStatus.DECLINED
    told = await first(db, select(Notification).where(Notification.kind == NotificationKind.JOIN_ANSWER))
    assert told.user_id == lin.id and told.params["accepted"] is False
    assert (await browser.post(f"/teams/{team.id}/join-requests/999999/accept")).status_code == 404


async def test_the_captain_hands_over_before_leaving_and_a_small_team_cannot_submit(
    db: AsyncSession, browser: Browser
) -> None:
    cap = await f.make_user(db, "cap@example.com", name="Cap")
    mate = await f.make_user(db, "mate@example.com", name="Mate")
    s = await f.make_campaign(db)
    s.campaign.min_team_size = 3
    team = await f.make_team(db, s, cap, members=[mate])
    await db.commit()

    await browser.sign_in(cap.email)
    assert "Hand the captain role to" in (await browser.get(f"/teams/{team.id}")).text
    refused = await browser.post(f"/teams/{team.id}/leave")
    assert "hand the role to another member" in (await browser.landing(refused)).text
    entry_page = (await browser.get(f"/teams/{team.id}/entry")).text
    assert "yours is 1 short. Invite colleagues or find them on the team board." in entry_page
    assert 'disabled aria-describedby="submit-blocked"' in entry_page  # said before anyone tries
    submitted = await browser.post(f"/teams/{team.id}/entry/submit", {"title": "Pick by light", "summary": "s"})
    landing = (await browser.landing(submitted)).text
    assert "needs at least 3 members to submit: yours is 1 short" in landing
    assert "Pick by light" in landing  # kept as a draft
    refused_htmx = await browser.post(f"/teams/{team.id}/entry/submit", {"title": "Pick by light 2"}, htmx=True)
    assert refused_htmx.status_code == 409 and "yours is 1 short" in refused_htmx.text
    assert (await first(db, select(Team).where(Team.id == team.id))).status.value == "active"
    not_member = await browser.post(f"/teams/{team.id}/captain", {"captain_id": "999999"})
    assert "Choose a member of the team." in (await browser.landing(not_member)).text
    handed = await browser.post(f"/teams/{team.id}/captain", {"captain_id": str(mate.id)})
    assert "Mate is the captain now." in (await browser.landing(handed)).text
    assert (await fresh(db, Team, team.id)).captain_id == mate.id
    told = await first(db, select(Notification).where(Notification.kind == NotificationKind.CAPTAIN))
    assert told.user_id == mate.id
    # no longer the captain: cannot hand over, but may leave
    again = await browser.post(f"/teams/{team.id}/captain", {"captain_id": str(cap.id)})
    assert "Only the captain can do this." in (await browser.landing(again)).text
    assert (await browser.post(f"/teams/{team.id}/leave")).status_code == 303
    assert await count(db, Membership, Membership.team_id == team.id) == 1


async def test_two_captains_accepting_one_person_at_once_make_one_membership(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    lin = await f.make_user(db, "lin@example.com")
    s = await f.make_campaign(db, stage="registration")
    blue = await f.make_team(db, s, await f.make_user(db, "blue@example.com"), name="Blue")
    red = await f.make_team(db, s, await f.make_user(db, "red@example.com"), name="Red")
    asked = [
        JoinRequest(team_id=t.id, campaign_id=s.campaign.id, user_id=lin.id, requested_at=NOW) for t in (blue, red)
    ]
    db.add_all(asked)
    await db.commit()
    one, two = instances
    one.sign_in("blue@example.com")
    two.sign_in("red@example.com")
    Rendezvous(monkeypatch, "teams.join_requests.lock_person", active=postgres)
    answers = at_once(
        lambda: one.post(f"/teams/{blue.id}/join-requests/{asked[0].id}/accept", {}),
        lambda: two.post(f"/teams/{red.id}/join-requests/{asked[1].id}/accept", {}),
    )
    assert [a.status_code for a in answers] == [303, 303]
    assert await count(db, Membership, Membership.user_id == lin.id) == 1
    texts = [one.landing(answers[0]), two.landing(answers[1])]
    assert sum("the person is in the team now" in t for t in texts) == 1
    assert sum("no longer open" in t or "joined another team" in t for t in texts) == 1


async def test_two_people_accepted_for_the_last_place_at_once_only_one_gets_it(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    s = await f.make_campaign(db, stage="registration", max_team_size=2)
    cap = await f.make_user(db, "cap@example.com")
    team = await f.make_team(db, s, cap)
    people = [await f.make_user(db, f"p{i}@example.com") for i in range(2)]
    asked = [JoinRequest(team_id=team.id, campaign_id=s.campaign.id, user_id=p.id, requested_at=NOW) for p in people]
    db.add_all(asked)
    await db.commit()
    one, two = instances
    one.sign_in("cap@example.com")
    two.sign_in("cap@example.com")
    Rendezvous(monkeypatch, "teams.join_requests.lock_person", active=postgres)
    answers = at_once(
        *(lambda r=r: one.post(f"/teams/{team.id}/join-requests/{r.id}/accept", {}) for r in asked[:1]),
        lambda: two.post(f"/teams/{team.id}/join-requests/{asked[1].id}/accept", {}),
    )
    assert [a.status_code for a in answers] == [303, 303]
    assert await count(db, Membership, Membership.team_id == team.id) == 2  # the captain and one
    texts = [one.landing(answers[0]), two.landing(answers[1])]
    assert sum("The team is full" in t for t in texts) == 1


async def test_accepting_an_invitation_while_a_captain_accepts_a_request_joins_one_team(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    lin = await f.make_user(db, "lin@example.com")
    s = await f.make_campaign(db, stage="registration")
    blue_captain = await f.make_user(db, "blue@example.com")
    blue = await f.make_team(db, s, blue_captain, name="Blue")
    red = await f.make_team(db, s, await f.make_user(db, "red@example.com"), name="Red")
    invitation = Invitation(team_id=blue.id, invitee_id=lin.id, invited_by_id=blue_captain.id)
    asked = JoinRequest(team_id=red.id, campaign_id=s.campaign.id, user_id=lin.id, requested_at=NOW)
    db.add_all([invitation, asked])
    await db.commit()
    one, two = instances
    one.sign_in("lin@example.com")
    two.sign_in("red@example.com")
    # both hold before taking the person's lock: one rendezvous over both modules' name for it
    Rendezvous(monkeypatch, "teams.membership.lock_person", active=postgres)
    monkeypatch.setattr("teams.join_requests.lock_person", membership.lock_person)
    answers = at_once(
        lambda: one.post(f"/invitations/{invitation.id}/accept", {}),
        lambda: two.post(f"/teams/{red.id}/join-requests/{asked.id}/accept", {}),
    )
    assert [a.status_code for a in answers] == [303, 303]
    joined = (await db.scalars(select(Membership.team_id).where(Membership.user_id == lin.id))).all()
    await db.commit()
    assert len(joined) == 1

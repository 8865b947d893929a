"""The team board through HTTP: listing oneself, a team's needs, browsing, suggestions, and when
listings go."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from teams.models import Invitation, Seeker, SeekerSkill, TeamNeed
from tests.conftest import NOW, Browser, QueryCounter
from tests.factories import make_campaign, make_department, make_team, make_user
from tests.teams.helpers import count, switch_to


async def test_people_list_themselves_and_teams_find_them_by_skill_and_department(
    db: AsyncSession, browser: Browser
) -> None:
    sales = await make_department(db, "Sales")
    it = await make_department(db, "IT")
    cap = await make_user(db, "cap@example.com", name="Cap", department=it)
    lin = await make_user(db, "lin@example.com", name="Lin Wei", department=sales)
    ivo = await make_user(db, "ivo@example.com", name="Ivo", department=it)
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, cap, name="Pickers")
    await db.commit()
    cid = scenario.campaign.id
    board = f"/campaigns/{cid}/board"

    await browser.sign_in(lin.email)
    # no skill: refused beside the field, the pitch kept as typed
    refused = await browser.post(f"{board}/listing", {"skills": " , ", "pitch": "<b>Warehouse</b> nerd"})
    assert refused.status_code == 422
    assert "List at least one skill" in refused.text and "&lt;b&gt;Warehouse&lt;/b&gt; nerd" in refused.text
    listed = await browser.post(f"{board}/listing", {"skills": "SQL, 数据分析，sql", "pitch": "<b>Warehouse</b> nerd"})
    assert listed.status_code == 303
    assert await count(db, SeekerSkill) == 2  # SQL and sql are one skill
    # changing the listing keeps one listing
    changed = {"skills": "SQL, 数据分析, forecasting", "pitch": "<b>Warehouse</b> nerd"}
    assert (await browser.post(f"{board}/listing", changed)).status_code == 303
    assert await count(db, Seeker) == 1 and await count(db, SeekerSkill) == 3

    await switch_to(browser, ivo.email)
    await browser.post(f"{board}/listing", {"skills": "design"})

    await switch_to(browser, cap.email)
    page = await browser.get(board)
    assert "Lin Wei" in page.text and "数据分析" in page.text and "&lt;b&gt;Warehouse" in page.text
    assert "Ivo" in page.text
    only_sql = await browser.get(f"{board}?skill=sql")
    assert "Lin Wei" in only_sql.text and "Ivo" not in only_sql.text
    only_it = await browser.get(f"{board}?department={it.id}")
    assert "Ivo" in only_it.text and "Lin Wei" not in only_it.text
    wildcard = await browser.get(f"{board}?q=%25&skill=_")  # LIKE wildcards are literal
    assert "Lin Wei" not in wildcard.text and "Ivo" not in wildcard.text
    # a team sets what it lacks and is suggested the people who have it, a new department first
    too_many = ",".join(f"skill {i}" for i in range(11))
    refused = await browser.post(f"/teams/{team.id}/needs", {"needs": too_many})
    assert refused.status_code == 422 and "at most 10 skills" in refused.text and "skill 10" in refused.text
    assert (await browser.post(f"/teams/{team.id}/needs", {"needs": "sql, design"})).status_code == 303
    assert await count(db, TeamNeed, TeamNeed.team_id == team.id) == 2
    team_page = await browser.get(f"/teams/{team.id}")
    people = team_page.text[team_page.text.index("People for your team") :]
    assert people.index("Lin Wei") < people.index("Ivo")  # same number of skills; Lin adds Sales
    assert "brings a new department" in people
    # a member invites a person from the board in one click
    assert (await browser.get(board)).text.count("Invite to Pickers") == 2  # Lin and Ivo
    invited = await browser.post(f"/teams/{team.id}/invitations", {"email": "ivo@example.com"})
    assert invited.status_code == 303 and "Invitation sent to ivo@example.com" in (await browser.landing(invited)).text
    assert await count(db, Invitation, Invitation.team_id == team.id) == 1

    await switch_to(browser, lin.email)
    teams = await browser.get(f"{board}?show=teams")
    assert "Pickers" in teams.text and "Ask to join" in teams.text
    mine = await browser.get(board)
    assert "Teams for you" in mine.text and "Shared skills: SQL" in mine.text


async def test_a_listing_goes_when_its_person_joins_a_team_and_the_board_closes_with_registration(
    db: AsyncSession, browser: Browser
) -> None:
    cap = await make_user(db, "cap@example.com")
    lin = await make_user(db, "lin@example.com", name="Lin Wei")
    scenario = await make_campaign(db)
    team = await make_team(db, scenario, cap)
    late = await make_campaign(db, stage="judging", title="Autumn")
    db.add(Invitation(team_id=team.id, invitee_id=lin.id, invited_by_id=cap.id))
    await db.commit()

    await browser.sign_in(lin.email)
    await browser.post(f"/campaigns/{scenario.campaign.id}/board/listing", {"skills": "sql"})
    assert await count(db, Seeker) == 1
    invitation_id = (await browser.get("/invitations")).text.split("/invitations/")[1].split("/")[0]
    assert (await browser.post(f"/invitations/{invitation_id}/accept")).status_code == 303
    assert await count(db, Seeker) == 0
    page = await browser.get(f"/campaigns/{scenario.campaign.id}/board")
    assert "<h3>Lin Wei</h3>" not in page.text and "You are in the team" in page.text
    # a person in a team cannot list themself
    refused = await browser.post(f"/campaigns/{scenario.campaign.id}/board/listing", {"skills": "sql"})
    assert refused.status_code == 409 and "already in a team" in refused.text

    closed = await browser.get(f"/campaigns/{late.campaign.id}/board")
    assert closed.status_code == 200 and "only while registration or submission is open" in closed.text
    refused = await browser.post(f"/campaigns/{late.campaign.id}/board/listing", {"skills": "sql", "pitch": "hi"})
    assert refused.status_code == 409 and await count(db, Seeker) == 0


async def test_the_board_of_a_campaign_out_of_reach_is_not_found(db: AsyncSession, browser: Browser) -> None:
    lin = await make_user(db, "lin@example.com")
    draft = await make_campaign(db, stage="draft")
    await db.commit()
    await browser.sign_in(lin.email)
    assert (await browser.get(f"/campaigns/{draft.campaign.id}/board")).status_code == 404
    assert (await browser.post(f"/campaigns/{draft.campaign.id}/board/listing", {"skills": "x"})).status_code == 404
    assert (await browser.get("/campaigns/999999/board")).status_code == 404


async def _grow_board(db: AsyncSession, scenario: Any, start: int, count: int, departments: list[Any]) -> None:
    """``count`` more listed people and teams looking for skills, each of them matching."""
    for n in range(start, start + count):
        person = await make_user(db, f"seeker{n}@example.com", department=departments[n % len(departments)])
        seeker = Seeker(campaign_id=scenario.campaign.id, user_id=person.id, pitch=f"Pitch {n}", listed_at=NOW)
        db.add(seeker)
        await db.flush()
        db.add_all(SeekerSkill(seeker_id=seeker.id, name=s, key=s) for s in ("sql", f"skill {n}"))
        captain = await make_user(db, f"captain{n}@example.com", department=departments[(n + 1) % len(departments)])
        team = await make_team(db, scenario, captain, name=f"Team {n}")
        db.add_all(TeamNeed(team_id=team.id, name=s, key=s) for s in ("sql", f"need {n}"))
    await db.commit()


@pytest.mark.parametrize("url", ["/campaigns/{c}/board", "/campaigns/{c}/board?show=teams&skill=sql", "/teams/{t}"])
async def test_board_pages_send_as_many_statements_at_60_listings_as_at_10(
    db: AsyncSession, browser: Browser, queries: QueryCounter, url: str
) -> None:
    departments = [await make_department(db, name) for name in ("Sales", "IT", "HR")]
    me = await make_user(db, "me@example.com", department=departments[0])
    scenario = await make_campaign(db)
    mine = await make_team(db, scenario, me, name="Mine")
    db.add(TeamNeed(team_id=mine.id, name="sql", key="sql"))
    await db.commit()
    await browser.sign_in(me.email)
    path = url.format(c=scenario.campaign.id, t=mine.id)
    counts = []
    for start, more in ((0, 10), (10, 50)):
        await _grow_board(db, scenario, start, more, departments)
        assert (await browser.get(path)).status_code == 200
        queries.reset()
        page = await browser.get(path)
        assert page.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], queries.statements
    assert "seeker" in page.text.lower() or "Team " in page.text

"""The organizer's long lists show one page, filtered, with the choice kept in the pager's links."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from core.pagination import page_of, per_page, query_string
from tests.conftest import Browser
from tests.factories import assign, make_campaign, make_entry, make_scorecard, make_team, make_user
from tests.scale import JUDGE, ORGANIZER, ScaleWorld

ROW = re.compile(r'<tr id="team-(\d+)"')


def test_pagination_helpers() -> None:
    assert per_page(300) == 300 and per_page(7) == 50 and per_page(None, 25) == 25
    page = page_of(list(range(120)), number=9, size=50)  # past the end: the last page
    assert (page.number, page.items[0], len(page.items), page.pages) == (3, 100, 20, 3)
    assert query_string(show="tied", challenge=None, q="") == "?show=tied"
    assert query_string() == "?"


async def test_advancement_page_lists_one_page_and_filters(db: AsyncSession, browser: Browser) -> None:
    world = await ScaleWorld.build(db)
    await world.grow(db, 340)
    await browser.sign_in(ORGANIZER)
    url = world.path("/campaigns/{campaign}/phases/{judging}/advancement")

    first = (await browser.get(url)).text
    assert len(ROW.findall(first)) == 50 and "Page 1 of 7" in first and "Teams matching: 340 of 340." in first
    wide = (await browser.get(url + "?per_page=300&page=2")).text
    assert len(ROW.findall(wide)) == 40 and "Page 2 of 2" in wide

    # top 50 %: 170 would advance, 170 would be eliminated (ties at the cut kept together)
    advancing = (await browser.get(url + "?show=advance&per_page=100")).text
    assert "Would be eliminated" not in advancing and "Would advance" in advancing
    assert 'href="' + url + '?per_page=100&amp;show=advance&amp;page=2"' in advancing  # the pager keeps the filter
    assert '<option value="advance" selected>' in advancing

    found = (await browser.get(url + "?q=team 0012")).text
    assert ROW.findall(found) == [str(only_row(found))] and "Team 0012" in found
    challenge = world.scenario.challenges[1].id
    by_challenge = (await browser.get(f"{url}?challenge={challenge}&per_page=300")).text
    assert len(ROW.findall(by_challenge)) == 170  # teams alternate between the two challenges
    nothing = (await browser.get(url + "?q=nobody")).text
    assert "No team matches this filter." in nothing

    # an override from a filtered page comes back to it
    team = ROW.findall(found)[0]
    done = await browser.post(
        f"{url}/teams/{team}",
        {"outcome": "advance", "reason": "Strong demo", "q": "team 0012", "per_page": "100", "show": "all"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{url}?per_page=100&q=team+0012&page=1#team-{team}"


def only_row(html: str) -> int:
    found = ROW.findall(html)
    assert len(found) == 1, found
    return int(found[0])


async def test_assignment_page_lists_judges_for_the_entry_chosen_only(db: AsyncSession, browser: Browser) -> None:
    world = await ScaleWorld.build(db)
    await world.grow(db, 30)
    await browser.sign_in(ORGANIZER)
    url = world.path("/campaigns/{campaign}/phases/{judging}/assignments")
    page = (await browser.get(url)).text
    assert 'name="judge_id"' not in page and f'hx-get="{url}/entries/{world.entry.id}/choose?page=1"' in page
    chosen = (await browser.get(f"{url}?choose={world.entry.id}")).text
    assert chosen.count('name="judge_id"') == 1 and f'id="judge-{world.entry.id}"' in chosen
    fragment = await browser.get(f"{url}/entries/{world.entry.id}/choose?page=2", headers={"hx-request": "true"})
    assert fragment.status_code == 200 and 'name="page" value="2"' in fragment.text
    assert "<html" not in fragment.text and f'id="judge-{world.entry.id}"' in fragment.text
    assert (await browser.get(f"{url}/entries/999999/choose")).status_code == 404
    await browser.sign_in("judge1@example.com")
    assert (await browser.get(f"{url}/entries/{world.entry.id}/choose")).status_code == 404


async def test_judge_queue_folds_a_closed_phase_to_its_counts(db: AsyncSession, browser: Browser) -> None:
    world = await ScaleWorld.build(db)
    judge = world.judges[0]
    past = await make_campaign(db, stage="results", judges=[judge], title="Past Challenge")
    team = await make_team(db, past, await make_user(db, "old@example.com"), name="Old Team")
    entry = await make_entry(db, team, past.submission, title="Old idea")
    await assign(db, past.judging, entry, judge)
    await make_scorecard(db, past, entry, judge, [3, 3, 3])
    await db.commit()
    await browser.sign_in(JUDGE)
    queue = (await browser.get("/judging")).text
    assert "Past Challenge" in queue and "Old Team" not in queue and "1 of 1 final" in queue
    assert "Alpha" in queue  # the open phase lists its entries
    unfolded = (await browser.get(f"/judging?phase={past.judging.id}")).text
    assert "Old Team" in unfolded and "Alpha" in unfolded

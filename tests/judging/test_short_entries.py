"""Entries short of judges: computed in SQL with the right missing counts, shown to organizers on the
assignment and progress pages (also after a conflict nobody could replace), in constant queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from judging.progress import short_entries
from teams.models import Entry
from tests.conftest import Browser, QueryCounter
from tests.factories import Scenario, assign, make_campaign, make_entry, make_team, make_user


async def arrange(db: AsyncSession, judges: int = 3) -> tuple[Scenario, list[User]]:
    org = await make_user(db, "org@example.com")
    people = [await make_user(db, f"judge{i}@example.com", name=f"Judge {i}") for i in range(judges)]
    s = await make_campaign(db, organizer=org, judges=people, stage="judging")
    s.judging.required_judges = 3
    return s, people


async def entry(db: AsyncSession, s: Scenario, name: str, *, submitted: bool = True) -> Entry:
    team = await make_team(db, s, await make_user(db, f"{name.lower()}@example.com"), name=name)
    return await make_entry(db, team, s.submission, title=f"{name} idea", submitted=submitted)


async def test_missing_counts_totals_order_and_limit(db: AsyncSession) -> None:
    s, people = await arrange(db)
    # by entry id: none (0 judges), one (1), full (3), two (2); a draft entry is not judged at all
    none_ = await entry(db, s, "Nobody")
    one = await entry(db, s, "Single")
    full = await entry(db, s, "Full")
    two = await entry(db, s, "Pair")
    await entry(db, s, "Draft", submitted=False)
    await assign(db, s.judging, one, people[0])
    for judge in people:
        await assign(db, s.judging, full, judge)
    for judge in people[:2]:
        await assign(db, s.judging, two, judge)
    # an assignment in another campaign's phase does not count here
    other = await make_campaign(db, stage="judging", title="Other", judges=people)
    other_entry = await make_entry(db, await make_team(db, other, people[2], name="Elsewhere"), other.submission)
    await assign(db, other.judging, other_entry, people[0])
    await db.commit()

    short = await short_entries(db, s.judging)
    got = [(i.entry.id, i.team.name, i.assigned, i.missing, i.position) for i in short.items]
    assert got == [
        (none_.id, "Nobody", 0, 3, 1),
        (one.id, "Single", 1, 2, 2),
        (two.id, "Pair", 2, 1, 4),
    ]
    assert (short.entries, short.missing, short.more) == (3, 6, 0)
    assert full.id not in {i.entry.id for i in short.items}

    limited = await short_entries(db, s.judging, limit=2)
    assert [i.entry.id for i in limited.items] == [none_.id, one.id]
    assert (limited.entries, limited.missing, limited.more) == (3, 6, 1)

    s.judging.required_judges = 1
    await db.commit()
    fewer = await short_entries(db, s.judging)
    assert [(i.entry.id, i.missing) for i in fewer.items] == [(none_.id, 1)]


async def test_a_conflict_nobody_replaces_shows_on_both_pages(db: AsyncSession, browser: Browser) -> None:
    s, people = await arrange(db)
    s.judging.required_judges = 3
    target = await entry(db, s, "Blue")
    complete = await entry(db, s, "Green")
    for judge in people:
        await assign(db, s.judging, target, judge)
        await assign(db, s.judging, complete, judge)
    await db.commit()
    base = f"/campaigns/{s.campaign.id}/phases/{s.judging.id}"

    await browser.sign_in("org@example.com")
    assert "Entries short of judges" not in (await browser.get(f"{base}/assignments")).text
    assert "Entries short of judges" not in (await browser.get(f"{base}/progress")).text
    await browser.sign_out()

    # every judge of the pool already judges the entry: nobody can replace judge 0
    await browser.sign_in("judge0@example.com")
    response = await browser.post(f"/judging/{s.judging.id}/entries/{target.id}/conflict", {"confirm": "yes"})
    assert response.headers["location"] == "/judging?conflict=short"
    await browser.sign_out()

    await browser.sign_in("org@example.com")
    for page in ("assignments", "progress"):
        text = (await browser.get(f"{base}/{page}")).text
        assert "Entries short of judges" in text, page
        assert "1 entry has fewer." in text and "1 judge is missing in all." in text, page
        section = text[text.index('id="short-entries"') :]
        section = section[: section.index("</section>")]
        assert "Blue · Blue idea" in section and "1 judge missing" in section and "(2 of 3)" in section, page
        assert f"{base}/assignments?page=1#entry-{target.id}" in section, page
        assert "Green" not in section, page


async def test_pages_run_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    s, people = await arrange(db)
    await db.commit()
    base = f"/campaigns/{s.campaign.id}/phases/{s.judging.id}"

    async def measure() -> list[int]:
        counts = []
        for page in ("assignments", "progress"):
            queries.reset()
            response = await browser.get(f"{base}/{page}")
            assert response.status_code == 200 and "Entries short of judges" in response.text
            counts.append(queries.count)
        return counts

    for i in range(2):
        await assign(db, s.judging, await entry(db, s, f"Team {i:02d}"), people[i])
    await db.commit()
    await browser.sign_in("org@example.com")
    small = await measure()
    for i in range(2, 60):
        made = await entry(db, s, f"Team {i:02d}")
        if i % 2:
            await assign(db, s.judging, made, people[i % 3])
    await db.commit()
    large = await measure()
    print(f"assignments and progress page queries with 2 → 60 short entries: {small} → {large}")
    assert large == small
    short = await short_entries(db, s.judging)
    assert (short.entries, short.missing, len(short.items), short.more) == (60, 2 * 2 + 29 * 2 + 29 * 3, 50, 10)
    await db.commit()

"""A declared conflict of interest: refused after judging closed (close + grace, frozen clock) or on a
final scorecard; allowed before judging opens; the judge is told truly whether a replacement was found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.deadlines import effective_close
from campaigns.models import PhaseStatus
from core.clock import FrozenClock
from core.errors import Conflict
from judging.assigning import declare_conflict
from judging.models import Assignment, ConflictDeclaration
from teams.models import Entry
from tests.conftest import NOW, Browser
from tests.factories import (
    Scenario,
    Stage,
    assign,
    make_campaign,
    make_entry,
    make_scorecard,
    make_team,
    make_user,
)


async def arrange(
    db: AsyncSession, *, stage: Stage = "judging", judges: int = 3, k: int = 2
) -> tuple[Scenario, list[User], list[Entry]]:
    org = await make_user(db, "org@example.com")
    people = [await make_user(db, f"judge{i}@example.com", name=f"Judge {i}") for i in range(judges)]
    s = await make_campaign(db, organizer=org, judges=people, stage=stage)
    s.judging.required_judges = k
    s.judging.grace_minutes = 30
    entries = []
    for i in range(2):
        team = await make_team(db, s, await make_user(db, f"cap{i}@example.com"), name=f"Team {i}")
        entries.append(await make_entry(db, team, s.submission, title=f"Idea {i}"))
    await db.commit()
    return s, people, entries


async def declarations(db: AsyncSession) -> int:
    found = len((await db.scalars(select(ConflictDeclaration.id))).all())
    await db.commit()
    return found


async def judges_of(db: AsyncSession, entry: Entry) -> set[int]:
    found = set((await db.scalars(select(Assignment.judge_id).where(Assignment.entry_id == entry.id))).all())
    await db.commit()
    return found


def url(s: Scenario, entry: Entry) -> str:
    return f"/judging/{s.judging.id}/entries/{entry.id}/conflict"


async def test_refused_from_close_plus_grace_with_the_frozen_clock(
    db: AsyncSession, browser: Browser, clock: FrozenClock
) -> None:
    s, people, entries = await arrange(db)
    for entry in entries:
        await assign(db, s.judging, entry, people[0])
    await db.commit()
    deadline = effective_close(s.judging)
    assert deadline == s.judging.closes_at + timedelta(minutes=30)
    clock.set(deadline - timedelta(seconds=1))  # in the grace period: still accepted
    await browser.sign_in("judge0@example.com")  # (a session signed in six days earlier has timed out)
    accepted = await browser.post(url(s, entries[0]), {"confirm": "yes", "reason": "Neighbour"})
    assert accepted.status_code == 303

    clock.set(deadline)  # closes_at is exclusive: from close + grace on, refused
    page = await browser.get(f"/judging/{s.judging.id}/entries/{entries[1].id}")
    assert "Declare the conflict" not in page.text  # no form once judging closed
    refused = await browser.post(url(s, entries[1]), {"confirm": "yes", "reason": "My cousin"})
    assert refused.headers["location"] == f"/judging/{s.judging.id}/entries/{entries[1].id}"
    text = (await browser.landing(refused)).text
    assert "Judging closed at" in text and "conflicts of interest can no longer be declared" in text
    assert "Your conflict of interest was not recorded." in text
    assert await declarations(db) == 1 and await judges_of(db, entries[1]) == {people[0].id}

    # the service refuses as well, whoever calls it
    with pytest.raises(Conflict) as late:
        await declare_conflict(db, people[0], deadline + timedelta(days=1), s.judging.id, entries[1].id, "")
    assert late.value.params["when"] == deadline
    await db.commit()


async def test_refused_once_an_organizer_closed_judging_early(db: AsyncSession, browser: Browser) -> None:
    s, people, entries = await arrange(db)
    await assign(db, s.judging, entries[0], people[0])
    s.judging.status = PhaseStatus.CLOSED
    await db.commit()
    await browser.sign_in("judge0@example.com")
    refused = await browser.post(url(s, entries[0]), {"confirm": "yes"})
    assert "An organizer has closed judging" in (await browser.landing(refused)).text
    assert await declarations(db) == 0


async def test_refused_on_a_final_scorecard_even_while_open(db: AsyncSession) -> None:
    s, people, entries = await arrange(db)
    await assign(db, s.judging, entries[0], people[0])
    await make_scorecard(db, s, entries[0], people[0], [3, 3, 3])
    await db.commit()
    with pytest.raises(Conflict) as final:
        await declare_conflict(db, people[0], NOW, s.judging.id, entries[0].id, "")
    assert "finalised this scorecard" in final.value.message
    await db.commit()
    assert await declarations(db) == 0


async def test_allowed_before_judging_opens(db: AsyncSession) -> None:
    s, people, entries = await arrange(db, stage="submission")
    assert s.judging.opens_at > NOW
    await assign(db, s.judging, entries[0], people[0])
    await db.commit()
    result = await declare_conflict(db, people[0], NOW, s.judging.id, entries[0].id, "Early notice")
    await db.commit()
    # two of the three judges are left, one of whom replaces judge 0: k = 2 is not reached by one replacement
    assert result.replacement_id == people[1].id and result.missing == 1 and result.short


async def test_the_judge_is_told_truly_whether_a_replacement_was_found(db: AsyncSession, browser: Browser) -> None:
    s, people, entries = await arrange(db, judges=3, k=2)
    # entry 0: judges 0 and 1 -> judge 0 declares, judge 2 replaces
    # entry 1: judges 0, 1, 2 (one more than k) -> judge 1 declares, nobody is needed
    for judge in people[:2]:
        await assign(db, s.judging, entries[0], judge)
    for judge in people:
        await assign(db, s.judging, entries[1], judge)
    await db.commit()

    await browser.sign_in("judge0@example.com")
    replaced = await browser.post(url(s, entries[0]), {"confirm": "yes"})
    assert replaced.status_code == 303 and replaced.headers["location"] == "/judging?conflict=replaced"
    queue = await browser.get(replaced.headers["location"])
    assert "Your conflict of interest is recorded" in queue.text and "Another judge has been assigned" in queue.text
    assert await judges_of(db, entries[0]) == {people[1].id, people[2].id}
    await browser.sign_out()

    await browser.sign_in("judge1@example.com")
    enough = await browser.post(url(s, entries[1]), {"confirm": "yes"})
    assert enough.headers["location"] == "/judging?conflict=enough"
    assert "It still has enough judges." in (await browser.get(enough.headers["location"])).text
    assert await judges_of(db, entries[1]) == {people[0].id, people[2].id}
    await browser.sign_out()

    # entry 0 now has judges 1 and 2; judge 2 declares and nobody is left: no replacement is claimed
    await browser.sign_in("judge2@example.com")
    short = await browser.post(url(s, entries[0]), {"confirm": "yes"})
    assert short.headers["location"] == "/judging?conflict=short"
    text = (await browser.get(short.headers["location"])).text
    assert "No other judge could be assigned to it yet" in text and "Another judge has been assigned" not in text
    assert await judges_of(db, entries[0]) == {people[1].id}

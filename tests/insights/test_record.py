"""The innovation record: what it lists, who may read whose (a participant only their own), its CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from insights.record import record_of
from tests.conftest import NOW, Browser
from tests.insights.world import World, build


@pytest.fixture
async def world(db: AsyncSession) -> World:
    return await build(db)


async def test_the_record_lists_teams_entries_awards_judging_and_projects(db: AsyncSession, world: World) -> None:
    s1 = await record_of(db, world.people["s1"].id, NOW, own=True)
    assert [t.team for t in s1.teams] == ["T7", "T1"]
    assert s1.teams[1].captain and s1.teams[1].campaign == "Campaign A"
    assert [(e.team, e.status) for e in s1.entries] == [("T7", "submitted"), ("T1", "submitted")]
    assert [a.award for a in s1.awards] == ["Winner T1"]
    assert [(p.title, p.status) for p in s1.projects] == [("Rollout T1", "implemented")]
    assert (s1.projects[0].milestones_done, s1.projects[0].milestones) == (1, 2)
    assert s1.projects[0].realised == (("EUR", Decimal("3700.50")), ("h", Decimal("75.50")))
    o2 = await record_of(db, world.people["o2"].id, NOW, own=True)
    assert [(p.title, p.status, p.milestones, p.realised) for p in o2.projects] == [
        ("Rollout T6", "proposed", 0, ()),
        ("Rollout T3", "declined", 0, ()),
    ]
    assert s1.judging == []
    j1 = await record_of(db, world.people["j1"].id, NOW, own=True)
    assert [(j.campaign, j.assigned, j.final, j.on_time) for j in j1.judging] == [
        ("Campaign B", 1, 0, 0),
        ("Campaign A", 3, 3, 2),
    ]
    s3 = await record_of(db, world.people["s3"].id, NOW, own=False)
    assert [(e.status, e.title) for e in s3.entries] == [("draft", "")]  # a draft's title is the team's own
    assert (await record_of(db, world.people["s3"].id, NOW, own=True)).entries[0].title == "T4 idea"
    assert (await record_of(db, world.people["exec"].id, NOW, own=True)).empty


async def test_awards_appear_once_results_are_published(db: AsyncSession, world: World) -> None:
    world.a.campaign.results_published_at = None
    await db.commit()
    assert (await record_of(db, world.people["s1"].id, NOW, own=True)).awards == []


async def test_a_participant_reads_their_own_record_only(browser: Browser, world: World) -> None:
    await browser.sign_in("s1@example.com")
    mine = await browser.get("/me/record")
    assert mine.status_code == 200
    assert "My innovation record" in mine.text and "Rollout T1" in mine.text and "Winner T1" in mine.text
    own = world.people["s1"].id
    assert (await browser.get(f"/people/{own}/record")).status_code == 200
    other = world.people["s2"].id
    assert (await browser.get(f"/people/{other}/record")).status_code == 404
    assert (await browser.get(f"/people/{other}/record.csv")).status_code == 404
    assert 'href="/me/record"' in (await browser.get("/")).text
    assert 'href="/me/record"' in (await browser.get("/account")).text
    got = await browser.get("/me/record.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == ["Kind", "Campaign", "Name", "Details", "Status", "Date (UTC)"]
    assert {r[0] for r in rows[1:]} == {"Team", "Entry", "Award", "Incubation project"}
    detail = "T1 · 1 of 2 milestones done · realised 3700.50 EUR · realised 75.50 h"
    assert ["Incubation project", "Campaign A", "Rollout T1", detail, "Implemented", ""] in rows
    assert "1 of 2" in mine.text and "3,700.50 EUR" in mine.text


async def test_a_judge_cannot_read_another_record_executives_and_admins_can(browser: Browser, world: World) -> None:
    s2 = world.people["s2"].id
    await browser.sign_in("j1@example.com")
    assert (await browser.get(f"/people/{s2}/record")).status_code == 404
    await browser.sign_out()
    for who in ("exec@example.com", "admin@example.com"):
        await browser.sign_in(who)
        page = await browser.get(f"/people/{s2}/record")
        assert page.status_code == 200 and "Innovation record of S2" in page.text and "Rollout T2" in page.text
        got = await browser.get(f"/people/{s2}/record.csv")
        assert got.status_code == 200 and "Rollout T2" in got.content.decode("utf-8-sig")
        assert (await browser.get("/people/999999/record")).status_code == 404
        await browser.sign_out()
    await browser.sign_in("exec@example.com")
    chinese = await browser.get(f"/people/{s2}/record", headers={"accept-language": "zh-CN"})
    assert chinese.status_code == 200

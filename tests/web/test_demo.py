"""The demo data: idempotent, realistic, and usable through the web UI."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Department, User
from campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from core.db import metadata
from incubation.models import IncubationProject, Milestone, ProjectOutcome, ProjectStatus
from judging.models import Assignment, Award, Criterion, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, EntryVersion, Team, TeamStatus
from tests.conftest import NOW, Browser
from web.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


async def _row_counts(db: AsyncSession) -> dict[str, int]:
    counts = {}
    for table in metadata.sorted_tables:
        counts[table.name] = await db.scalar(select(func.count()).select_from(table)) or 0
    return counts


async def test_load_demo_is_idempotent(db: AsyncSession) -> None:
    assert await load_demo(db) is True
    await db.commit()
    first = await _row_counts(db)
    assert await load_demo(db) is False
    await db.commit()
    assert await _row_counts(db) == first
    print(f"demo rows: { {k: v for k, v in first.items() if v} }")
    assert first["user_account"] == len(DEMO_ACCOUNTS) >= 30
    assert first["department"] == 6


async def test_demo_content_is_consistent(db: AsyncSession) -> None:
    await load_demo(db, now=NOW)
    await db.commit()
    campaigns = {c.title: c for c in (await db.scalars(select(Campaign))).all()}
    spring = campaigns["2027 Spring Innovation Challenge"]
    autumn = campaigns["2026 Autumn Cost Challenge"]
    assert spring.status is CampaignStatus.PUBLISHED and spring.timezone == "Asia/Shanghai"
    assert autumn.status is CampaignStatus.CLOSED and autumn.results_published_at is not None
    assert any(c.status is CampaignStatus.DRAFT for c in campaigns.values())
    phases = {p.kind: p for p in (await db.scalars(select(Phase).where(Phase.campaign_id == spring.id))).all()}
    judging = phases[PhaseKind.JUDGING]
    assert judging.status is PhaseStatus.OPEN and judging.opens_at <= NOW < judging.closes_at
    assert phases[PhaseKind.SUBMISSION].closes_at <= judging.opens_at
    assert judging.judges_phase_id == phases[PhaseKind.SUBMISSION].id
    assert phases[PhaseKind.RESULTS].opens_at > NOW
    weights = (await db.scalars(select(Criterion.weight).where(Criterion.phase_id == judging.id))).all()
    assert sorted(weights) == [1.0, 2.0, 2.0, 3.0]

    teams = (await db.scalars(select(Team).where(Team.campaign_id == spring.id))).all()
    assert len(teams) == 12
    entries = (await db.scalars(select(Entry).where(Entry.phase_id == phases[PhaseKind.SUBMISSION].id))).all()
    assert len(entries) == 12 and all(e.status is EntryStatus.SUBMITTED and e.submitted_version for e in entries)
    loads = Counter((await db.scalars(select(Assignment.judge_id).where(Assignment.phase_id == judging.id))).all())
    assert sum(loads.values()) == 36 and len(loads) == 5 and max(loads.values()) - min(loads.values()) <= 1
    statuses = Counter((await db.scalars(select(Scorecard.status).where(Scorecard.phase_id == judging.id))).all())
    assert statuses[ScorecardStatus.FINAL] > 0 and statuses[ScorecardStatus.DRAFT] > 0

    awards = (await db.scalars(select(Award).where(Award.campaign_id == autumn.id))).all()
    assert len(awards) == 6
    winners = (await db.scalars(select(Team).where(Team.status == TeamStatus.WINNER))).all()
    assert {t.id for t in winners} == {a.team_id for a in awards}
    projects = (await db.scalars(select(IncubationProject))).all()
    assert sorted(p.status.value for p in projects) == sorted(s.value for s in ProjectStatus)  # every status
    milestones = (await db.scalars(select(Milestone))).all()
    outcomes = (await db.scalars(select(ProjectOutcome))).all()
    assert len(milestones) == 3 * len(projects) and any(m.done_at for m in milestones)
    assert len({o.measured_on for o in outcomes}) >= 4  # outcomes over time
    assert all(p.budget_approved is not None for p in projects if p.approved_at is not None)
    names = set((await db.scalars(select(User.name))).all())
    assert {"王芳", "李伟"} <= names
    assert await db.scalar(select(func.count(Department.id))) == 6
    await db.commit()


async def test_demo_people_sign_in_and_alice_sees_her_team(db: AsyncSession, browser: Browser) -> None:
    await load_demo(db, now=NOW)
    await db.commit()
    await browser.sign_in("alice@example.com", DEMO_PASSWORD)
    home = await browser.get("/")
    assert home.status_code == 200
    assert "Pick Right" in home.text and "2027 Spring Innovation Challenge" in home.text
    assert "Entry submitted" in home.text
    assert "/incubation/projects/" in home.text  # her autumn team's project
    # her entry was written over several versions, by her and Bob: the comparison shows the edits
    team = await db.scalar(select(Team).where(Team.name == "Pick Right"))
    assert team is not None
    numbers = (
        await db.scalars(
            select(EntryVersion.number).join(Entry, Entry.id == EntryVersion.entry_id).where(Entry.team_id == team.id)
        )
    ).all()
    await db.commit()
    assert sorted(numbers) == [1, 2, 3, 4]
    compared = await browser.get(f"/teams/{team.id}/entry/compare?old=1&new=2")
    assert compared.status_code == 200 and "<ins>" in compared.text and "<del>" in compared.text
    assert "Bob Nguyen" in compared.text and "Alice Martin" in compared.text
    await browser.sign_out()

    await browser.sign_in("judge1@example.com", DEMO_PASSWORD)
    assert "scorecards final" in (await browser.get("/")).text
    await browser.sign_out()

    await browser.sign_in("exec@example.com", DEMO_PASSWORD)
    incubation = await browser.get("/incubation")
    assert incubation.status_code == 200 and "Right-Size Boxes" in incubation.text
    assert "Proposals waiting for a decision" in incubation.text and "No proposal waits" not in incubation.text
    running = await db.scalar(select(IncubationProject).where(IncubationProject.status == ProjectStatus.RUNNING))
    assert running is not None
    await db.commit()
    page = (await browser.get(f"/incubation/projects/{running.id}")).text
    assert "<polyline" in page and "Overdue" in page and "better than planned" in page
    # the dashboard shows the realised value of the autumn projects on the first run: cost saved
    # 8,800 + 9,400 EUR, against the 12,000 + 9,000 EUR their KPI targets aim at
    dashboard = (await browser.get("/dashboard")).text
    assert "18,200.00 EUR" in dashboard and "21,000.00 EUR · 86.7% realised" in dashboard
    await browser.sign_out()

    await browser.sign_in("admin@example.com", DEMO_PASSWORD)
    assert "Logistics" in (await browser.get("/admin/departments")).text


async def test_the_demo_timeline_is_scheduled(db: AsyncSession) -> None:
    from core.scheduling import ActionState, ScheduledAction

    await load_demo(db, now=NOW)
    await db.commit()
    rows = (await db.execute(select(ScheduledAction.kind, ScheduledAction.due_at, ScheduledAction.state))).all()
    judging = await db.scalar(select(Phase).where(Phase.name == "Final judging"))
    await db.commit()
    assert judging is not None
    assert ("phase.close", judging.closes_at, ActionState.PENDING) in rows
    # the campaign in registration opens its submission phase later and reminds teams before it closes
    kinds = {"phase.close", "remind.judging", "results.publish", "phase.open", "remind.submission"}
    assert {kind for kind, _due, _state in rows} == kinds


async def test_the_demo_board_is_filled_and_a_captain_has_requests_to_answer(
    db: AsyncSession, browser: Browser
) -> None:
    await load_demo(db, now=NOW)
    campaign = await db.scalar(select(Campaign).where(Campaign.title == "2027 Customer Delight Challenge"))
    team = await db.scalar(select(Team).where(Team.name == "Happy Returns"))
    await db.commit()
    assert campaign is not None and team is not None
    await browser.sign_in("li.wei@example.com", DEMO_PASSWORD)
    board = await browser.get(f"/campaigns/{campaign.id}/board")
    assert "Yusuf Demir" in board.text and "Lean" in board.text
    # his skills meet what Happy Returns looks for, and he would bring Engineering to an HR team
    suggested = board.text[board.text.index("Teams for you") :]
    assert "Happy Returns" in suggested
    teams = await browser.get(f"/campaigns/{campaign.id}/board?show=teams")
    assert "Voice of the Customer" in teams.text and "Chatbot Crew" in teams.text
    await browser.sign_out()
    await browser.sign_in("sun.li@example.com", DEMO_PASSWORD)
    page = await browser.get(f"/teams/{team.id}")
    assert "did a UX course" in page.text and "Accept" in page.text
    assert "People for your team" in page.text


async def test_the_demo_has_a_chinese_and_an_english_entry_that_the_similar_panel_pairs(
    db: AsyncSession, browser: Browser
) -> None:
    await load_demo(db, now=NOW)
    await db.commit()
    team = await db.scalar(select(Team).where(Team.name == "Recon Robots"))
    assert team is not None
    await browser.sign_in("wang.fang@example.com", DEMO_PASSWORD)
    panel = await browser.get(f"/teams/{team.id}/entry/similar")
    assert panel.status_code == 200
    assert "Daily soft close" in panel.text and "Close Crew" in panel.text
    assert "Recon Robots" not in panel.text  # never the team's own entry
    await browser.sign_out()
    await browser.sign_in("organizer@example.com", DEMO_PASSWORD)
    listed = await browser.get(f"/campaigns/{team.campaign_id}/entries?q=Close+Crew")
    assert listed.status_code == 200 and "每日软关账" in listed.text

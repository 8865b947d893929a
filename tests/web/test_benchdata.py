"""`kaizen bench seed`: the documented counts, the same data from the same seed, and known
accounts that sign in and open every main page."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Department, User
from campaigns.models import Campaign, CampaignStatus, Challenge, Phase, PhaseKind, PhaseStatus
from core.engine import make_engine
from judging.models import Assignment, Criterion, Score, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team
from tests.conftest import NOW, Browser
from web.benchdata.seeding import add_storm_campaign
from web.cli import main

SEED = 3


def _seed(tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    env = {"KAIZEN_VAR_DIR": str(tmp_path), "KAIZEN_ENV": "development"}
    command = ["bench", "seed", "--size", "M", "--seed", str(SEED), "--database-url", url, "--now", NOW.isoformat()]
    result = CliRunner().invoke(main, [*command, *args], env=env, catch_exceptions=False)
    return result.exit_code, result.output


async def _count(db: AsyncSession, model: type, *where: ColumnElement[bool]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _digest(url: str) -> str:
    """What the seed decides: people, entries and every score."""
    engine = make_engine(url, immediate=False)
    digest = hashlib.sha256()
    async with engine.connect() as conn:
        for stmt in (
            select(User.email, User.name, User.department_id).order_by(User.id),
            select(Entry.team_id, Entry.title, Entry.summary).order_by(Entry.id),
            select(Membership.team_id, Membership.user_id).order_by(Membership.id),
            select(Score.scorecard_id, Score.criterion_id, Score.value).order_by(Score.id),
        ):
            for row in await conn.execute(stmt):
                digest.update(repr(tuple(row)).encode())
    await engine.dispose()
    return digest.hexdigest()


async def test_seed_m_gives_the_documented_data_and_every_main_page_opens(
    db: AsyncSession, browser: Browser, database_url: str, tmp_path: Path
) -> None:
    code, output = await asyncio.to_thread(_seed, tmp_path, database_url)
    assert code == 0, output
    assert "Seeded size M" in output

    # the documented counts (docs/development.md): 1,500 people in 12 departments; a running
    # campaign of 10 challenges, 300 teams of 1-5 with 3 versions each, 30 judges, k = 3,
    # 6 criteria, 900 scorecards; two past campaigns of 60 teams each
    assert await _count(db, User) == 1_500
    assert await _count(db, Department) == 12
    running = await db.scalar(select(Campaign).where(Campaign.status == CampaignStatus.PUBLISHED))
    assert running is not None
    assert await _count(db, Campaign, Campaign.status == CampaignStatus.CLOSED) == 2
    judging = await db.scalar(select(Phase).where(Phase.campaign_id == running.id, Phase.kind == PhaseKind.JUDGING))
    assert judging is not None and judging.status is PhaseStatus.OPEN and judging.required_judges == 3
    assert judging.opens_at <= NOW < judging.closes_at
    assert await _count(db, Challenge, Challenge.campaign_id == running.id) == 10
    assert await _count(db, Criterion, Criterion.phase_id == judging.id) == 6
    assert await _count(db, Team, Team.campaign_id == running.id) == 300
    assert await _count(db, Entry, Entry.phase_id == judging.judges_phase_id) == 300
    assert await _count(db, EntryVersion) == 300 * 3 + 2 * 60
    assert await _count(db, Assignment, Assignment.phase_id == judging.id) == 900
    assert await _count(db, Scorecard, Scorecard.phase_id == judging.id) == 900
    finals = await _count(db, Scorecard, Scorecard.phase_id == judging.id, Scorecard.status == ScorecardStatus.FINAL)
    assert 0.8 * 900 < finals < 900
    assert await _count(db, Team) == 300 + 2 * 60
    sizes = (
        (
            await db.execute(
                select(func.count())
                .select_from(Membership)
                .where(Membership.campaign_id == running.id)
                .group_by(Membership.team_id)
            )
        )
        .scalars()
        .all()
    )
    assert min(sizes) >= 1 and max(sizes) <= 5

    # the same seed gives the same data, in another database
    other = f"sqlite+aiosqlite:///{tmp_path / 'again.sqlite3'}"
    code, output = await asyncio.to_thread(_seed, tmp_path, other)
    assert code == 0, output
    assert await _digest(other) == await _digest(database_url)

    # an existing database is refused
    code, output = await asyncio.to_thread(_seed, tmp_path, database_url)
    assert code != 0 and "empty database" in output

    alice = await db.scalar(select(User.id).where(User.email == "alice@example.com"))
    team = await db.scalar(select(Team.id).where(Team.campaign_id == running.id, Team.captain_id == alice))
    judge1 = await db.scalar(select(User.id).where(User.email == "judge1@example.com"))
    judged = await db.scalar(
        select(func.min(Assignment.entry_id)).where(Assignment.phase_id == judging.id, Assignment.judge_id == judge1)
    )
    assert team is not None and judged is not None
    await db.commit()
    c, p = running.id, judging.id
    pages = {
        "alice@example.com": ["/health", "/", f"/campaigns/{c}", f"/teams/{team}", f"/teams/{team}/entry"],
        "judge1@example.com": ["/judging", f"/judging/{p}/entries/{judged}"],
        "organizer@example.com": [
            f"/campaigns/{c}/results",
            f"/campaigns/{c}/phases/{p}/advancement",
            f"/campaigns/{c}/phases/{p}/assignments",
            f"/campaigns/{c}/phases/{p}/progress",
        ],
        "admin@example.com": ["/admin/users"],
        "exec@example.com": ["/incubation"],
    }
    for email, paths in pages.items():
        await browser.sign_in(email, "kaizen-demo")
        for path in paths:
            response = await browser.get(path)
            assert response.status_code == 200, (email, path, response.status_code)
        await browser.sign_out()

    # the deadline storm's campaign (bench/writes.py): its own captains, its submission running
    storm = await add_storm_campaign(database_url, teams=2, tag="test", now=NOW)
    email, storm_team = storm.captains[1]
    await browser.sign_in(email, "kaizen-demo")
    fields = {"title": "Storm entry", "summary": "In time.", "problem": "A deadline.", "solution": "Submit."}
    response = await browser.post(f"/teams/{storm_team}/entry/submit", {"phase_id": storm.submission, **fields})
    landing = await browser.landing(response)
    assert "Your entry is submitted" in landing.text
    entry = await db.scalar(select(Entry).where(Entry.team_id == storm_team))
    assert entry is not None and entry.status is EntryStatus.SUBMITTED and entry.phase_id == storm.submission

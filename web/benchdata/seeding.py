"""Seeding a database for the benchmarks (``kaizen bench seed``): a size from ``sizes`` into an
empty, migrated database, or the demo for size S, and a campaign for the deadline storm."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from accounts.models import Department, User
from accounts.passwords import hash_password
from automation.sync import replan
from campaigns.models import (
    Campaign,
)
from core.engine import make_engine
from judging.models import Assignment, Score, Scorecard
from teams.models import Entry, EntryVersion, Membership, Team, TeamStatus
from web.benchdata.rows import Seeder, add_campaign, add_teams, move_sequences
from web.benchdata.sizes import FIRST_NAMES, LAST_NAMES, SIZES, BenchSize
from web.demo import DEMO_PASSWORD, load_demo


async def seed_size(conn: AsyncConnection, size: BenchSize, seed: int, now: datetime) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 - generated bench data, not security
    s = Seeder(conn, size, now, rng, hash_password(DEMO_PASSWORD))  # one argon2 hash for every account
    await s.start_ids()
    departments = [await s.add(Department, name=f"Department {n + 1:02d}") for n in range(size.departments)]
    known = [
        ("admin@example.com", "admin"),
        ("exec@example.com", "executive"),
        ("organizer@example.com", ""),
        *((f"judge{n + 1}@example.com", "") for n in range(size.judges)),
        ("alice@example.com", ""),
    ]
    people: list[int] = []
    for n in range(size.employees):
        email, role = known[n] if n < len(known) else (f"employee{n:06d}@example.com", "")
        name = (
            "Alice Martin" if email.startswith("alice@") else f"{s.rng.choice(FIRST_NAMES)} {s.rng.choice(LAST_NAMES)}"
        )
        people.append(
            await s.add(
                User,
                email=email,
                name=name,
                password_hash=s.password_hash,
                department_id=departments[n % len(departments)],
                is_admin=role == "admin",
                is_executive=role == "executive",
                is_active=True,
            )
        )
    executive, organizer = people[1], people[2]
    s.executive = executive
    judges = people[3 : 3 + size.judges]
    participants = people[3 + size.judges :]  # alice first
    if len(participants) < size.teams * 3:
        raise ValueError(f"size {size.name}: too few employees for {size.teams} teams")

    running = await add_campaign(s, "2027 Company-wide Innovation Challenge", executive, organizer, judges, past=False)
    await add_teams(s, running, participants, size.teams, judges, past=False)
    for year, share in ((2026, 0.5), (2025, 0.4)):
        past = await add_campaign(s, f"{year} Autumn Cost Challenge", executive, organizer, judges[:30], past=True)
        await add_teams(s, past, participants[1:], size.past_teams, judges[:30], past=True, award_share=share)
    await s.flush()
    return s.counts


@dataclass(frozen=True)
class StormCampaign:
    """A campaign in its submission phase, for the deadline storm (bench/storm.py)."""

    campaign: int
    submission: int
    captains: list[tuple[str, int]]  # e-mail, team id: teams of one, no entry yet


async def add_storm_campaign(database_url: str, *, teams: int, tag: str, now: datetime | None = None) -> StormCampaign:
    """Adds a campaign whose submission runs, with ``teams`` new captains (storm-``tag``-n@example.com)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            s = Seeder(conn, SIZES["M"], now, random.Random(tag), hash_password(DEMO_PASSWORD))  # noqa: S311
            await s.start_ids()
            department = await conn.scalar(select(Department.__table__.c.id).limit(1))
            emails = [f"storm-{tag}-{n + 1:04d}@example.com" for n in range(teams)]
            captains = [
                await s.add(
                    User,
                    email=email,
                    name=f"Storm captain {n + 1}",
                    password_hash=s.password_hash,
                    department_id=department,
                    is_admin=False,
                    is_executive=False,
                    is_active=True,
                )
                for n, email in enumerate(emails)
            ]
            organizer = await conn.scalar(
                select(User.__table__.c.id).where(User.__table__.c.email == "organizer@example.com")
            )
            s.executive = int(organizer or captains[0])
            c = await add_campaign(
                s, f"Deadline storm {tag}", s.executive, s.executive, [], past=False, in_submission=True
            )
            team_ids = []
            for n, captain in enumerate(captains):
                team = await s.add(
                    Team,
                    campaign_id=c.id,
                    challenge_id=c.challenges[n % len(c.challenges)],
                    name=f"Storm team {n + 1:04d}",
                    name_key=f"storm team {n + 1:04d}",
                    captain_id=captain,
                    status=TeamStatus.ACTIVE,
                )
                await s.add(Membership, team_id=team, campaign_id=c.id, user_id=captain)
                team_ids.append(team)
            await s.flush()
            await move_sequences(conn, s.counts)
        return StormCampaign(c.id, c.submission, list(zip(emails, team_ids, strict=True)))
    finally:
        await engine.dispose()


async def seed_database(
    database_url: str, size_name: str, *, seed: int = 1, now: datetime | None = None
) -> dict[str, int]:
    """Seeds ``size_name`` into an empty, migrated database; returns the rows written per table."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            if await conn.scalar(select(func.count()).select_from(User.__table__)):
                raise ValueError("The database already has accounts; bench data goes into an empty database.")
        maker = async_sessionmaker(engine, expire_on_commit=False)
        if size_name == "S":
            async with maker() as session, session.begin():
                await load_demo(session, now)
            async with engine.connect() as conn:
                return await _table_counts(conn)
        size = SIZES[size_name]
        async with engine.begin() as conn:
            counts = await seed_size(conn, size, seed, now)
            await move_sequences(conn, counts)
        async with maker() as session, session.begin():
            await _replan_all(session)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                await conn.execute(text("COMMIT"))
                await conn.execute(text("ANALYZE"))  # as autovacuum would soon after a bulk load
        return counts
    finally:
        await engine.dispose()


async def _replan_all(session: AsyncSession) -> None:
    for campaign_id in await session.scalars(select(Campaign.id)):
        await replan(session, campaign_id)  # the scheduler's actions, as publishing would have planned them


async def _table_counts(conn: AsyncConnection) -> dict[str, int]:
    tables = (User, Team, Entry, EntryVersion, Assignment, Scorecard, Score)
    return {m.__tablename__: int(await conn.scalar(select(func.count()).select_from(m.__table__)) or 0) for m in tables}


def timed_seed(
    database_url: str, size_name: str, *, seed_value: int, now: datetime | None
) -> tuple[dict[str, int], float]:
    import asyncio

    start = time.perf_counter()
    counts = asyncio.run(seed_database(database_url, size_name, seed=seed_value, now=now))
    return counts, time.perf_counter() - start

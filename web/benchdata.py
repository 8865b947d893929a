"""Generated data at company scale for the benchmarks (``kaizen bench seed``).

Sizes: S is the demo (web/demo.py); M, XL and XXL are generated from a seed into an empty,
migrated database: one running campaign in its judging phase (every entry submitted in 3
versions, k judges each, one scorecard per assignment, most of them final) and two past
campaigns with published results, awards and incubation projects. Rows go in through
SQLAlchemy Core in batches (executemany) with ids chosen here, so the seeding takes seconds.

Known accounts, all with the demo password: admin@, exec@, organizer@ (organizes every
campaign), judge1@ … judgeN@ (the pool of the running campaign), and alice@, the captain of the
running campaign's first team. The other people are employee000001@example.com and so on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from accounts.models import Department, User
from accounts.passwords import hash_password
from automation.sync import replan
from campaigns.models import (
    AdvancementRule,
    Campaign,
    CampaignRole,
    CampaignRoleKind,
    CampaignStatus,
    Challenge,
    NormalisationMode,
    Phase,
    PhaseKind,
    PhaseStatus,
    RankingScope,
)
from core.engine import make_engine
from incubation.models import IncubationProject, ProjectStatus
from judging.models import Assignment, AssignmentSource, Award, Criterion, Score, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team, TeamStatus
from web.demo import DEMO_PASSWORD, load_demo

DAY = timedelta(days=1)
BATCH = 5_000
DRAFT_SHARE = 0.1  # scorecards of the running campaign still in draft


@dataclass(frozen=True)
class BenchSize:
    name: str
    employees: int  # every account, the known ones included
    departments: int
    challenges: int
    teams: int  # = entries of the running campaign
    judges: int
    past_teams: int  # in each of the two past campaigns
    criteria: int = 6
    judges_per_entry: int = 3
    versions: int = 3


SIZES: dict[str, BenchSize] = {
    "M": BenchSize("M", employees=1_500, departments=12, challenges=10, teams=300, judges=30, past_teams=60),
    "XL": BenchSize("XL", employees=25_000, departments=40, challenges=20, teams=5_000, judges=300, past_teams=500),
    "XXL": BenchSize("XXL", employees=100_000, departments=40, challenges=20, teams=6_000, judges=300, past_teams=600),
}

_FIRST = (  # noqa: SIM905 - words read better as a sentence than as a column
    "Alex Maria Jonas Priya Wei Fatima Lucas Sofia Kenji Amara Noah Elena Omar Lin Mateo Aisha Ivan Chloe "
    "Tariq Mei Daniel Nora Ravi Hana Samuel Ines Yusuf Freya Diego Zara"
).split()
_LAST = (  # noqa: SIM905 - words read better as a sentence than as a column
    "Schmidt Chen Okafor Rossi Nguyen Kowalski Haddad Lindqvist Tanaka Moreau Patel Garcia Novak Ibrahim "
    "Müller Walsh Kim Demir Silva Brooks Zhang Mensah Petrov Alvarez Singh Hoffmann Larsen Costa Wang "
    "Dubois"
).split()
_WORDS = (  # noqa: SIM905 - words read better as a sentence than as a column
    "pilot warehouse customer invoice scanner route shift supplier dashboard forecast onboarding energy "
    "waste returns checklist training sensor workflow approval ticket backlog quality audit batch label "
    "schedule inventory pallet contract feedback survey prototype handover delay cost margin churn "
    "rollout site team process data manual automatic weekly monthly faster cheaper safer simpler"
).split()
_FEEDBACK = (
    "Clear problem statement and a prototype we could try. Quantify the baseline a bit more.",
    "Strong idea. The rollout plan for the other sites is thin; who owns it after the pilot?",
    "Good evidence from the pilot week. Consider the cost of maintaining it over a year.",
    "Convincing user quotes. I would like to see the effect on the KPI, not only on satisfaction.",
)
_CRITERIA = (
    ("Impact", 3.0),
    ("Feasibility", 2.0),
    ("Originality", 1.0),
    ("Evidence", 2.0),
    ("Cost", 1.0),
    ("Scalability", 1.0),
    ("Risk", 1.0),
    ("Clarity", 1.0),
)


# in the order their rows are written: parents first
MODELS: tuple[Any, ...] = (
    Department,
    User,
    Campaign,
    CampaignRole,
    Challenge,
    Phase,
    Criterion,
    Team,
    Membership,
    Entry,
    EntryVersion,
    Assignment,
    Scorecard,
    Score,
    Award,
    IncubationProject,
)


@dataclass
class _Campaign:
    id: int
    submission: int
    judging: int
    challenges: list[int]
    criteria: list[int]


@dataclass
class Seeder:
    """Builds the rows in memory, batch by batch, and writes them through one connection."""

    conn: AsyncConnection
    size: BenchSize
    now: datetime
    rng: random.Random
    password_hash: str
    executive: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    _next: dict[str, int] = field(default_factory=dict)
    _pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    async def start_ids(self) -> None:
        for model in MODELS:
            table: Table = model.__table__
            self._next[table.name] = int(await self.conn.scalar(select(func.max(table.c.id))) or 0) + 1

    async def add(self, model: Any, **values: Any) -> int:
        """Queues one row (ids chosen here, timestamps the seeding's) and returns its id."""
        table: Table = model.__table__
        row_id = self._next[table.name]
        self._next[table.name] += 1
        rows = self._pending.setdefault(table.name, [])
        rows.append({"id": row_id, "created_at": self.now, "updated_at": self.now, **values})
        if len(rows) >= BATCH:
            await self.flush()
        return row_id

    async def flush(self) -> None:
        """Writes every queued row, parents before children (foreign keys are checked)."""
        for model in MODELS:
            table: Table = model.__table__
            rows = self._pending.pop(table.name, [])
            if rows:
                await self.conn.execute(insert(table), rows)
                self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def text(self, words: int) -> str:
        return " ".join(self.rng.choices(_WORDS, k=words)).capitalize() + "."


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
        name = "Alice Martin" if email.startswith("alice@") else f"{s.rng.choice(_FIRST)} {s.rng.choice(_LAST)}"
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

    running = await _campaign(s, "2027 Company-wide Innovation Challenge", executive, organizer, judges, past=False)
    await _teams(s, running, participants, size.teams, judges, past=False)
    for year, share in ((2026, 0.5), (2025, 0.4)):
        past = await _campaign(s, f"{year} Autumn Cost Challenge", executive, organizer, judges[:30], past=True)
        await _teams(s, past, participants[1:], size.past_teams, judges[:30], past=True, award_share=share)
    await s.flush()
    return s.counts


async def _campaign(
    s: Seeder,
    title: str,
    executive: int,
    organizer: int,
    judges: list[int],
    *,
    past: bool,
    in_submission: bool = False,
) -> _Campaign:
    base = s.now.replace(minute=0, second=0, microsecond=0) - (300 * DAY if past else timedelta(0))
    campaign = await s.add(
        Campaign,
        title=title,
        description=s.text(60),
        sponsor_id=executive,
        timezone="Europe/Berlin",
        status=CampaignStatus.CLOSED if past else CampaignStatus.PUBLISHED,
        all_staff_eligible=True,
        min_team_size=1,
        max_team_size=5,
        show_judge_names=False,
        show_ranks=True,
        published_at=base - 35 * DAY,
        results_published_at=base + 13 * DAY if past else None,
        reminder_hours="24,1",
    )
    await s.add(CampaignRole, campaign_id=campaign, user_id=organizer, role=CampaignRoleKind.ORGANIZER)
    for judge in judges:
        await s.add(CampaignRole, campaign_id=campaign, user_id=judge, role=CampaignRoleKind.JUDGE)
    challenges = [
        await s.add(
            Challenge,
            campaign_id=campaign,
            title=f"Challenge {n + 1}: {s.text(5)}",
            description=s.text(80),
            expected_impact=s.text(20),
            resources=s.text(20),
            owner_id=executive,
            position=n,
        )
        for n in range(s.size.challenges)
    ]
    closed, running, pending = PhaseStatus.CLOSED, PhaseStatus.OPEN, PhaseStatus.PENDING
    timeline = [
        (PhaseKind.REGISTRATION, "Team registration", -30, -16, closed),
        (PhaseKind.SUBMISSION, "Prototype submission", -16, -2, closed),
        (PhaseKind.JUDGING, "Final judging", -2, 5, closed if past else running),
        (PhaseKind.RESULTS, "Results", 12, 60, closed if past else pending),
    ]
    if in_submission:  # bench/storm.py moves the submission's close to the instant it needs
        timeline = [
            (PhaseKind.REGISTRATION, "Team registration", -30, -16, closed),
            (PhaseKind.SUBMISSION, "Prototype submission", -16, 30, running),
            (PhaseKind.JUDGING, "Final judging", 31, 40, pending),
            (PhaseKind.RESULTS, "Results", 45, 60, pending),
        ]
    ids: dict[PhaseKind, int] = {}
    for n, (kind, name, opens, closes, status) in enumerate(timeline):
        ids[kind] = await s.add(
            Phase,
            campaign_id=campaign,
            kind=kind,
            name=name,
            position=n,
            opens_at=base + opens * DAY,
            closes_at=base + closes * DAY,
            grace_minutes=0,
            status=status,
            judges_phase_id=ids[PhaseKind.SUBMISSION] if kind is PhaseKind.JUDGING else None,
            required_judges=s.size.judges_per_entry,
            normalisation=NormalisationMode.NONE,
            ranking_scope=RankingScope.CAMPAIGN,
            advancement_rule=AdvancementRule.MANUAL,
            advancement_value=None,
            department_conflict=False,
            advancement_applied_at=None,
        )
    criteria = [
        await s.add(
            Criterion,
            phase_id=ids[PhaseKind.JUDGING],
            name=name,
            guidance=s.text(12),
            weight=weight,
            scale_min=1,
            scale_max=5,
            position=n,
            descriptors={"1": "Weak", "3": "Solid", "5": "Outstanding"},
        )
        for n, (name, weight) in enumerate(_CRITERIA[: s.size.criteria])
    ]
    return _Campaign(campaign, ids[PhaseKind.SUBMISSION], ids[PhaseKind.JUDGING], challenges, criteria)


async def _teams(
    s: Seeder,
    c: _Campaign,
    pool: list[int],
    count: int,
    judges: list[int],
    *,
    past: bool,
    award_share: float = 0.0,
) -> None:
    members = [pool[0], *s.rng.sample(pool[1:], min(len(pool) - 1, count * 5))]
    cursor = 0
    versions = 1 if past else s.size.versions
    k = s.size.judges_per_entry
    leniency = {judge: s.rng.uniform(-0.6, 0.6) for judge in judges}
    winners: dict[int, int] = {}  # challenge -> team
    for n in range(count):
        size = s.rng.randint(1, 5)
        team_members = members[cursor : cursor + size]
        cursor += size
        challenge = c.challenges[n % len(c.challenges)]
        won = past and challenge not in winners and n < len(c.challenges) * 2
        team = await s.add(
            Team,
            campaign_id=c.id,
            challenge_id=challenge,
            name=f"Team {n + 1:05d}",
            name_key=f"team {n + 1:05d}",
            captain_id=team_members[0],
            status=TeamStatus.WINNER if won else TeamStatus.ACTIVE,
        )
        if won:
            winners[challenge] = team
        for person in team_members:
            await s.add(Membership, team_id=team, campaign_id=c.id, user_id=person)
        submitted_at = s.now - 2 * DAY - timedelta(minutes=7 * n + 30) - (300 * DAY if past else timedelta(0))
        fields = {
            "title": f"{s.text(4)[:-1]} ({n + 1})",
            "summary": s.text(30),
            "problem": s.text(90),
            "solution": s.text(120),
            "expected_impact": s.text(40),
            "prototype_url": f"https://prototypes.example.com/team-{n + 1}",
            "video_url": f"https://video.example.com/team-{n + 1}" if n % 3 == 0 else "",
        }
        entry = await s.add(
            Entry,
            team_id=team,
            phase_id=c.submission,
            status=EntryStatus.SUBMITTED,
            submitted_version=versions,
            submitted_at=submitted_at,
            **fields,
        )
        for number in range(1, versions + 1):
            last = number == versions
            draft = {name: value[: len(value) * number // versions] for name, value in fields.items()}
            await s.add(
                EntryVersion,
                entry_id=entry,
                number=number,
                author_id=team_members[(number - 1) % len(team_members)],
                submitted=last,
                saved_at=submitted_at - (versions - number) * DAY,
                **(fields if last else draft),
            )
        quality = s.rng.gauss(3.0, 0.7)
        for j in range(k):
            judge = judges[(k * n + j) % len(judges)]
            await s.add(
                Assignment, phase_id=c.judging, entry_id=entry, judge_id=judge, source=AssignmentSource.AUTOMATIC
            )
            final = past or s.rng.random() >= DRAFT_SHARE
            card = await s.add(
                Scorecard,
                phase_id=c.judging,
                entry_id=entry,
                judge_id=judge,
                status=ScorecardStatus.FINAL if final else ScorecardStatus.DRAFT,
                feedback=_FEEDBACK[(n + j) % len(_FEEDBACK)] if final else "",
                private_note="",
                finalised_at=submitted_at + (n % 40 + 1) * timedelta(hours=1) if final else None,
            )
            for criterion in c.criteria if final else c.criteria[:2]:
                value = round(quality + leniency[judge] + s.rng.gauss(0, 0.6))
                await s.add(Score, scorecard_id=card, criterion_id=criterion, value=min(5, max(1, value)))
    published = s.now - 300 * DAY + 13 * DAY
    for challenge, team in winners.items():
        await s.add(
            Award,
            campaign_id=c.id,
            challenge_id=challenge,
            name=f"Winner: challenge {c.challenges.index(challenge) + 1}",
            team_id=team,
            citation=s.text(15),
            approved_by_id=s.executive,
            approved_at=published - DAY,
        )
        if s.rng.random() < award_share:
            requested = Decimal(s.rng.randrange(10_000, 90_000, 1_000))
            await s.add(
                IncubationProject,
                campaign_id=c.id,
                team_id=team,
                title=f"Rollout of team {team}",
                description=s.text(40),
                sponsor_id=s.executive,
                budget_requested=requested,
                budget_approved=requested - Decimal(5_000),
                status=s.rng.choice([ProjectStatus.RUNNING, ProjectStatus.IMPLEMENTED, ProjectStatus.APPROVED]),
                approved_by_id=s.executive,
                approved_at=published + 5 * DAY,
            )


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
            c = await _campaign(
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
            await _move_sequences(conn, s.counts)
        return StormCampaign(c.id, c.submission, list(zip(emails, team_ids, strict=True)))
    finally:
        await engine.dispose()


async def _move_sequences(conn: AsyncConnection, tables: Iterable[str]) -> None:
    """PostgreSQL: ids were chosen here, so each sequence moves past them."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            await conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608 - our table names
            )


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
            await _move_sequences(conn, counts)
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

"""The rows of the generated bench data: a ``Seeder`` that queues rows with ids chosen here and
writes them in batches, and the campaigns and teams it builds (a running one, past ones)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from accounts.models import Department, User
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
from incubation.models import IncubationProject, OutcomeKind, ProjectOutcome, ProjectStatus
from judging.models import Assignment, AssignmentSource, Award, Criterion, Score, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team, TeamStatus
from web.benchdata.sizes import BATCH, CRITERIA, DAY, DRAFT_SHARE, FEEDBACK, WORDS, BenchSize

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
    ProjectOutcome,
)


@dataclass
class SeededCampaign:
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
        return " ".join(self.rng.choices(WORDS, k=words)).capitalize() + "."


async def add_campaign(
    s: Seeder,
    title: str,
    executive: int,
    organizer: int,
    judges: list[int],
    *,
    past: bool,
    in_submission: bool = False,
) -> SeededCampaign:
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
        for n, (name, weight) in enumerate(CRITERIA[: s.size.criteria])
    ]
    return SeededCampaign(campaign, ids[PhaseKind.SUBMISSION], ids[PhaseKind.JUDGING], challenges, criteria)


async def add_teams(
    s: Seeder,
    c: SeededCampaign,
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
                feedback=FEEDBACK[(n + j) % len(FEEDBACK)] if final else "",
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
            project = await s.add(
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
                kpi_name="Savings",
                kpi_unit="EUR",
                kpi_baseline=Decimal(0),
                kpi_target=requested,
            )
            # outcomes measured over time, in two units (no random draw: the rest of the data stays as seeded before)
            for k in range(6):
                kind, unit = (OutcomeKind.COST_SAVED, "EUR") if k % 2 == 0 else (OutcomeKind.HOURS_SAVED, "h")
                await s.add(
                    ProjectOutcome,
                    project_id=project,
                    kind=kind,
                    unit=unit,
                    value=Decimal(1_000 + 250 * ((team + k) % 7)),
                    measured_on=(published + (20 + 14 * k) * DAY).date(),
                    note="",
                )


async def move_sequences(conn: AsyncConnection, tables: Iterable[str]) -> None:
    """PostgreSQL: ids were chosen here, so each sequence moves past them."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            await conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608 - our table names
            )

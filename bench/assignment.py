"""Automatic judge assignment at scale: 5,000 entries, 300 judges, k = 3.

Teams of 1–4 members in 15 departments across 20 challenges; 30 judges limited to two
challenges each, 250 declared conflicts, some judges in teams, the department rule on.

1. ``judging.assignment_rules.solve`` in memory (the OR-Tools min-cost flow): solve time, load spread;
   then every judge limited to one challenge, 15 judges a challenge, challenges of very unequal
   size (challenge c draws c + 1 shares of the entries): the loads cannot be even across
   challenges, but within each challenge they differ by at most one (printed: the largest
   spread inside one challenge's judges).
2. ``judging.assigning.auto_assign`` against a fresh SQLite file (skip with ``--no-db``): the time
   of the whole service (reading the pool, solving, writing 15,000 rows, the audit row), first
   run and re-run.

    .venv/bin/python bench/assignment.py [--no-db] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.assignment_rules import EntrySpec, JudgeSpec, Plan, solve

ENTRIES, JUDGES, K, CHALLENGES, DEPARTMENTS = 5_000, 300, 3, 20, 15


@dataclass
class World:
    entries: list[EntrySpec]
    judges: list[JudgeSpec]
    declared: set[tuple[int, int]]
    members: dict[int, list[int]]  # entry id -> member user ids (judges among them)
    departments: dict[int, int]  # user id -> department


def world(seed: int) -> World:
    rng = random.Random(seed)
    departments = {j: rng.randrange(DEPARTMENTS) for j in range(1, JUDGES + 1)}
    judges = [
        JudgeSpec(
            id=j,
            department_id=departments[j],
            challenges=frozenset(rng.sample(range(CHALLENGES), 2)) if j <= 30 else None,
        )
        for j in range(1, JUDGES + 1)
    ]
    entries: list[EntrySpec] = []
    members: dict[int, list[int]] = {}
    next_user = 10_000
    for e in range(1, ENTRIES + 1):
        people = []
        for _ in range(rng.randint(1, 4)):
            next_user += 1
            departments[next_user] = rng.randrange(DEPARTMENTS)
            people.append(next_user)
        if rng.random() < 0.02:  # a judge in this team
            people.append(rng.randint(1, JUDGES))
        members[e] = people
        entries.append(
            EntrySpec(
                id=e,
                challenge_id=rng.randrange(CHALLENGES),
                members=frozenset(people),
                departments=frozenset(departments[p] for p in people),
            )
        )
    declared = {(rng.randint(1, ENTRIES), rng.randint(1, JUDGES)) for _ in range(250)}
    return World(entries, judges, declared, members, departments)


def unequal(seed: int) -> tuple[list[EntrySpec], list[JudgeSpec]]:
    rng = random.Random(seed)
    judges = [JudgeSpec(id=j, challenges=frozenset({j % CHALLENGES})) for j in range(1, JUDGES + 1)]
    weights = [c + 1 for c in range(CHALLENGES)]
    entries = [EntrySpec(id=e, challenge_id=rng.choices(range(CHALLENGES), weights)[0]) for e in range(1, ENTRIES + 1)]
    return entries, judges


def report(label: str, plan: Plan, elapsed: float) -> None:
    print(
        f"  {label}: {elapsed:6.2f} s, {len(plan.pairs)} pairs, load min {min(plan.loads.values())} "
        f"max {max(plan.loads.values())} (spread {plan.spread}), {len(plan.short)} entries short, "
        f"{plan.missing} judges missing"
    )


def in_memory(w: World, seed: int) -> None:
    print(f"solve() in memory: {ENTRIES} entries, {JUDGES} judges, k = {K}")
    for rule in (False, True):
        start = time.perf_counter()
        plan = solve(w.entries, w.judges, K, declared=w.declared, department_rule=rule, seed=seed)
        report(f"department rule {'on ' if rule else 'off'}", plan, time.perf_counter() - start)
    entries, judges = unequal(seed)
    start = time.perf_counter()
    plan = solve(entries, judges, K, seed=seed)
    elapsed = time.perf_counter() - start
    report("one challenge per judge, unequal challenges", plan, elapsed)
    groups: dict[int, list[int]] = {}
    for judge in judges:
        groups.setdefault(min(judge.challenges or {0}), []).append(plan.loads[judge.id])
    print(f"    largest spread within one challenge: {max(max(g) - min(g) for g in groups.values())}")


async def against_sqlite(w: World, seed: int) -> None:
    from sqlalchemy import insert
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from accounts.models import Department, User
    from campaigns.models import CampaignRole, CampaignRoleKind, Phase
    from judging.assigning import auto_assign
    from judging.models import ConflictDeclaration, JudgeChallenge
    from teams.models import Entry, EntryStatus, Membership, Team
    from tests.conftest import NOW
    from tests.factories import make_campaign, make_user
    from web import migrate

    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    base = 1_000_000
    async with sessions() as db:
        org = await make_user(db, "org@bench.test")
        s = await make_campaign(db, organizer=org, stage="judging", challenges=CHALLENGES)
        s.judging.department_conflict = True
        challenge_ids = [c.id for c in s.challenges]
        await db.execute(insert(Department), [{"id": base + d, "name": f"Dept {d}"} for d in range(DEPARTMENTS)])
        await db.execute(
            insert(User),
            [
                {"id": base + u, "email": f"u{u}@bench.test", "name": f"U{u}", "department_id": base + d}
                for u, d in w.departments.items()
            ],
        )
        await db.execute(
            insert(CampaignRole),
            [{"campaign_id": s.campaign.id, "user_id": base + j.id, "role": CampaignRoleKind.JUDGE} for j in w.judges],
        )
        await db.execute(
            insert(JudgeChallenge),
            [
                {"campaign_id": s.campaign.id, "judge_id": base + j.id, "challenge_id": challenge_ids[c]}
                for j in w.judges
                for c in sorted(j.challenges or ())
            ],
        )
        teams, memberships, entries = [], [], []
        for e in w.entries:
            people = w.members[e.id]
            teams.append(
                {
                    "id": base + e.id,
                    "campaign_id": s.campaign.id,
                    "challenge_id": challenge_ids[e.challenge_id],
                    "name": f"Team {e.id}",
                    "name_key": f"team {e.id}",
                    "captain_id": base + people[0],
                }
            )
            memberships += [{"team_id": base + e.id, "campaign_id": s.campaign.id, "user_id": base + p} for p in people]
            entries.append(
                {
                    "id": base + e.id,
                    "team_id": base + e.id,
                    "phase_id": s.submission.id,
                    "status": EntryStatus.SUBMITTED,
                }
            )
        await db.execute(insert(Team), teams)
        # a judge is in one team per campaign at most
        seen: set[int] = set()
        unique = [m for m in memberships if not (m["user_id"] in seen or seen.add(m["user_id"]))]  # type: ignore[func-returns-value]
        await db.execute(insert(Membership), unique)
        await db.execute(insert(Entry), entries)
        await db.execute(
            insert(ConflictDeclaration),
            [
                {"phase_id": s.judging.id, "entry_id": base + e, "judge_id": base + j, "declared_at": NOW}
                for e, j in w.declared
            ],
        )
        await db.commit()
        phase_id, org_id = s.judging.id, org.id
    print(f"auto_assign() against SQLite ({ENTRIES} entries, {JUDGES} judges, k = {K}, department rule on)")
    for label in ("first run", "re-run   "):
        async with sessions() as db:
            phase = await db.get(Phase, phase_id)
            actor = await db.get(User, org_id)
            assert phase is not None and actor is not None
            start = time.perf_counter()
            result = await auto_assign(db, actor, NOW, phase, seed)
            await db.commit()
            elapsed = time.perf_counter() - start
        report(f"{label} (+{result.added} −{result.removed})", result.plan, elapsed)
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-db", action="store_true", help="skip the SQLite run")
    args = parser.parse_args()
    w = world(args.seed)
    in_memory(w, args.seed)
    if not args.no_db:
        asyncio.run(against_sqlite(w, args.seed))


if __name__ == "__main__":
    main()

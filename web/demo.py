"""Demo data, loaded idempotently by ``kaizen demo``.

Written straight to the models (one password hash for every account: argon2 is slow on
purpose), with every time relative to now: a running campaign in its judging phase, a past
campaign with awards and incubation projects, and a draft for the organizer to play with.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Department, User
from accounts.passwords import hash_password
from automation.sync import replan
from campaigns.models import (
    Campaign,
    CampaignRole,
    CampaignRoleKind,
    CampaignStatus,
    Challenge,
    Phase,
    PhaseKind,
    PhaseStatus,
)
from judging.models import Assignment, Criterion, Score, Scorecard, ScorecardStatus
from judging.published import take_snapshot
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team
from web.demo_board import board_campaign
from web.demo_content import (
    AUTUMN_CHALLENGES,
    AUTUMN_IDEAS,
    DEPARTMENTS,
    DRAFTS,
    FEEDBACK,
    PEOPLE,
    RUBRIC,
    SPRING_CHALLENGES,
    SPRING_IDEAS,
    Idea,
)
from web.demo_incubation import incubation_projects

DEMO_PASSWORD = "kaizen-demo"  # noqa: S105 - documented demo password, refused in production
DAY = timedelta(days=1)
DEMO_ACCOUNTS: list[tuple[str, str]] = [(email, role) for email, (_n, _d, role) in PEOPLE.items()]


def _slug(text: str) -> str:
    return "-".join(text.lower().replace("'", "").split())


class _Builder:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.db = session
        self.now = now
        self.users: dict[str, User] = {}
        self.rng = random.Random(2027)  # noqa: S311 - demo scores, not security

    async def people(self) -> None:
        departments = {name: Department(name=name) for name in DEPARTMENTS}
        self.db.add_all(departments.values())
        await self.db.flush()
        password_hash = hash_password(DEMO_PASSWORD)
        for email, (name, dept, role) in PEOPLE.items():
            self.users[email.split("@")[0]] = User(
                email=email,
                name=name,
                password_hash=password_hash,
                department_id=departments[dept].id,
                is_admin=role == "admin",
                is_executive=role == "executive",
                locale="zh_CN" if email == "wang.fang@example.com" else None,
            )
        self.db.add_all(self.users.values())
        await self.db.flush()

    async def campaign(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        published_days_ago: int | None,
        judges: list[str],
        challenges: list[tuple[str, str, str, str]],
        timeline: list[tuple[PhaseKind, str, int, int, PhaseStatus]],
    ) -> tuple[Campaign, list[Challenge], dict[PhaseKind, Phase], list[Criterion]]:
        campaign = Campaign(
            title=title,
            description=description,
            sponsor_id=self.users["exec"].id,
            timezone="Asia/Shanghai",
            status=status,
            min_team_size=2,
            max_team_size=4,
            published_at=None if published_days_ago is None else self.now - published_days_ago * DAY,
        )
        self.db.add(campaign)
        await self.db.flush()
        self.db.add(
            CampaignRole(campaign_id=campaign.id, user_id=self.users["organizer"].id, role=CampaignRoleKind.ORGANIZER)
        )
        self.db.add_all(
            CampaignRole(campaign_id=campaign.id, user_id=self.users[j].id, role=CampaignRoleKind.JUDGE) for j in judges
        )
        made = [
            Challenge(
                campaign_id=campaign.id,
                title=t,
                description=d,
                expected_impact=i,
                resources=r,
                owner_id=self.users["exec"].id,
                position=n,
            )
            for n, (t, d, i, r) in enumerate(challenges)
        ]
        self.db.add_all(made)
        base = self.now.replace(minute=0, second=0, microsecond=0)
        phases: dict[PhaseKind, Phase] = {}
        for n, (kind, name, opens, closes, state) in enumerate(timeline):
            phases[kind] = Phase(
                campaign_id=campaign.id,
                kind=kind,
                name=name,
                position=n,
                opens_at=base + opens * DAY,
                closes_at=base + closes * DAY,
                status=state,
            )
        self.db.add_all(phases.values())
        await self.db.flush()
        criteria: list[Criterion] = []
        if PhaseKind.JUDGING in phases:
            judging = phases[PhaseKind.JUDGING]
            judging.judges_phase_id = phases[PhaseKind.SUBMISSION].id
            for n, (name, weight, guidance, low, mid, high) in enumerate(RUBRIC):
                criteria.append(
                    Criterion(
                        phase_id=judging.id,
                        name=name,
                        guidance=guidance,
                        weight=weight,
                        scale_min=1,
                        scale_max=5,
                        position=n,
                        descriptors={"1": low, "3": mid, "5": high},
                    )
                )
            self.db.add_all(criteria)
            await self.db.flush()
        return campaign, made, phases, criteria

    async def teams(
        self, campaign: Campaign, challenges: list[Challenge], ideas: list[Idea], submission: Phase
    ) -> list[tuple[Team, Entry]]:
        per_challenge = len(ideas) // len(challenges)
        teams = [
            Team(
                campaign_id=campaign.id,
                challenge_id=challenges[n // per_challenge].id,
                name=idea.team,
                name_key=" ".join(idea.team.lower().split()),
                captain_id=self.users[idea.people[0]].id,
            )
            for n, idea in enumerate(ideas)
        ]
        self.db.add_all(teams)
        await self.db.flush()
        self.db.add_all(
            Membership(team_id=team.id, campaign_id=campaign.id, user_id=self.users[person].id)
            for team, idea in zip(teams, ideas, strict=True)
            for person in idea.people
        )
        entries: list[Entry] = []
        for n, (team, idea) in enumerate(zip(teams, ideas, strict=True)):
            fields = {
                "title": idea.title,
                "summary": idea.summary,
                "problem": idea.problem,
                "solution": idea.solution,
                "expected_impact": idea.impact,
                "prototype_url": f"https://prototypes.example.com/{_slug(idea.team)}",
                "video_url": f"https://video.example.com/{_slug(idea.team)}" if n % 3 == 0 else "",
            }
            drafts = DRAFTS.get(idea.team)
            versions = len(drafts) + 1 if drafts else 2 if n % 2 == 0 else 1
            submitted_at = submission.closes_at - (n + 2) * timedelta(hours=5)
            entries.append(
                Entry(
                    team_id=team.id,
                    phase_id=submission.id,
                    status=EntryStatus.SUBMITTED,
                    submitted_version=versions,
                    submitted_at=submitted_at,
                    **fields,
                )
            )
        self.db.add_all(entries)
        await self.db.flush()
        for n, (entry, idea) in enumerate(zip(entries, ideas, strict=True)):
            drafts = DRAFTS.get(idea.team)
            if drafts:  # drafts written by the members in turn, a day apart
                submitted_at = entry.submitted_at or self.now
                for number, draft in enumerate(drafts, start=1):
                    self.db.add(
                        EntryVersion(
                            entry_id=entry.id,
                            number=number,
                            author_id=self.users[idea.people[(number - 1) % len(idea.people)]].id,
                            submitted=False,
                            saved_at=submitted_at - (len(drafts) - number + 1) * DAY,
                            **draft,
                        )
                    )
            elif n % 2 == 0:  # a first draft, improved before the final submission
                self.db.add(
                    EntryVersion(
                        entry_id=entry.id,
                        number=1,
                        author_id=self.users[idea.people[-1]].id,
                        submitted=False,
                        saved_at=entry.submitted_at - 3 * DAY if entry.submitted_at else self.now,
                        title=idea.title,
                        summary=idea.summary.split(",")[0],
                        problem=idea.problem,
                    )
                )
            self.db.add(
                EntryVersion(
                    entry_id=entry.id,
                    number=entry.submitted_version or 1,
                    author_id=self.users[idea.people[0]].id,
                    submitted=True,
                    saved_at=entry.submitted_at or self.now,
                    title=entry.title,
                    summary=entry.summary,
                    problem=entry.problem,
                    solution=entry.solution,
                    expected_impact=entry.expected_impact,
                    prototype_url=entry.prototype_url,
                    video_url=entry.video_url,
                )
            )
        await self.db.flush()
        return list(zip(teams, entries, strict=True))

    async def judging(
        self,
        judging: Phase,
        criteria: list[Criterion],
        entries: list[Entry],
        judges: list[str],
        states: list[str],
        strong: frozenset[int] = frozenset(),
    ) -> None:
        """Three judges per entry, spread evenly; ``states`` cycles final/draft/none per assignment."""
        cards: list[tuple[Scorecard, bool, int]] = []
        for n, entry in enumerate(entries):
            for k in range(3):
                judge = self.users[judges[(3 * n + k) % len(judges)]]
                self.db.add(Assignment(phase_id=judging.id, entry_id=entry.id, judge_id=judge.id))
                state = states[(n + k) % len(states)]
                if state == "none":
                    continue
                final = state == "final"
                card = Scorecard(
                    phase_id=judging.id,
                    entry_id=entry.id,
                    judge_id=judge.id,
                    status=ScorecardStatus.FINAL if final else ScorecardStatus.DRAFT,
                    feedback=FEEDBACK[(n + k) % len(FEEDBACK)] if final else "",
                    private_note="Talked to the team lead at the demo day." if final and k == 0 else "",
                    finalised_at=min(self.now, judging.closes_at) - (n + k) * timedelta(hours=3) if final else None,
                )
                cards.append((card, final, n))
        self.db.add_all(card for card, _f, _n in cards)
        await self.db.flush()
        for card, final, n in cards:
            scored = criteria if final else criteria[:2]
            low = 3 if n in strong else 1
            self.db.add_all(
                Score(scorecard_id=card.id, criterion_id=c.id, value=self.rng.randint(low, 5)) for c in scored
            )
        await self.db.flush()


async def load_demo(session: AsyncSession, now: datetime | None = None) -> bool:
    """Creates the demo; False when it is already there (nothing is changed then)."""
    if await session.scalar(select(User.id).where(User.email == "admin@example.com")) is not None:
        return False
    b = _Builder(session, now or datetime.now(UTC))
    await b.people()
    judges = [f"judge{i}" for i in range(1, 6)]

    spring, spring_challenges, phases, criteria = await b.campaign(
        title="2027 Spring Innovation Challenge",
        description=(
            "Our spring programme: **pick a challenge, form a team across departments, and show a prototype.**\n\n"
            "- Teams of 2 to 4 people\n- Two weeks to build, a demo video is welcome\n"
            "- Winners get a budget and a sponsor to take their idea into production"
        ),
        status=CampaignStatus.PUBLISHED,
        published_days_ago=35,
        judges=judges,
        challenges=SPRING_CHALLENGES,
        timeline=[
            (PhaseKind.REGISTRATION, "Team registration", -30, -16, PhaseStatus.CLOSED),
            (PhaseKind.SUBMISSION, "Prototype submission", -16, -2, PhaseStatus.CLOSED),
            (PhaseKind.JUDGING, "Final judging", -2, 5, PhaseStatus.OPEN),
            (PhaseKind.RESULTS, "Results", 12, 60, PhaseStatus.PENDING),
        ],
    )
    made = await b.teams(spring, spring_challenges, SPRING_IDEAS, phases[PhaseKind.SUBMISSION])
    await b.judging(
        phases[PhaseKind.JUDGING], criteria, [e for _t, e in made], judges, ["final", "final", "draft", "none"]
    )

    autumn, autumn_challenges, old, old_criteria = await b.campaign(
        title="2026 Autumn Cost Challenge",
        description="Small changes that save real money. Results were published; its winners are in incubation.",
        status=CampaignStatus.CLOSED,
        published_days_ago=200,
        judges=judges[:3],
        challenges=AUTUMN_CHALLENGES,
        timeline=[
            (PhaseKind.REGISTRATION, "Team registration", -190, -160, PhaseStatus.CLOSED),
            (PhaseKind.SUBMISSION, "Idea submission", -160, -120, PhaseStatus.CLOSED),
            (PhaseKind.JUDGING, "Judging", -120, -90, PhaseStatus.CLOSED),
            (PhaseKind.RESULTS, "Results", -60, -30, PhaseStatus.CLOSED),
        ],
    )
    autumn.results_published_at = old[PhaseKind.RESULTS].opens_at
    past = await b.teams(autumn, autumn_challenges, AUTUMN_IDEAS, old[PhaseKind.SUBMISSION])
    await b.judging(
        old[PhaseKind.JUDGING], old_criteria, [e for _t, e in past], judges[:3], ["final"], strong=frozenset({0, 3})
    )
    # every autumn team won something and became an incubation project, one in each status
    await incubation_projects(b, autumn, autumn_challenges, [t for t, _e in past], b.now)
    await session.flush()
    # what the teams were shown when the results went out (judging.published)
    await take_snapshot(session, autumn, autumn.results_published_at)

    await board_campaign(b)
    await b.campaign(
        title="2027 Summer Sustainability Sprint",
        description="A draft for the organizer to shape: challenges, timeline and rubric still to come.",
        status=CampaignStatus.DRAFT,
        published_days_ago=None,
        judges=[],
        challenges=[
            ("Less waste in the canteen", "Food waste is 30 % of what we cook.", "Halve food waste.", "Canteen team.")
        ],
        timeline=[
            (PhaseKind.REGISTRATION, "Team registration", 20, 34, PhaseStatus.PENDING),
            (PhaseKind.SUBMISSION, "Idea submission", 34, 55, PhaseStatus.PENDING),
        ],
    )
    await session.flush()
    for campaign_id in await session.scalars(select(Campaign.id)):
        await replan(session, campaign_id)  # the scheduler's actions, as publishing would have planned them
    return True

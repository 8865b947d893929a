"""Demo data, loaded idempotently by ``kaizen demo``.

Written straight to the models (one password hash for every account: argon2 is slow on
purpose), with every time relative to now: a running campaign in its judging phase, a past
campaign with awards and incubation projects, and a draft for the organizer to play with.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

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
from incubation.models import IncubationProject, ProjectStatus
from judging.models import Assignment, Award, Criterion, Score, Scorecard, ScorecardStatus
from judging.published import take_snapshot
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team, TeamStatus

DEMO_PASSWORD = "kaizen-demo"  # noqa: S105 - documented demo password, refused in production
DAY = timedelta(days=1)
DEPARTMENTS = ("Operations", "Finance", "Sales", "Engineering", "HR", "Logistics")

# e-mail: (name, department, role)
_PEOPLE: dict[str, tuple[str, str, str]] = {
    "admin@example.com": ("Morgan Ellis", "HR", "admin"),
    "exec@example.com": ("Helen Zhou", "Operations", "executive"),
    "organizer@example.com": ("Omar Haddad", "HR", "organizer"),
    "judge1@example.com": ("Priya Raman", "Engineering", "judge"),
    "judge2@example.com": ("陈静", "Finance", "judge"),
    "judge3@example.com": ("Marcus Webb", "Sales", "judge"),
    "judge4@example.com": ("Sofia Lindqvist", "Operations", "judge"),
    "judge5@example.com": ("刘洋", "Logistics", "judge"),
    "alice@example.com": ("Alice Martin", "Logistics", "participant"),
    "bob@example.com": ("Bob Nguyen", "Engineering", "participant"),
    "carol@example.com": ("Carol Schmidt", "Finance", "participant"),
    "dave@example.com": ("Dave Okafor", "Engineering", "participant"),
    "erin@example.com": ("Erin Walsh", "Logistics", "participant"),
    "frank@example.com": ("Frank Moreau", "Operations", "participant"),
    "grace@example.com": ("Grace Kim", "Engineering", "participant"),
    "heidi@example.com": ("Heidi Vogel", "Logistics", "participant"),
    "wang.fang@example.com": ("王芳", "Finance", "participant"),
    "li.wei@example.com": ("李伟", "Engineering", "participant"),
    "ivan@example.com": ("Ivan Petrov", "Finance", "participant"),
    "judy@example.com": ("Judy Alvarez", "Finance", "participant"),
    "zhang.min@example.com": ("张敏", "Finance", "participant"),
    "kofi@example.com": ("Kofi Mensah", "Engineering", "participant"),
    "laura@example.com": ("Laura Rossi", "Finance", "participant"),
    "mia@example.com": ("Mia Hoffmann", "Operations", "participant"),
    "noah@example.com": ("Noah Brooks", "Sales", "participant"),
    "olivia@example.com": ("Olivia Turner", "Sales", "participant"),
    "zhao.lei@example.com": ("赵磊", "Sales", "participant"),
    "sun.li@example.com": ("孙丽", "HR", "participant"),
    "peter@example.com": ("Peter Novak", "Sales", "participant"),
    "quinn@example.com": ("Quinn Harper", "Engineering", "participant"),
    "rosa@example.com": ("Rosa Delgado", "Sales", "participant"),
    "sam@example.com": ("Sam Lee", "Operations", "participant"),
    "tara@example.com": ("Tara Singh", "HR", "participant"),
    "yusuf@example.com": ("Yusuf Demir", "Logistics", "participant"),
}
DEMO_ACCOUNTS: list[tuple[str, str]] = [(email, role) for email, (_n, _d, role) in _PEOPLE.items()]

_RUBRIC = [
    (
        "Impact",
        3.0,
        "How much would this move the challenge's KPI if it worked?",
        "Hardly",
        "Clearly",
        "Transformative",
    ),
    ("Feasibility", 2.0, "Could we run it with our people, systems and budget?", "Unrealistic", "Plausible", "Ready"),
    ("Originality", 1.0, "Is this a fresh idea or a new twist for us?", "Seen it", "New twist", "Novel"),
    ("Evidence", 2.0, "Data, a pilot or user feedback behind the claims.", "None", "Some data", "Convincing pilot"),
]

_FEEDBACK = [
    "Clear problem statement and a prototype we could try. Quantify the baseline a bit more.",
    "Strong idea. The rollout plan for the other sites is thin; who owns it after the pilot?",
    "Good evidence from the pilot week. Consider the cost of maintaining it over a year.",
    "Convincing user quotes. I would like to see the effect on the KPI, not only on satisfaction.",
    "Creative and cheap to try. Check the IT security review early, it can take weeks.",
]


@dataclass(frozen=True)
class _Idea:
    team: str
    people: tuple[str, ...]  # captain first, e-mail local parts
    title: str
    summary: str
    problem: str
    solution: str
    impact: str


_SPRING_CHALLENGES = [
    (
        "Cut warehouse picking errors by half",
        "Wrong or missing items cost us returns, re-shipping and unhappy customers. "
        "Pickers handle 40,000 lines a day across three warehouses.",
        "Picking error rate from 0.8 % to 0.4 % of order lines within six months.",
        "Two days a week of a process engineer, access to the WMS sandbox, €15,000 for hardware.",
    ),
    (
        "Faster month-end close",
        "Closing the books takes nine working days; management figures arrive too late to act on.",
        "Close in five working days without more overtime.",
        "A finance systems analyst, the ERP test environment, mentoring by the CFO office.",
    ),
    (
        "Delight first-week customers",
        "One in six new customers contacts support in the first week, and those who do churn twice as often.",
        "Halve first-week support contacts and raise the first-month NPS by 10 points.",
        "CRM and e-mail tooling, the customer-insight team, €10,000 for pilots.",
    ),
]

_SPRING_IDEAS = [
    _Idea(
        "Pick Right",
        ("alice", "bob"),
        "Light-guided pick carts",
        "Carts with small lights show which tote gets which item, so look-alike items stop landing in the wrong order.",
        "Most errors happen when a picker fills several orders at once and swaps totes.",
        "Battery LED strips on existing carts, driven by the WMS pick list through a small gateway.",
        "Pilot on one aisle: errors fell from 0.9 % to 0.3 % of lines in two weeks.",
    ),
    _Idea(
        "Scan Squad",
        ("erin", "frank"),
        "Scan-to-confirm at every bin",
        "Pickers scan the bin and the item; the handheld beeps on a mismatch before the item leaves the shelf.",
        "Today only the order is scanned at packing, when the error is already made.",
        "Enable the unused confirm step in the WMS handhelds and add bin labels where missing.",
        "Catches an estimated 70 % of picking errors at the shelf.",
    ),
    _Idea(
        "Slot Doctors",
        ("grace", "heidi"),
        "Re-slot look-alike products",
        "Move products that look alike away from each other and put fast movers at waist height.",
        "Thirty look-alike pairs cause half of our mis-picks.",
        "A weekly report finds look-alike pairs by name and photo; the night shift re-slots them.",
        "Fewer mis-picks and shorter walking paths; no new hardware.",
    ),
    _Idea(
        "Zero Miss",
        ("yusuf", "sam"),
        "Weekly error heatmap with the pickers",
        "A five-minute Friday huddle around a heatmap of where errors happened that week.",
        "Errors are counted per month per site, far too coarse for anyone to act on.",
        "An automatic heatmap from the returns data, printed at the team board.",
        "Teams fix their own hot spots; a 20 % reduction in the first month at the pilot site.",
    ),
    _Idea(
        "Close Crew",
        ("carol", "dave"),
        "Daily soft close",
        "Reconcile the big accounts every day, so month-end only has to tidy up.",
        "Everything piles up in the last three days of the month.",
        "A daily checklist in the ERP with owners, and a dashboard of what is still open.",
        "Close in six days in the pilot month; overtime down by a third.",
    ),
    _Idea(
        "Recon Robots",
        ("wang.fang", "li.wei"),
        "Automated bank reconciliation",
        "Match bank lines to invoices automatically and leave only the odd ones to people.",
        "Two people spend three days a month matching bank statements by hand.",
        "Matching rules on reference, amount and date in the ERP's reconciliation module.",
        "92 % of lines matched automatically on last quarter's data.",
    ),
    _Idea(
        "Accrual Allies",
        ("ivan", "judy"),
        "Accrual templates with owner sign-off",
        "Standard accrual templates that budget owners fill in before the last day of the month.",
        "Finance chases budget owners for accruals after the month has closed.",
        "A short form per cost centre, pre-filled from purchase orders, with a reminder on day 25.",
        "Accruals complete on day one instead of day four.",
    ),
    _Idea(
        "Ledger Light",
        ("zhang.min", "kofi", "laura"),
        "Intercompany netting calendar",
        "Agree intercompany balances on a fixed calendar before the close, not during it.",
        "Intercompany differences block consolidation for two days every month.",
        "A shared calendar and a netting sheet that both sides confirm by day 27.",
        "Consolidation starts on day two instead of day four.",
    ),
    _Idea(
        "Hello Week",
        ("mia", "noah"),
        "A welcome call in the first 48 hours",
        "Every new customer gets a short call from a named person who checks that setup went well.",
        "New customers do not know whom to ask, so they open tickets.",
        "A call list from the CRM every morning, a five-question script and a follow-up e-mail.",
        "Support contacts in week one down 35 % in the pilot group.",
    ),
    _Idea(
        "Onboard Express",
        ("olivia", "zhao.lei"),
        "Guided setup checklist",
        "A checklist in the customer portal that walks through the first five steps with short videos.",
        "Most first-week tickets ask the same five questions.",
        "A portal page with progress ticks and a 60-second video for each step.",
        "Fewer 'how do I' tickets and faster time to first value.",
    ),
    _Idea(
        "First Impressions",
        ("sun.li", "peter"),
        "Proactive delivery updates",
        "Tell customers about delays before they notice, with a new date and a small apology.",
        "A late first delivery is the top reason for first-week complaints.",
        "Carrier events trigger an SMS and e-mail when a first order is at risk.",
        "Complaints about first deliveries halved in a two-week test.",
    ),
    _Idea(
        "Happy Start",
        ("quinn", "rosa", "tara"),
        "First-week pulse and recovery",
        "A one-question pulse on day five; unhappy answers get a call from a senior agent the same day.",
        "We learn that a customer was unhappy only when they cancel.",
        "A survey link in the day-five e-mail and an alert queue for low scores.",
        "Recovered 60 % of unhappy pilot customers; NPS up 8 points.",
    ),
]

_AUTUMN_CHALLENGES = [
    (
        "Reduce packaging cost per order",
        "Boxes, fillers and tape cost more every year.",
        "Packaging cost per order down 15 %.",
        "Packaging supplier's engineers, €8,000 for trials.",
    ),
    (
        "Cut energy use in offices",
        "Our offices use as much power at night as in the afternoon.",
        "Office electricity down 20 % year on year.",
        "Facilities team, building data, €12,000.",
    ),
]

_AUTUMN_IDEAS = [
    _Idea(
        "Right-Size Boxes",
        ("alice", "erin"),
        "Right-size boxes from the order data",
        "Pick the smallest box that fits from the item dimensions we already have.",
        "Packers choose boxes by eye and fill the rest with air pillows.",
        "A box suggestion on the packing screen, computed from item dimensions.",
        "Filler use down 40 %, box cost down 12 % in the pilot.",
    ),
    _Idea(
        "Tape Less",
        ("frank", "grace"),
        "Self-sealing mailers for small orders",
        "Use self-sealing paper mailers for the 30 % of orders with one small item.",
        "Small orders get the same box and tape as big ones.",
        "Stock two mailer sizes at every packing bench.",
        "Saves €0.40 per small order.",
    ),
    _Idea(
        "Pallet Pals",
        ("heidi", "yusuf"),
        "Returnable pallets with our top suppliers",
        "Swap one-way pallets for returnable ones with our five biggest suppliers.",
        "We buy and dispose of 9,000 pallets a year.",
        "A pallet pool agreement and a weekly pick-up.",
        "Saves about €35,000 a year.",
    ),
    _Idea(
        "Lights Out",
        ("wang.fang", "li.wei"),
        "Lights and screens off by schedule",
        "Switch off lights, screens and coffee machines at night and at weekends by schedule.",
        "Devices stay on all night in half of our offices.",
        "Smart plugs and the building system's schedule, with an override button.",
        "Night-time consumption down 60 % on the pilot floor.",
    ),
    _Idea(
        "Smart Thermostat",
        ("ivan", "mia"),
        "Heating by booking",
        "Heat meeting rooms only when they are booked.",
        "Rooms are heated all day, used three hours.",
        "Connect the room booking system to the thermostats.",
        "Heating energy down 18 % on the pilot floor.",
    ),
    _Idea(
        "Power Down Fridays",
        ("noah", "olivia"),
        "Power Down Fridays",
        "A friendly Friday reminder and a leaderboard of floors that switch off before the weekend.",
        "People forget to switch off before the weekend.",
        "An e-mail nudge and a monthly floor ranking.",
        "Weekend consumption down 25 %.",
    ),
]


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
        for email, (name, dept, role) in _PEOPLE.items():
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
            for n, (name, weight, guidance, low, mid, high) in enumerate(_RUBRIC):
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
        self, campaign: Campaign, challenges: list[Challenge], ideas: list[_Idea], submission: Phase
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
            versions = 2 if n % 2 == 0 else 1
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
            if n % 2 == 0:  # a first draft, improved before the final submission
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
                    feedback=_FEEDBACK[(n + k) % len(_FEEDBACK)] if final else "",
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
        challenges=_SPRING_CHALLENGES,
        timeline=[
            (PhaseKind.REGISTRATION, "Team registration", -30, -16, PhaseStatus.CLOSED),
            (PhaseKind.SUBMISSION, "Prototype submission", -16, -2, PhaseStatus.CLOSED),
            (PhaseKind.JUDGING, "Final judging", -2, 5, PhaseStatus.OPEN),
            (PhaseKind.RESULTS, "Results", 12, 60, PhaseStatus.PENDING),
        ],
    )
    made = await b.teams(spring, spring_challenges, _SPRING_IDEAS, phases[PhaseKind.SUBMISSION])
    await b.judging(
        phases[PhaseKind.JUDGING], criteria, [e for _t, e in made], judges, ["final", "final", "draft", "none"]
    )

    autumn, autumn_challenges, old, old_criteria = await b.campaign(
        title="2026 Autumn Cost Challenge",
        description="Small changes that save real money. Results were published; two winners are in incubation.",
        status=CampaignStatus.CLOSED,
        published_days_ago=200,
        judges=judges[:3],
        challenges=_AUTUMN_CHALLENGES,
        timeline=[
            (PhaseKind.REGISTRATION, "Team registration", -190, -160, PhaseStatus.CLOSED),
            (PhaseKind.SUBMISSION, "Idea submission", -160, -120, PhaseStatus.CLOSED),
            (PhaseKind.JUDGING, "Judging", -120, -90, PhaseStatus.CLOSED),
            (PhaseKind.RESULTS, "Results", -60, -30, PhaseStatus.CLOSED),
        ],
    )
    autumn.results_published_at = old[PhaseKind.RESULTS].opens_at
    past = await b.teams(autumn, autumn_challenges, _AUTUMN_IDEAS, old[PhaseKind.SUBMISSION])
    await b.judging(
        old[PhaseKind.JUDGING], old_criteria, [e for _t, e in past], judges[:3], ["final"], strong=frozenset({0, 3})
    )
    winners = [(past[0][0], autumn_challenges[0]), (past[3][0], autumn_challenges[1])]
    approved_at = autumn.results_published_at + 5 * DAY
    for (team, challenge), state, requested in zip(
        winners,
        [ProjectStatus.RUNNING, ProjectStatus.IMPLEMENTED],
        [Decimal("48000.00"), Decimal("25000.00")],
        strict=True,
    ):
        team.status = TeamStatus.WINNER
        session.add(
            Award(
                campaign_id=autumn.id,
                challenge_id=challenge.id,
                name=f"Winner: {challenge.title}",
                team_id=team.id,
                citation="Simple, measurable and already proven in a pilot.",
                # approved by the executive before the results went out
                approved_by_id=b.users["exec"].id,
                approved_at=autumn.results_published_at - DAY,
            )
        )
        session.add(
            IncubationProject(
                campaign_id=autumn.id,
                team_id=team.id,
                title=f"{team.name} rollout",
                description="Roll the pilot out to every site in three waves, measuring savings monthly.",
                sponsor_id=b.users["exec"].id,
                budget_requested=requested,
                budget_approved=requested - Decimal("5000.00"),
                status=state,
                approved_by_id=b.users["exec"].id,
                approved_at=approved_at,
            )
        )
    await session.flush()
    # what the teams were shown when the results went out (judging.published)
    await take_snapshot(session, autumn, autumn.results_published_at)

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

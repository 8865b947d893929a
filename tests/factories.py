"""Rows for tests, written straight to the models (independent of the services under test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Department, User
from accounts.passwords import hash_password
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
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team
from tests.conftest import NOW, PASSWORD

_HASH = hash_password(PASSWORD)
Stage = Literal["draft", "registration", "submission", "judging", "results"]
DAY = timedelta(days=1)


async def make_user(
    db: AsyncSession,
    email: str,
    *,
    name: str | None = None,
    department: Department | None = None,
    admin: bool = False,
    executive: bool = False,
) -> User:
    user = User(
        email=email.lower(),
        name=name or email.split("@")[0].capitalize(),
        password_hash=_HASH,
        department_id=department.id if department else None,
        is_admin=admin,
        is_executive=executive,
    )
    db.add(user)
    await db.flush()
    return user


async def make_department(db: AsyncSession, name: str) -> Department:
    dept = Department(name=name)
    db.add(dept)
    await db.flush()
    return dept


@dataclass
class Scenario:
    campaign: Campaign
    challenges: list[Challenge]
    phases: dict[PhaseKind, Phase]
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def submission(self) -> Phase:
        return self.phases[PhaseKind.SUBMISSION]

    @property
    def judging(self) -> Phase:
        return self.phases[PhaseKind.JUDGING]


# (opens, closes) offsets in days from now, per stage: registration, submission, judging, results
_TIMELINES: dict[str, list[tuple[int, int]]] = {
    "draft": [(1, 5), (5, 12), (12, 19), (19, 40)],
    "registration": [(-1, 5), (5, 12), (12, 19), (19, 40)],
    "submission": [(-10, -5), (-5, 2), (2, 9), (9, 30)],
    "judging": [(-20, -15), (-15, -1), (-1, 6), (6, 30)],
    "results": [(-30, -25), (-25, -15), (-15, -2), (-2, 30)],
}


def _status(now: datetime, opens: datetime, closes: datetime) -> PhaseStatus:
    if now < opens:
        return PhaseStatus.PENDING
    return PhaseStatus.OPEN if now < closes else PhaseStatus.CLOSED


async def make_campaign(
    db: AsyncSession,
    *,
    organizer: User | None = None,
    sponsor: User | None = None,
    judges: list[User] | None = None,
    stage: Stage = "submission",
    now: datetime = NOW,
    title: str = "Spring Innovation Challenge",
    challenges: int = 2,
    timezone: str = "Europe/Berlin",
    max_team_size: int = 4,
    criteria: list[tuple[str, float, int, int]] | None = None,
) -> Scenario:
    campaign = Campaign(
        title=title,
        description="Make work better.",
        sponsor_id=sponsor.id if sponsor else None,
        timezone=timezone,
        status=CampaignStatus.DRAFT if stage == "draft" else CampaignStatus.PUBLISHED,
        max_team_size=max_team_size,
        published_at=None if stage == "draft" else now - 30 * DAY,
    )
    db.add(campaign)
    await db.flush()
    made = [
        Challenge(
            campaign_id=campaign.id,
            title=f"Challenge {i + 1}",
            description="A business problem.",
            expected_impact="Halve the errors.",
            position=i,
        )
        for i in range(challenges)
    ]
    db.add_all(made)
    phases: dict[PhaseKind, Phase] = {}
    names = {
        PhaseKind.REGISTRATION: "Registration",
        PhaseKind.SUBMISSION: "Submission",
        PhaseKind.JUDGING: "Judging",
        PhaseKind.RESULTS: "Results",
    }
    for position, (kind, (start, end)) in enumerate(zip(PhaseKind, _TIMELINES[stage], strict=True)):
        opens, closes = now + start * DAY, now + end * DAY
        status = PhaseStatus.PENDING if stage == "draft" else _status(now, opens, closes)
        phases[kind] = Phase(
            campaign_id=campaign.id,
            kind=kind,
            name=names[kind],
            position=position,
            opens_at=opens,
            closes_at=closes,
            status=status,
        )
        db.add(phases[kind])
    await db.flush()
    phases[PhaseKind.JUDGING].judges_phase_id = phases[PhaseKind.SUBMISSION].id
    if stage == "results":
        campaign.results_published_at = now - 2 * DAY
    for user, role in [(organizer, CampaignRoleKind.ORGANIZER)] + [(j, CampaignRoleKind.JUDGE) for j in judges or []]:
        if user is not None:
            db.add(CampaignRole(campaign_id=campaign.id, user_id=user.id, role=role))
    scenario = Scenario(campaign=campaign, challenges=made, phases=phases)
    rubric = (
        criteria
        if criteria is not None
        else [("Impact", 3.0, 1, 5), ("Feasibility", 2.0, 1, 5), ("Originality", 1.0, 0, 10)]
    )
    for position, (name, weight, low, high) in enumerate(rubric):
        criterion = Criterion(
            phase_id=phases[PhaseKind.JUDGING].id,
            name=name,
            weight=weight,
            scale_min=low,
            scale_max=high,
            position=position,
            guidance=f"How good is the {name}?",
        )
        db.add(criterion)
        scenario.criteria.append(criterion)
    await db.flush()
    return scenario


async def make_team(
    db: AsyncSession,
    scenario: Scenario,
    captain: User,
    *,
    members: list[User] | None = None,
    name: str = "Blue Team",
    challenge: Challenge | None = None,
) -> Team:
    team = Team(
        campaign_id=scenario.campaign.id,
        challenge_id=(challenge or scenario.challenges[0]).id,
        name=name,
        name_key=" ".join(name.lower().split()),
        captain_id=captain.id,
    )
    db.add(team)
    await db.flush()
    for person in [captain, *(members or [])]:
        db.add(Membership(team_id=team.id, campaign_id=scenario.campaign.id, user_id=person.id))
    await db.flush()
    return team


async def make_entry(
    db: AsyncSession,
    team: Team,
    phase: Phase,
    *,
    submitted: bool = True,
    now: datetime = NOW,
    title: str | None = None,
) -> Entry:
    fields = dict(
        title=title or f"{team.name} idea",
        summary="A short summary.",
        problem="The problem.",
        solution="The solution.",
        expected_impact="Big impact.",
        prototype_url="https://example.com/demo",
    )
    entry = Entry(
        team_id=team.id,
        phase_id=phase.id,
        status=EntryStatus.SUBMITTED if submitted else EntryStatus.DRAFT,
        submitted_version=1 if submitted else None,
        submitted_at=now - DAY if submitted else None,
        **fields,
    )
    db.add(entry)
    await db.flush()
    db.add(
        EntryVersion(
            entry_id=entry.id, number=1, author_id=team.captain_id, submitted=submitted, saved_at=now - DAY, **fields
        )
    )
    await db.flush()
    return entry


async def assign(db: AsyncSession, phase: Phase, entry: Entry, judge: User) -> Assignment:
    assignment = Assignment(phase_id=phase.id, entry_id=entry.id, judge_id=judge.id)
    db.add(assignment)
    await db.flush()
    return assignment


async def make_scorecard(
    db: AsyncSession,
    scenario: Scenario,
    entry: Entry,
    judge: User,
    values: list[int],
    *,
    final: bool = True,
    feedback: str = "Good work.",
    private_note: str = "",
    now: datetime = NOW,
) -> Scorecard:
    card = Scorecard(
        phase_id=scenario.judging.id,
        entry_id=entry.id,
        judge_id=judge.id,
        status=ScorecardStatus.FINAL if final else ScorecardStatus.DRAFT,
        feedback=feedback,
        private_note=private_note,
        finalised_at=now if final else None,
    )
    db.add(card)
    await db.flush()
    for criterion, value in zip(scenario.criteria, values, strict=False):
        db.add(Score(scorecard_id=card.id, criterion_id=criterion.id, value=value))
    await db.flush()
    return card

"""The demo's incubation: every winner of the past autumn campaign became a project, one in each
status (proposed, approved, running, implemented, stopped, declined), with milestones, updates and
outcomes measured over time, so the incubation pages and the programme dashboard are full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from campaigns.models import Campaign, Challenge
from incubation.models import IncubationProject, Milestone, OutcomeKind, ProjectOutcome, ProjectStatus, ProjectUpdate
from judging.models import Award
from teams.models import Team, TeamStatus

if TYPE_CHECKING:
    from web.demo import _Builder

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    status: ProjectStatus
    asked: Decimal
    granted: Decimal | None
    kpi: tuple[str, str, str, str]  # name, unit, baseline, target
    kind: OutcomeKind
    outcomes: tuple[str, ...]  # what was realised since the previous measurement
    milestones_done: int
    reason: str = ""


# in the order of the autumn teams (two challenges of three teams each)
PLANS = (
    Plan(
        ProjectStatus.RUNNING,
        Decimal("48000.00"),
        Decimal("43000.00"),
        ("Packaging savings to date", "EUR", "0", "12000"),
        OutcomeKind.COST_SAVED,
        ("1200", "2700", "2200", "2700"),
        1,
    ),
    Plan(
        ProjectStatus.PROPOSED,
        Decimal("15000.00"),
        None,
        ("Picking errors", "per 1,000 orders", "4.2", "2.0"),
        OutcomeKind.CUSTOM,
        (),
        0,
    ),
    Plan(
        ProjectStatus.DECLINED,
        Decimal("90000.00"),
        None,
        ("Truck fill rate", "%", "71", "85"),
        OutcomeKind.CUSTOM,
        (),
        0,
        "The new routing system next year covers this; please bring the idea to that project.",
    ),
    Plan(
        ProjectStatus.IMPLEMENTED,
        Decimal("25000.00"),
        Decimal("20000.00"),
        ("Power savings to date", "EUR", "0", "9000"),
        OutcomeKind.COST_SAVED,
        ("900", "1700", "2100", "2400", "2300"),
        3,
    ),
    Plan(
        ProjectStatus.APPROVED,
        Decimal("12000.00"),
        Decimal("12000.00"),
        ("Paper printed", "sheets/week", "18000", "9000"),
        OutcomeKind.HOURS_SAVED,
        (),
        0,
    ),
    Plan(
        ProjectStatus.STOPPED,
        Decimal("30000.00"),
        Decimal("18000.00"),
        ("Heating hours", "h/week", "120", "90"),
        OutcomeKind.REVENUE,
        ("400",),
        1,
        "The landlord replaced the heating system, which made the project moot.",
    ),
)
MILESTONES = ("Pilot on one site", "Measure the pilot", "Roll out to every site")


async def incubation_projects(
    b: _Builder, campaign: Campaign, challenges: list[Challenge], teams: list[Team], now: datetime
) -> None:
    assert campaign.results_published_at is not None
    published = campaign.results_published_at
    by_id = {c.id: c for c in challenges}
    session = b.db
    for n, (team, plan) in enumerate(zip(teams, PLANS, strict=True)):
        challenge = by_id[team.challenge_id]
        team.status = TeamStatus.WINNER
        session.add(
            Award(
                campaign_id=campaign.id,
                challenge_id=challenge.id,
                name=f"Winner: {challenge.title}" if n in (0, 3) else f"Special mention: {challenge.title}",
                team_id=team.id,
                citation="Simple, measurable and already proven in a pilot.",
                # approved by the executive before the results went out
                approved_by_id=b.users["exec"].id,
                approved_at=published - DAY,
            )
        )
        proposed_at = published + (2 + n) * DAY
        decided = plan.status is not ProjectStatus.PROPOSED
        approved = decided and plan.status is not ProjectStatus.DECLINED
        started = plan.status in (ProjectStatus.RUNNING, ProjectStatus.IMPLEMENTED, ProjectStatus.STOPPED)
        starts_on = (proposed_at + 10 * DAY).date()
        project = IncubationProject(
            campaign_id=campaign.id,
            team_id=team.id,
            title=f"{team.name} rollout",
            description="Roll the pilot out to every site in three waves, measuring the results every fortnight.",
            sponsor_id=b.users["exec"].id,
            budget_requested=plan.asked,
            budget_approved=plan.granted,
            status=plan.status,
            approved_by_id=b.users["exec"].id if approved else None,
            approved_at=proposed_at + 3 * DAY if approved else None,
            proposed_by_id=team.captain_id,
            proposed_at=proposed_at,
            starts_on=starts_on,
            team_hours_per_week=Decimal("4.0"),
            kpi_name=plan.kpi[0],
            kpi_unit=plan.kpi[1],
            kpi_baseline=Decimal(plan.kpi[2]),
            kpi_target=Decimal(plan.kpi[3]),
            decided_by_id=b.users["exec"].id if decided else None,
            decided_at=proposed_at + 3 * DAY if decided else None,
            decline_reason=plan.reason if plan.status is ProjectStatus.DECLINED else None,
            stop_reason=plan.reason if plan.status is ProjectStatus.STOPPED else None,
            started_at=proposed_at + 10 * DAY if started else None,
            ended_at=now - 5 * DAY if plan.status in (ProjectStatus.IMPLEMENTED, ProjectStatus.STOPPED) else None,
        )
        session.add(project)
        await session.flush()
        # milestones a fortnight apart from the start; the running project's second one is overdue
        for k, title in enumerate(MILESTONES):
            due = starts_on + (14 + 14 * k) * DAY
            if plan.status is ProjectStatus.RUNNING and k == 1:
                due = (now - 3 * DAY).date()
            elif plan.status is ProjectStatus.RUNNING and k == 2:
                due = (now + 30 * DAY).date()
            elif plan.status in (ProjectStatus.PROPOSED, ProjectStatus.APPROVED):
                due = (now + (20 + 20 * k) * DAY).date()
            done = k < plan.milestones_done
            session.add(
                Milestone(
                    project_id=project.id,
                    title=title,
                    due_on=due,
                    owner_id=team.captain_id,
                    done_at=datetime.combine(due, datetime.min.time(), tzinfo=now.tzinfo) - DAY if done else None,
                    done_by_id=team.captain_id if done else None,
                )
            )
        for k, value in enumerate(plan.outcomes):
            session.add(
                ProjectOutcome(
                    project_id=project.id,
                    kind=plan.kind,
                    unit=plan.kpi[1] if plan.kind is OutcomeKind.CUSTOM else "EUR",
                    value=Decimal(value),
                    measured_on=min(now.date(), starts_on + (9 * (k + 1)) * DAY),
                    note="Measured against the baseline month.",
                    recorded_by_id=team.captain_id,
                )
            )
        if started:
            session.add(
                ProjectUpdate(
                    project_id=project.id,
                    author_id=team.captain_id,
                    at=proposed_at + 20 * DAY,
                    body="The pilot site is live; first figures look **better than planned**.",
                )
            )
    await session.flush()

"""A fixed, small programme for the dashboard and record tests, with its figures counted by hand.

Departments Sales, Ops and Legal (Legal has no participant). People: exec and admin (Legal), judges
j1 (Ops) and j2 (Sales), participants s1, s2, s3 (Sales), o1, o2 (Ops), and x (Sales, no longer
active, who took part in campaign B).

Campaign A (all staff, results published, judging closed two days ago):
  T1 s1+o1 (mixed): submitted, advanced, award, project implemented (requested 10,000, approved 8,000);
     KPI in EUR, baseline 1,000, target 6,000; outcomes: cost saved 1,200.50 + 2,000 EUR, revenue
     500 EUR, hours saved 40 + 35.50 h; milestones: one done of two
  T2 s2: submitted, advanced, award, project stopped before any outcome (requested 5,000, none
     approved); KPI in h, no baseline, target 100
  T3 o2: submitted, eliminated; a proposal declined (requested 7,000; KPI in EUR, target 9,999)
  T4 s3: entry in draft
  judging: j1 on T1, T2 (final in time) and T3 (final late); j2 on T1 (final in time), T2 (draft)
Campaign B (Ops only, judging still open, no winners):
  T5 o1: submitted;  T6 o2+x (mixed): submitted, advanced, a proposal waiting for the decision
  (requested 3,000);  j1 assigned to T5 (phase still open)
Campaign C: a draft with a team of s1 (left out of every figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Department, User
from campaigns.models import CampaignDepartment
from incubation.models import IncubationProject, Milestone, OutcomeKind, ProjectOutcome, ProjectStatus
from judging.models import Advancement, AdvancementOutcome, Award
from teams.models import Team
from tests.conftest import NOW
from tests.factories import Scenario, assign, make_campaign, make_department, make_entry, make_scorecard, make_team
from tests.factories import make_user as user

DAY = timedelta(days=1)


@dataclass
class World:
    sales: Department
    ops: Department
    legal: Department
    people: dict[str, User]
    a: Scenario
    b: Scenario
    c: Scenario
    teams: dict[str, Team]


async def _advance(db: AsyncSession, s: Scenario, team: Team, outcome: AdvancementOutcome) -> None:
    db.add(Advancement(phase_id=s.judging.id, team_id=team.id, outcome=outcome, decided_at=NOW - 2 * DAY))


async def build(db: AsyncSession) -> World:
    sales = await make_department(db, "Sales")
    ops = await make_department(db, "Ops")
    legal = await make_department(db, "Legal")
    p = {
        "exec": await user(db, "exec@example.com", department=legal, executive=True),
        "admin": await user(db, "admin@example.com", department=legal, admin=True),
        "j1": await user(db, "j1@example.com", department=ops),
        "j2": await user(db, "j2@example.com", department=sales),
        "s1": await user(db, "s1@example.com", department=sales),
        "s2": await user(db, "s2@example.com", department=sales),
        "s3": await user(db, "s3@example.com", department=sales),
        "o1": await user(db, "o1@example.com", department=ops),
        "o2": await user(db, "o2@example.com", department=ops),
        "x": await user(db, "x@example.com", department=sales),
    }
    p["x"].is_active = False
    a = await make_campaign(db, stage="results", title="Campaign A", judges=[p["j1"], p["j2"]])
    b = await make_campaign(db, stage="judging", title="Campaign B", judges=[p["j1"]])
    b.campaign.all_staff_eligible = False
    db.add(CampaignDepartment(campaign_id=b.campaign.id, department_id=ops.id))
    c = await make_campaign(db, stage="draft", title="Campaign C")
    t = {
        "T1": await make_team(db, a, p["s1"], members=[p["o1"]], name="T1"),
        "T2": await make_team(db, a, p["s2"], name="T2"),
        "T3": await make_team(db, a, p["o2"], name="T3"),
        "T4": await make_team(db, a, p["s3"], name="T4"),
        "T5": await make_team(db, b, p["o1"], name="T5"),
        "T6": await make_team(db, b, p["o2"], members=[p["x"]], name="T6"),
        "T7": await make_team(db, c, p["s1"], name="T7"),
    }
    e = {name: await make_entry(db, t[name], a.submission) for name in ("T1", "T2", "T3")}
    await make_entry(db, t["T4"], a.submission, submitted=False)
    e5 = await make_entry(db, t["T5"], b.submission)
    await make_entry(db, t["T6"], b.submission)
    await make_entry(db, t["T7"], c.submission)
    for name in ("T1", "T2"):
        await _advance(db, a, t[name], AdvancementOutcome.ADVANCE)
    await _advance(db, a, t["T3"], AdvancementOutcome.ELIMINATE)
    await _advance(db, b, t["T6"], AdvancementOutcome.ADVANCE)
    in_time, late = NOW - 3 * DAY, NOW - DAY  # A's judging closed at NOW - 2 days
    for entry, judge, final, when in (
        (e["T1"], "j1", True, in_time),
        (e["T2"], "j1", True, in_time),
        (e["T3"], "j1", True, late),
        (e["T1"], "j2", True, in_time),
        (e["T2"], "j2", False, in_time),
    ):
        await assign(db, a.judging, entry, p[judge])
        await make_scorecard(db, a, entry, p[judge], [3, 3, 5], final=final, now=when)
    await assign(db, b.judging, e5, p["j1"])
    for name in ("T1", "T2"):
        db.add(
            Award(
                campaign_id=a.campaign.id,
                name=f"Winner {name}",
                team_id=t[name].id,
                approved_by_id=p["exec"].id,
                approved_at=NOW - 3 * DAY,
            )
        )
    implemented = IncubationProject(
        campaign_id=a.campaign.id,
        team_id=t["T1"].id,
        title="Rollout T1",
        budget_requested=Decimal("10000.00"),
        budget_approved=Decimal("8000.00"),
        status=ProjectStatus.IMPLEMENTED,
        kpi_name="Savings",
        kpi_unit="EUR",
        kpi_baseline=Decimal("1000"),
        kpi_target=Decimal("6000"),
    )
    stopped = IncubationProject(
        campaign_id=a.campaign.id,
        team_id=t["T2"].id,
        title="Rollout T2",
        budget_requested=Decimal("5000.00"),
        budget_approved=None,
        status=ProjectStatus.STOPPED,
        kpi_name="Hours saved",
        kpi_unit="h",
        kpi_target=Decimal("100"),
    )
    declined = IncubationProject(
        campaign_id=a.campaign.id,
        team_id=t["T3"].id,
        title="Rollout T3",
        budget_requested=Decimal("7000.00"),
        status=ProjectStatus.DECLINED,
        kpi_name="Savings",
        kpi_unit="EUR",
        kpi_target=Decimal("9999"),
    )
    proposed = IncubationProject(
        campaign_id=b.campaign.id,
        team_id=t["T6"].id,
        title="Rollout T6",
        budget_requested=Decimal("3000.00"),
        status=ProjectStatus.PROPOSED,
    )
    db.add_all([implemented, stopped, declined, proposed])
    await db.flush()
    for kind, unit, value, days_ago in (
        (OutcomeKind.COST_SAVED, "EUR", "1200.50", 20),
        (OutcomeKind.COST_SAVED, "EUR", "2000", 10),
        (OutcomeKind.REVENUE, "EUR", "500", 10),
        (OutcomeKind.HOURS_SAVED, "h", "40", 20),
        (OutcomeKind.HOURS_SAVED, "h", "35.50", 10),
    ):
        db.add(
            ProjectOutcome(
                project_id=implemented.id,
                kind=kind,
                unit=unit,
                value=Decimal(value),
                measured_on=(NOW - days_ago * DAY).date(),
            )
        )
    for title, done in (("Pilot", True), ("Rollout", False)):
        db.add(
            Milestone(
                project_id=implemented.id,
                title=title,
                due_on=(NOW - 5 * DAY).date(),
                done_at=NOW - 6 * DAY if done else None,
            )
        )
    await db.commit()
    return World(sales, ops, legal, p, a, b, c, t)

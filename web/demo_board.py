"""The demo's campaign in registration: a filled team board and open requests to join."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from campaigns.models import Campaign, CampaignStatus, PhaseKind, PhaseStatus
from teams.models import JoinRequest, Membership, Seeker, SeekerSkill, Team, TeamNeed
from teams.skills import parse_skills, skill_key

if TYPE_CHECKING:
    from web.demo import _Builder

HOUR = timedelta(hours=1)
CHALLENGES = [
    (
        "Returns without the hassle",
        "Customers wait 9 days for a refund and call us twice on average.",
        "Refund within 48 hours; halve the calls about returns.",
        "Customer service data, a mentor from Finance.",
    ),
    (
        "Hear the customer earlier",
        "Complaints reach product teams weeks late, through slides.",
        "Every complaint theme seen by its product team within a week.",
        "Survey tools, two days of a data analyst.",
    ),
]
# team name, challenge index, members (captain first), the skills it looks for
TEAMS = [
    ("Happy Returns", 0, ["sun.li", "tara"], "数据分析, front-end, UX"),
    ("Voice of the Customer", 1, ["noah"], "SQL, 客户调研"),
    ("Chatbot Crew", 0, ["kofi", "quinn"], "design, storytelling"),
]
# person, skills, pitch, hours since listing
SEEKERS = [
    ("wang.fang", "数据分析, Excel, SQL", "财务分析出身，想用数据把退款流程缩短一半。", 30),
    ("li.wei", "front-end, React, 数据分析", "前端工程师，做过客服系统的界面。", 20),
    (
        "rosa",
        "客户调研, storytelling, sales",
        "I interview customers every week and love turning it into a story.",
        12,
    ),
    ("yusuf", "UX, design, logistics", "Warehouse person with a UX course behind him; returns are my daily pain.", 6),
    ("mia", "process mapping, Lean", "Lean coach looking for a team that wants to fix a process end to end.", 2),
]
# person, team name, message
REQUESTS = [
    ("rosa", "Voice of the Customer", "I interview customers every week: I can bring the first 20 interviews."),
    ("yusuf", "Happy Returns", "I handle returns in the warehouse and did a UX course: count me in?"),
]


async def board_campaign(b: _Builder) -> Campaign:
    """A published campaign whose registration is open, with teams, listed people and requests."""
    campaign, challenges, _phases, _criteria = await b.campaign(
        title="2027 Customer Delight Challenge",
        description=(
            "Make our customers' day better. **Registration is open: find teammates on the team board**, "
            "ideally from another department."
        ),
        status=CampaignStatus.PUBLISHED,
        published_days_ago=5,
        judges=["judge1", "judge2"],
        challenges=CHALLENGES,
        timeline=[
            (PhaseKind.REGISTRATION, "Team registration", -4, 10, PhaseStatus.OPEN),
            (PhaseKind.SUBMISSION, "Idea submission", 10, 24, PhaseStatus.PENDING),
            (PhaseKind.JUDGING, "Judging", 24, 31, PhaseStatus.PENDING),
            (PhaseKind.RESULTS, "Results", 35, 60, PhaseStatus.PENDING),
        ],
    )
    teams = {}
    for name, challenge, members, needs in TEAMS:
        team = Team(
            campaign_id=campaign.id,
            challenge_id=challenges[challenge].id,
            name=name,
            name_key=" ".join(name.lower().split()),
            captain_id=b.users[members[0]].id,
        )
        b.db.add(team)
        await b.db.flush()
        teams[name] = team
        b.db.add_all(Membership(team_id=team.id, campaign_id=campaign.id, user_id=b.users[m].id) for m in members)
        b.db.add_all(TeamNeed(team_id=team.id, name=tag, key=skill_key(tag)) for tag in parse_skills(needs))
    for person, skills, pitch, hours in SEEKERS:
        seeker = Seeker(campaign_id=campaign.id, user_id=b.users[person].id, pitch=pitch, listed_at=_ago(b.now, hours))
        b.db.add(seeker)
        await b.db.flush()
        b.db.add_all(SeekerSkill(seeker_id=seeker.id, name=tag, key=skill_key(tag)) for tag in parse_skills(skills))
    b.db.add_all(
        JoinRequest(
            team_id=teams[team].id,
            campaign_id=campaign.id,
            user_id=b.users[person].id,
            message=message,
            requested_at=_ago(b.now, 1),
        )
        for person, team, message in REQUESTS
    )
    await b.db.flush()
    return campaign


def _ago(now: datetime, hours: int) -> datetime:
    return now - hours * HOUR

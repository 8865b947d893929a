"""A judging campaign that can grow, to count a page's SQL statements at two data sizes.

``ScaleWorld.build`` makes the people and the campaign through ``tests.factories``: an organizer,
two judges, and Alice's team with a submitted entry judged by both. ``grow(n)`` then adds teams
with submitted entries until the phase holds ``n`` entries, each judged (final scorecards) by both
judges, in a few bulk statements, so that a test can count a page's statements at 50 and at 400
entries in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import AdvancementRule
from judging.models import Assignment, Score, Scorecard, ScorecardStatus
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team
from tests.conftest import NOW
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user

ORGANIZER = "org@example.com"
CAPTAIN = "alice@example.com"
JUDGE = "judge1@example.com"
VALUES = [4, 3, 7]


@dataclass
class ScaleWorld:
    scenario: Scenario
    judges: list[User]
    team: Team  # Alice's
    entry: Entry  # Alice's, judged by both judges
    entries: int = 1

    @classmethod
    async def build(cls, db: AsyncSession) -> ScaleWorld:
        organizer = await make_user(db, ORGANIZER)
        judges = [await make_user(db, JUDGE), await make_user(db, "judge2@example.com")]
        s = await make_campaign(db, stage="judging", organizer=organizer, judges=judges)
        s.judging.required_judges = 2
        s.judging.advancement_rule, s.judging.advancement_value = AdvancementRule.TOP_PERCENT, 50
        team = await make_team(db, s, await make_user(db, CAPTAIN), name="Alpha")
        entry = await make_entry(db, team, s.submission)
        for judge in judges:
            await assign(db, s.judging, entry, judge)
            await make_scorecard(db, s, entry, judge, VALUES)
        await db.commit()
        return cls(scenario=s, judges=judges, team=team, entry=entry)

    async def grow(self, db: AsyncSession, entries: int) -> None:
        """Adds judged teams until the judging phase has ``entries`` entries (a few statements in all)."""
        s, start, count = self.scenario, self.entries, entries - self.entries
        if count <= 0:
            return
        numbers = range(start, start + count)
        users = (
            await db.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [{"email": f"captain{n}@example.com", "name": f"Captain {n}", "password_hash": "x"} for n in numbers],
            )
        ).all()
        teams = (
            await db.scalars(
                insert(Team).returning(Team.id, sort_by_parameter_order=True),
                [
                    {
                        "campaign_id": s.campaign.id,
                        "challenge_id": s.challenges[n % len(s.challenges)].id,
                        "name": f"Team {n:04d}",
                        "name_key": f"team {n:04d}",
                        "captain_id": user,
                    }
                    for n, user in zip(numbers, users, strict=True)
                ],
            )
        ).all()
        await db.execute(
            insert(Membership),
            [{"team_id": t, "campaign_id": s.campaign.id, "user_id": u} for t, u in zip(teams, users, strict=True)],
        )
        text = {"summary": "A summary.", "problem": "A problem.", "solution": "A solution.", "expected_impact": "Some."}
        made = (
            await db.scalars(
                insert(Entry).returning(Entry.id, sort_by_parameter_order=True),
                [
                    {
                        "team_id": t,
                        "phase_id": s.submission.id,
                        "status": EntryStatus.SUBMITTED,
                        "submitted_version": 1,
                        "submitted_at": NOW - timedelta(days=1),
                        "title": f"Idea {n}",
                        **text,
                    }
                    for n, t in zip(numbers, teams, strict=True)
                ],
            )
        ).all()
        await db.execute(
            insert(EntryVersion),
            [
                {
                    "entry_id": e,
                    "number": 1,
                    "author_id": u,
                    "submitted": True,
                    "saved_at": NOW - timedelta(days=1),
                    "title": f"Idea {n}",
                    **text,
                }
                for n, e, u in zip(numbers, made, users, strict=True)
            ],
        )
        pairs = [(e, j.id) for e in made for j in self.judges]
        await db.execute(
            insert(Assignment), [{"phase_id": s.judging.id, "entry_id": e, "judge_id": j} for e, j in pairs]
        )
        cards = (
            await db.scalars(
                insert(Scorecard).returning(Scorecard.id, sort_by_parameter_order=True),
                [
                    {
                        "phase_id": s.judging.id,
                        "entry_id": e,
                        "judge_id": j,
                        "status": ScorecardStatus.FINAL,
                        "feedback": "Good.",
                        "private_note": "",
                        "finalised_at": NOW,
                    }
                    for e, j in pairs
                ],
            )
        ).all()
        await db.execute(
            insert(Score),
            [
                {"scorecard_id": card, "criterion_id": c.id, "value": (n + i) % 5 + 1}
                for n, card in enumerate(cards)
                for i, c in enumerate(s.criteria)
            ],
        )
        await db.commit()
        self.entries = entries

    def path(self, template: str) -> str:
        s = self.scenario
        return template.format(campaign=s.campaign.id, judging=s.judging.id, team=self.team.id, entry=self.entry.id)

"""The judge's queue: their assigned entries across campaigns, grouped by campaign and phase."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.deadlines import accepts_writes, effective_close
from campaigns.models import Campaign, Challenge, Phase
from judging.models import Assignment, Scorecard, ScorecardStatus
from judging.rubric_reset import reopened_scorecards
from judging.withdrawn import team_judged
from teams.models import Entry, Team


@dataclass
class QueueItem:
    assignment: Assignment
    entry: Entry
    team: Team
    challenge: Challenge
    title: str  # the submitted version's title
    status: ScorecardStatus | None  # None: not started
    reopened: bool = False  # a draft that was final until an organizer reopened the rubric


@dataclass
class QueueGroup:
    campaign: Campaign
    phase: Phase
    items: list[QueueItem] = field(default_factory=list)  # empty when ``folded``
    assigned: int = 0  # counted in SQL, whether the items are listed or not
    final: int = 0
    folded: bool = False  # a closed phase: its entries are listed only when asked for

    @property
    def final_count(self) -> int:
        return self.final

    @property
    def deadline(self) -> datetime:
        return effective_close(self.phase)


async def judge_queue(
    session: AsyncSession, judge: User, now: datetime | None = None, *, unfold: int | None = None
) -> list[QueueGroup]:
    """The judge's assigned entries across campaigns, grouped by campaign and phase (four queries).

    Each group's counts come from SQL; the entries are listed for the phases still open or to open
    (``now`` given) and for the phase ``unfold``; a closed phase's group is folded to its counts.
    """
    card = (
        (Scorecard.phase_id == Assignment.phase_id)
        & (Scorecard.entry_id == Assignment.entry_id)
        & (Scorecard.judge_id == Assignment.judge_id)
    )
    summary = await session.execute(
        select(
            Phase,
            Campaign,
            func.count(Assignment.id),
            func.count(Scorecard.id).filter(Scorecard.status == ScorecardStatus.FINAL),
        )
        .select_from(Assignment)
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(Team, Team.id == Entry.team_id)
        .join(Phase, Phase.id == Assignment.phase_id)
        .join(Campaign, Campaign.id == Phase.campaign_id)
        .outerjoin(Scorecard, card)
        .where(Assignment.judge_id == judge.id, team_judged())
        .group_by(Phase.id, Campaign.id)
        .order_by(Phase.closes_at, Campaign.id, Phase.id)
    )
    groups: dict[int, QueueGroup] = {}
    for phase, campaign, assigned, final in summary.all():
        closed = now is not None and not accepts_writes(phase, now) and now >= phase.opens_at
        folded = closed and phase.id != unfold
        groups[phase.id] = QueueGroup(campaign, phase, assigned=assigned, final=final, folded=folded)
    listed = [phase_id for phase_id, group in groups.items() if not group.folded]
    rows = await session.execute(
        select(Assignment, Entry, Team, Challenge)
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(Team, Team.id == Entry.team_id)
        .join(Challenge, Challenge.id == Team.challenge_id)
        .where(Assignment.judge_id == judge.id, Assignment.phase_id.in_(listed), team_judged())
        .order_by(Assignment.phase_id, Team.name, Assignment.id)
    )
    cards = await session.execute(
        select(Scorecard.phase_id, Scorecard.entry_id, Scorecard.id, Scorecard.status).where(
            Scorecard.judge_id == judge.id, Scorecard.phase_id.in_(listed)
        )
    )
    statuses: dict[tuple[int, int], tuple[int, ScorecardStatus]] = {
        (phase_id, entry_id): (card_id, status) for phase_id, entry_id, card_id, status in cards.all()
    }
    assigned_rows = rows.all()
    drafts = [card_id for card_id, status in statuses.values() if status is ScorecardStatus.DRAFT]
    reopened = await reopened_scorecards(session, {g.campaign.id for g in groups.values()}, drafts)
    for assignment, entry, team, challenge in assigned_rows:
        card_id, status = statuses.get((assignment.phase_id, entry.id), (0, None))
        groups[assignment.phase_id].items.append(
            QueueItem(
                assignment=assignment,
                entry=entry,
                team=team,
                challenge=challenge,
                title=entry.submitted_title or "",  # never the team's later draft
                status=status,
                reopened=card_id in reopened,
            )
        )
    return list(groups.values())

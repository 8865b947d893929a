"""What organizers see of a judging phase's progress, and the rows of the scorecard export.

Each function runs a constant number of queries whatever the number of judges, entries or
scorecards; the lists paginate. A judge's "last activity" is the last change to one of their
scorecards in the phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from campaigns.models import CampaignRole, CampaignRoleKind, Phase
from core.pagination import Page, paginate
from judging.exports import CardRow
from judging.models import Assignment, Scorecard, ScorecardStatus
from judging.services import assignable_entries_query, rubric
from judging.totals import judge_total
from teams.models import Entry, Team

PAGE_SIZE = 25


@dataclass(frozen=True)
class JudgeProgress:
    judge: User
    assigned: int
    draft: int
    final: int
    last_activity: datetime | None

    @property
    def unfinished(self) -> int:
        return self.assigned - self.final

    @property
    def not_started(self) -> int:
        return self.assigned - self.final - self.draft


@dataclass
class EntryProgress:
    entry: Entry
    judges: list[tuple[User, ScorecardStatus | None]] = field(default_factory=list)

    @property
    def final(self) -> int:
        return sum(1 for _judge, status in self.judges if status is ScorecardStatus.FINAL)


async def judge_progress(session: AsyncSession, phase: Phase, *, page: int = 1) -> Page[JudgeProgress]:
    """The campaign's judges, by name, with their counts in this phase (three queries)."""
    pool = (
        select(User)
        .join(CampaignRole, CampaignRole.user_id == User.id)
        .where(CampaignRole.campaign_id == phase.campaign_id, CampaignRole.role == CampaignRoleKind.JUDGE)
        .order_by(User.name, User.id)
    )
    judges = await paginate(session, pool, number=page, size=PAGE_SIZE)
    ids = [j.id for j in judges.items]
    counts: dict[int, tuple[int, int, int, datetime | None]] = {}
    if ids:
        card = and_(
            Scorecard.phase_id == Assignment.phase_id,
            Scorecard.entry_id == Assignment.entry_id,
            Scorecard.judge_id == Assignment.judge_id,
        )
        rows = await session.execute(
            select(
                Assignment.judge_id,
                func.count(Assignment.id),
                func.count(case((Scorecard.status == ScorecardStatus.DRAFT, 1))),
                func.count(case((Scorecard.status == ScorecardStatus.FINAL, 1))),
                func.max(Scorecard.updated_at),
            )
            .outerjoin(Scorecard, card)
            .where(Assignment.phase_id == phase.id, Assignment.judge_id.in_(ids))
            .group_by(Assignment.judge_id)
        )
        counts = {judge_id: (a, d, f, last) for judge_id, a, d, f, last in rows.all()}
    items = [JudgeProgress(j, *counts.get(j.id, (0, 0, 0, None))) for j in judges.items]
    return Page(items=items, number=judges.number, size=judges.size, total=judges.total)


async def entry_progress(session: AsyncSession, phase: Phase, *, page: int = 1) -> Page[EntryProgress]:
    """The phase's entries with their judges and scorecard states (four queries)."""
    entries = await paginate(session, assignable_entries_query(phase), number=page, size=PAGE_SIZE)
    by_entry = {e.id: EntryProgress(e) for e in entries.items}
    if by_entry:
        assignments = await session.scalars(
            select(Assignment)
            .where(Assignment.phase_id == phase.id, Assignment.entry_id.in_(list(by_entry)))
            .options(joinedload(Assignment.judge))
            .order_by(Assignment.id)
        )
        statuses = {
            (e, j): s
            for e, j, s in (
                await session.execute(
                    select(Scorecard.entry_id, Scorecard.judge_id, Scorecard.status).where(
                        Scorecard.phase_id == phase.id, Scorecard.entry_id.in_(list(by_entry))
                    )
                )
            ).all()
        }
        for a in assignments.all():
            by_entry[a.entry_id].judges.append((a.judge, statuses.get((a.entry_id, a.judge_id))))
    return Page(items=list(by_entry.values()), number=entries.number, size=entries.size, total=entries.total)


async def phase_card_rows(session: AsyncSession, phase: Phase) -> list[CardRow]:
    """Every scorecard of the phase, draft or final, ready for the export (four queries)."""
    criteria = await rubric(session, phase.id)
    rows = await session.execute(
        select(Scorecard, Entry, Team)
        .join(Entry, Entry.id == Scorecard.entry_id)
        .join(Team, Team.id == Entry.team_id)
        .where(Scorecard.phase_id == phase.id)
        .options(selectinload(Scorecard.scores), joinedload(Scorecard.judge))
        .order_by(Scorecard.id)
    )
    out = []
    for card, entry, team in rows.unique().all():
        scores = {s.criterion_id: s.value for s in card.scores}
        out.append(
            CardRow(
                scorecard_id=card.id,
                judge_email=card.judge.email,
                judge_name=card.judge.name,
                team=team.name,
                entry_id=entry.id,
                entry_title=entry.title,
                scores=scores,
                total=judge_total(criteria, scores) if criteria else None,
                feedback=card.feedback,
                private_note=card.private_note,
                status=card.status.value,
                finalised_at=card.finalised_at,
            )
        )
    return out

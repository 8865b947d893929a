"""What organizers see of a judging phase's progress, and the rows of the scorecard export.

Each function runs a constant number of queries whatever the number of judges, entries or
scorecards; the lists paginate. A judge's "last activity" is the last change to one of their
scorecards in the phase. A withdrawn team's entry, its assignments and its scorecards are left
out of every figure and of the export (``judging.withdrawn``).
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
from judging.assign_by_hand import assignable_entries_query
from judging.exports import CardRow
from judging.models import Assignment, Scorecard, ScorecardStatus
from judging.rubric import rubric
from judging.totals import judge_total
from judging.withdrawn import judged, team_judged
from teams.models import Entry, EntryStatus, Team

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
            .where(Assignment.phase_id == phase.id, Assignment.judge_id.in_(ids), judged(Assignment.entry_id))
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


@dataclass(frozen=True)
class ShortEntry:
    entry: Entry
    team: Team
    assigned: int
    missing: int  # judges it lacks of the phase's k
    position: int  # 1-based, among the phase's entries in the order of the assignment page


@dataclass
class Shortfall:
    """Entries with fewer judges assigned than the phase's k: the first ``SHORT_LIMIT`` of them, most
    missing first, with the totals over all of them."""

    items: list[ShortEntry]
    entries: int  # entries short, in all
    missing: int  # judges missing, in all

    @property
    def more(self) -> int:
        return self.entries - len(self.items)


SHORT_LIMIT = 50


async def short_entries(session: AsyncSession, phase: Phase, *, limit: int = SHORT_LIMIT) -> Shortfall:
    """The phase's submitted entries short of judges, computed in SQL (two queries whatever the size).

    An entry counts every judge assigned to it, as the assignment page does; whether nobody was
    assigned yet or nobody allowed was left (after a declared conflict, by the constraints), it is short.
    """
    counts = (
        select(Assignment.entry_id, func.count(Assignment.id).label("assigned"))
        .where(Assignment.phase_id == phase.id)
        .group_by(Assignment.entry_id)
        .subquery()
    )
    base = (
        select(
            Entry.id.label("entry_id"),
            func.row_number().over(order_by=Entry.id).label("position"),
            (phase.required_judges - func.coalesce(counts.c.assigned, 0)).label("missing"),
        )
        .outerjoin(counts, counts.c.entry_id == Entry.id)
        .where(Entry.phase_id == phase.judges_phase_id, Entry.status == EntryStatus.SUBMITTED, judged(Entry.id))
        .subquery()
    )
    short = base.c.missing > 0
    totals = (
        await session.execute(select(func.count(), func.coalesce(func.sum(base.c.missing), 0)).where(short))
    ).one()
    # always asked, also when nothing is short, so that a page's query count never depends on the data
    rows = await session.execute(
        select(Entry, Team, base.c.missing, base.c.position)
        .join(base, base.c.entry_id == Entry.id)
        .join(Team, Team.id == Entry.team_id)
        .where(short)
        .order_by(base.c.missing.desc(), Team.name, Entry.id)
        .limit(limit)
    )
    items = [
        ShortEntry(entry=entry, team=team, assigned=phase.required_judges - gap, missing=gap, position=position)
        for entry, team, gap, position in rows.all()
    ]
    return Shortfall(items=items, entries=int(totals[0]), missing=int(totals[1]))


async def phase_card_rows(session: AsyncSession, phase: Phase) -> list[CardRow]:
    """Every scorecard of the phase, draft or final, ready for the export (four queries)."""
    criteria = await rubric(session, phase.id)
    rows = await session.execute(
        select(Scorecard, Entry, Team)
        .join(Entry, Entry.id == Scorecard.entry_id)
        .join(Team, Team.id == Entry.team_id)
        .where(Scorecard.phase_id == phase.id, team_judged())
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
                entry_title=entry.submitted_title or "",
                scores=scores,
                total=judge_total(criteria, scores) if criteria else None,
                feedback=card.feedback,
                private_note=card.private_note,
                status=card.status.value,
                finalised_at=card.finalised_at,
            )
        )
    return out

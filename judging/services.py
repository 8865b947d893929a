"""Named operations of judging: the rubric, assignment by hand, and a judge's scorecards.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
validates, changes, flushes and writes its audit row. Organizer operations take a judging
phase already resolved in the actor's scope and check the organizer right again; a judge's
operations find the entry through the judge's own assignment, so anything else is 404.

Rules chosen here (DOMAIN.md is silent on them):
- a rubric is locked as soon as one scorecard of its phase is final, until an organizer reopens
  it with a reason (``judging/rubric_reset.py``: every final scorecard of the phase back to draft);
- a scale has at most 21 levels (``max − min ≤ 20``) within ±1000, a weight is in (0, 1000];
- changing a criterion's scale drops draft scores that fall outside the new scale;
- removing an assignment keeps the judge's draft scorecard (it counts for nothing, and comes
  back if the judge is assigned again); an assignment with a final scorecard cannot be removed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from campaigns.access import can_organize
from campaigns.deadlines import accepts_writes, effective_close
from campaigns.models import Campaign, CampaignRole, CampaignRoleKind, Challenge, Phase, PhaseKind, PhaseStatus
from core.audit import record
from core.concurrency import add_unique
from core.errors import N_, Conflict, Invalid, NotFound, ValidationFailed
from core.events import Event, publish
from judging.conflicts import pair_conflict
from judging.models import (
    CRITERION_NAME_MAX,
    FEEDBACK_MAX,
    Assignment,
    Criterion,
    Score,
    Scorecard,
    ScorecardStatus,
)
from judging.rubric_reset import reopened_scorecards
from judging.totals import judge_total
from judging.withdrawn import WITHDRAWN_ENTRY, judged, team_judged
from teams.models import Entry, EntryStatus, EntryVersion, Membership, Team, TeamStatus

GUIDANCE_MAX = 5_000
DESCRIPTOR_MAX = 200
WEIGHT_MAX = 1_000.0
SCALE_LIMIT = 1_000
SCALE_LEVELS_MAX = 21
CRITERIA_MAX = 30

PHASE_NOT_FOUND = N_("We could not find that judging phase.")
ENTRY_NOT_FOUND = N_("We could not find that entry.")
CRITERION_NOT_FOUND = N_("We could not find that criterion.")
ASSIGNMENT_NOT_FOUND = N_("We could not find that assignment.")
RUBRIC_LOCKED = N_("The rubric is locked: a judge has already finalised a scorecard in this phase.")
SCORECARD_FINAL = N_("This scorecard is final and can no longer be changed.")
OFF_SCALE = N_("Choose a score on this criterion's scale.")


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardFinalised(Event):
    campaign_id: int
    phase_id: int
    entry_id: int
    judge_id: int
    scorecard_id: int


class IncompleteScorecard(Invalid):
    """Finalising was refused because criteria are unscored; the draft has been saved."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(N_("Score every criterion before finalising. Missing: %(names)s."), names=", ".join(missing))
        self.missing = missing


# --- lookups ----------------------------------------------------------------------------------


async def judging_phase(session: AsyncSession, campaign: Campaign, phase_id: int) -> Phase:
    """A judging phase of ``campaign`` (resolved in the caller's scope), else 404."""
    phase = await session.scalar(
        select(Phase).where(Phase.id == phase_id, Phase.campaign_id == campaign.id, Phase.kind == PhaseKind.JUDGING)
    )
    if phase is None:
        raise NotFound(PHASE_NOT_FOUND)
    return phase


async def _require_organizer(session: AsyncSession, actor: User, phase: Phase) -> Campaign:
    campaign = await session.get(Campaign, phase.campaign_id)
    if campaign is None or phase.kind is not PhaseKind.JUDGING or not await can_organize(session, campaign, actor):
        raise NotFound(PHASE_NOT_FOUND)
    return campaign


async def rubric(session: AsyncSession, phase_id: int) -> list[Criterion]:
    rows = await session.scalars(
        select(Criterion).where(Criterion.phase_id == phase_id).order_by(Criterion.position, Criterion.id)
    )
    return list(rows.all())


async def rubric_locked(session: AsyncSession, phase_id: int) -> bool:
    found = await session.scalar(
        select(
            exists().where(Scorecard.phase_id == phase_id, Scorecard.status == ScorecardStatus.FINAL),
        )
    )
    return bool(found)


# --- the rubric -------------------------------------------------------------------------------


@dataclass
class CriterionInput:
    """``None`` in a number field means missing or not understood."""

    name: str
    guidance: str = ""
    weight: float | None = 1.0
    scale_min: int | None = 1
    scale_max: int | None = 5
    descriptors: str = ""  # lines such as "3: Solid evidence"


def parse_descriptors(text: str, low: int, high: int) -> dict[str, str] | None:
    """Level descriptors from lines ``"<level>: <text>"``; ``None`` if a line does not fit the scale."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        level_raw, sep, words = line.partition(":")
        try:
            level = int(level_raw.strip())
        except ValueError:
            return None
        words = words.strip()
        if not sep or not words or len(words) > DESCRIPTOR_MAX or not low <= level <= high or str(level) in found:
            return None
        found[str(level)] = words
    return dict(sorted(found.items(), key=lambda item: int(item[0])))


def descriptors_text(descriptors: dict[str, Any]) -> str:
    return "\n".join(f"{level}: {text}" for level, text in sorted(descriptors.items(), key=lambda i: int(i[0])))


def _criterion_errors(data: CriterionInput) -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = N_("Enter a name for the criterion.")
    elif len(name) > CRITERION_NAME_MAX:
        errors["name"] = N_("The name can be at most 120 characters.")
    if len(data.guidance) > GUIDANCE_MAX:
        errors["guidance"] = N_("The guidance can be at most 5000 characters.")
    if data.weight is None or not math.isfinite(data.weight):
        errors["weight"] = N_("Enter the weight as a number, such as 2 or 1.5.")
    elif data.weight <= 0:
        errors["weight"] = N_("The weight must be greater than zero.")
    elif data.weight > WEIGHT_MAX:
        errors["weight"] = N_("The weight can be at most 1000.")
    low, high = data.scale_min, data.scale_max
    descriptors: dict[str, str] = {}
    if low is None or high is None:
        errors["scale_min" if low is None else "scale_max"] = N_("Enter the scale as whole numbers.")
    elif abs(low) > SCALE_LIMIT or abs(high) > SCALE_LIMIT:
        errors["scale_max"] = N_("The scale must stay between -1000 and 1000.")
    elif low >= high:
        errors["scale_max"] = N_("The top of the scale must be greater than the bottom.")
    elif high - low + 1 > SCALE_LEVELS_MAX:
        errors["scale_max"] = N_("A scale can have at most 21 levels.")
    else:
        parsed = parse_descriptors(data.descriptors, low, high)
        if parsed is None:
            errors["descriptors"] = N_(
                "Write one level per line, such as “3: Solid evidence”, with levels on the scale "
                "and at most 200 characters each."
            )
        else:
            descriptors = parsed
    return errors, descriptors


def _criterion_state(criterion: Criterion) -> dict[str, Any]:
    return {
        "name": criterion.name,
        "guidance": criterion.guidance,
        "weight": criterion.weight,
        "scale_min": criterion.scale_min,
        "scale_max": criterion.scale_max,
        "position": criterion.position,
        "descriptors": dict(criterion.descriptors or {}),
    }


async def _require_unlocked(session: AsyncSession, phase: Phase) -> None:
    if await rubric_locked(session, phase.id):
        raise Conflict(RUBRIC_LOCKED)


async def _criterion_of(session: AsyncSession, phase: Phase, criterion_id: int) -> Criterion:
    criterion = await session.scalar(
        select(Criterion).where(Criterion.id == criterion_id, Criterion.phase_id == phase.id)
    )
    if criterion is None:
        raise NotFound(CRITERION_NOT_FOUND)
    return criterion


async def add_criterion(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, data: CriterionInput
) -> Criterion:
    campaign = await _require_organizer(session, actor, phase)
    await _require_unlocked(session, phase)
    errors, descriptors = _criterion_errors(data)
    if errors:
        raise ValidationFailed(errors)
    existing = await rubric(session, phase.id)
    if len(existing) >= CRITERIA_MAX:
        raise Conflict(N_("A rubric can have at most 30 criteria."))
    assert data.weight is not None and data.scale_min is not None and data.scale_max is not None
    criterion = Criterion(
        phase_id=phase.id,
        name=data.name.strip(),
        guidance=data.guidance.strip(),
        weight=float(data.weight),
        scale_min=data.scale_min,
        scale_max=data.scale_max,
        position=max((c.position for c in existing), default=-1) + 1,
        descriptors=descriptors,
    )
    session.add(criterion)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_added",
        subject=criterion,
        campaign_id=campaign.id,
        after=_criterion_state(criterion),
    )
    return criterion


async def update_criterion(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, criterion_id: int, data: CriterionInput
) -> Criterion:
    campaign = await _require_organizer(session, actor, phase)
    criterion = await _criterion_of(session, phase, criterion_id)
    await _require_unlocked(session, phase)
    errors, descriptors = _criterion_errors(data)
    if errors:
        raise ValidationFailed(errors)
    assert data.weight is not None and data.scale_min is not None and data.scale_max is not None
    before = _criterion_state(criterion)
    criterion.name = data.name.strip()
    criterion.guidance = data.guidance.strip()
    criterion.weight = float(data.weight)
    criterion.scale_min = data.scale_min
    criterion.scale_max = data.scale_max
    criterion.descriptors = descriptors
    after = _criterion_state(criterion)
    if before == after:
        return criterion
    # scores that the new scale no longer contains are dropped; the rubric is unlocked, so every scorecard
    # is a draft (also those reopened by a rubric reset, which then need that criterion scored again)
    stale = await session.scalars(
        select(Score).where(
            Score.criterion_id == criterion.id,
            (Score.value < criterion.scale_min) | (Score.value > criterion.scale_max),
        )
    )
    for score in stale.all():
        await session.delete(score)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_updated",
        subject=criterion,
        campaign_id=campaign.id,
        before=before,
        after=after,
    )
    return criterion


async def delete_criterion(session: AsyncSession, actor: User, now: datetime, phase: Phase, criterion_id: int) -> None:
    campaign = await _require_organizer(session, actor, phase)
    criterion = await _criterion_of(session, phase, criterion_id)
    await _require_unlocked(session, phase)
    before = _criterion_state(criterion)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_deleted",
        subject=criterion,
        campaign_id=campaign.id,
        before=before,
    )
    await session.delete(criterion)
    await session.flush()
    for position, other in enumerate(await rubric(session, phase.id)):
        other.position = position
    await session.flush()


async def move_criterion(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, criterion_id: int, direction: str
) -> None:
    campaign = await _require_organizer(session, actor, phase)
    if direction not in ("up", "down"):
        raise Invalid(N_("Choose to move the criterion up or down."), field="direction")
    criterion = await _criterion_of(session, phase, criterion_id)
    await _require_unlocked(session, phase)
    ordered = await rubric(session, phase.id)
    before = [c.id for c in ordered]
    index = before.index(criterion.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered):
        other.position = position
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="rubric.criterion_moved",
        subject=criterion,
        campaign_id=campaign.id,
        before={"order": before},
        after={"order": [c.id for c in ordered]},
    )


# --- assignment by hand -----------------------------------------------------------------------


def submitted_entries_query(phase: Phase) -> Select[tuple[Entry]]:
    """The submitted entries of the submission phase that ``phase`` judges, with team and challenge,
    withdrawn teams' included."""
    return (
        select(Entry)
        .where(Entry.phase_id == phase.judges_phase_id, Entry.status == EntryStatus.SUBMITTED)
        .options(joinedload(Entry.team).joinedload(Team.challenge))
        .order_by(Entry.id)
    )


def assignable_entries_query(phase: Phase) -> Select[tuple[Entry]]:
    """The entries ``phase`` judges: submitted ones of teams that have not withdrawn."""
    return submitted_entries_query(phase).where(judged(Entry.id))


@dataclass
class AssignmentBoard:
    """What the assignment page shows for one page of entries: constant queries whatever the size."""

    assignments: dict[int, list[Assignment]]  # entry id -> assignments, with judges
    statuses: dict[tuple[int, int], ScorecardStatus]  # (entry id, judge id) -> scorecard status
    members: dict[int, set[int]]  # team id -> member user ids
    pool: list[User]


async def judge_pool(session: AsyncSession, campaign_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(CampaignRole, CampaignRole.user_id == User.id)
        .where(
            CampaignRole.campaign_id == campaign_id,
            CampaignRole.role == CampaignRoleKind.JUDGE,
            User.is_active.is_(True),
        )
        .order_by(User.name, User.id)
    )
    return list(rows.all())


async def judge_loads(session: AsyncSession, phase_id: int) -> dict[int, int]:
    """Judge id -> entries assigned to them in the phase (a withdrawn team's entry counts for nothing)."""
    rows = await session.execute(
        select(Assignment.judge_id, func.count())
        .where(Assignment.phase_id == phase_id, judged(Assignment.entry_id))
        .group_by(Assignment.judge_id)
    )
    return {judge_id: count for judge_id, count in rows.tuples()}


async def assignment_board(session: AsyncSession, phase: Phase, entries: list[Entry]) -> AssignmentBoard:
    entry_ids = [e.id for e in entries]
    team_ids = {e.team_id for e in entries}
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    statuses: dict[tuple[int, int], ScorecardStatus] = {}
    members: dict[int, set[int]] = defaultdict(set)
    if entry_ids:
        rows = await session.scalars(
            select(Assignment)
            .where(Assignment.phase_id == phase.id, Assignment.entry_id.in_(entry_ids))
            .options(joinedload(Assignment.judge))
            .order_by(Assignment.id)
        )
        for assignment in rows.all():
            assignments[assignment.entry_id].append(assignment)
        cards = await session.execute(
            select(Scorecard.entry_id, Scorecard.judge_id, Scorecard.status).where(
                Scorecard.phase_id == phase.id, Scorecard.entry_id.in_(entry_ids)
            )
        )
        for entry_id, judge_id, status in cards.all():
            statuses[(entry_id, judge_id)] = status
        people = await session.execute(
            select(Membership.team_id, Membership.user_id).where(Membership.team_id.in_(team_ids))
        )
        for team_id, user_id in people.all():
            members[team_id].add(user_id)
    pool = await judge_pool(session, phase.campaign_id)
    return AssignmentBoard(assignments=dict(assignments), statuses=statuses, members=dict(members), pool=pool)


async def assign_judge(
    session: AsyncSession, actor: User, now: datetime, phase: Phase, entry_id: int, judge_id: int | None
) -> Assignment:
    campaign = await _require_organizer(session, actor, phase)
    entry = await session.scalar(
        select(Entry)
        .where(Entry.id == entry_id, Entry.phase_id == phase.judges_phase_id, Entry.status == EntryStatus.SUBMITTED)
        .options(joinedload(Entry.team))
    )
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    if entry.team.status is TeamStatus.WITHDRAWN:  # not on the assignment page any more: say why
        raise NotFound(WITHDRAWN_ENTRY)
    in_pool = judge_id is not None and await session.scalar(
        select(
            exists().where(
                CampaignRole.campaign_id == campaign.id,
                CampaignRole.user_id == judge_id,
                CampaignRole.role == CampaignRoleKind.JUDGE,
            )
        )
    )
    if not in_pool or judge_id is None:
        raise Invalid(N_("Choose a judge from the campaign's judge pool."), field="judge_id")
    reason = await pair_conflict(session, phase, entry, judge_id)
    if reason is not None:
        raise Conflict(reason, field="judge_id")
    duplicate = await session.scalar(
        select(
            exists().where(
                Assignment.phase_id == phase.id, Assignment.entry_id == entry.id, Assignment.judge_id == judge_id
            )
        )
    )
    already = Conflict(N_("This judge is already assigned to this entry."), field="judge_id")
    if duplicate:
        raise already
    assignment = Assignment(phase_id=phase.id, entry_id=entry.id, judge_id=judge_id)
    if not await add_unique(session, assignment):  # assigned at the same moment by another request
        raise already
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="assignment.added",
        subject=assignment,
        campaign_id=campaign.id,
        after={"phase_id": phase.id, "entry_id": entry.id, "judge_id": judge_id, "by_hand": True},
    )
    return assignment


async def unassign_judge(session: AsyncSession, actor: User, now: datetime, phase: Phase, assignment_id: int) -> None:
    campaign = await _require_organizer(session, actor, phase)
    assignment = await session.scalar(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.phase_id == phase.id)
    )
    if assignment is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND)
    final = await session.scalar(
        select(
            exists().where(
                Scorecard.phase_id == phase.id,
                Scorecard.entry_id == assignment.entry_id,
                Scorecard.judge_id == assignment.judge_id,
                Scorecard.status == ScorecardStatus.FINAL,
            )
        )
    )
    if final:
        raise Conflict(N_("This judge has finalised their scorecard for the entry, so the assignment stays."))
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="assignment.removed",
        subject=assignment,
        campaign_id=campaign.id,
        before={"phase_id": phase.id, "entry_id": assignment.entry_id, "judge_id": assignment.judge_id},
    )
    await session.delete(assignment)
    await session.flush()


# --- the judge's side -------------------------------------------------------------------------


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


@dataclass
class AssignedEntry:
    """Everything the score form shows: the entry as submitted, the rubric, the judge's own scorecard."""

    campaign: Campaign
    phase: Phase
    entry: Entry
    team: Team
    challenge: Challenge
    version: EntryVersion
    criteria: list[Criterion]
    scorecard: Scorecard | None

    @property
    def scores(self) -> dict[int, int]:
        return {s.criterion_id: s.value for s in self.scorecard.scores} if self.scorecard else {}


async def _own_scorecard(session: AsyncSession, judge: User, phase_id: int, entry_id: int) -> Scorecard | None:
    card: Scorecard | None = await session.scalar(
        select(Scorecard)
        .where(Scorecard.phase_id == phase_id, Scorecard.entry_id == entry_id, Scorecard.judge_id == judge.id)
        .options(selectinload(Scorecard.scores))
        .execution_options(populate_existing=True)
    )
    return card


async def get_assigned_entry(session: AsyncSession, judge: User, phase_id: int, entry_id: int) -> AssignedEntry:
    """The entry if ``judge`` is assigned to it in ``phase_id``; anyone else gets 404."""
    row = (
        await session.execute(
            select(Entry, Team, Challenge, Phase, Campaign, EntryVersion)
            .join(Assignment, (Assignment.entry_id == Entry.id) & (Assignment.judge_id == judge.id))
            .join(Phase, Phase.id == Assignment.phase_id)
            .join(Campaign, Campaign.id == Phase.campaign_id)
            .join(Team, Team.id == Entry.team_id)
            .join(Challenge, Challenge.id == Team.challenge_id)
            .join(
                EntryVersion,
                (EntryVersion.entry_id == Entry.id) & (EntryVersion.number == Entry.submitted_version),
            )
            .where(
                Entry.id == entry_id,
                Assignment.phase_id == phase_id,
                Phase.kind == PhaseKind.JUDGING,
                Entry.phase_id == Phase.judges_phase_id,
            )
            .options(selectinload(Entry.submitted_attachments))  # the submitted files shown beside its text
        )
    ).first()
    if row is None:
        raise NotFound(ENTRY_NOT_FOUND)
    entry, team, challenge, phase, campaign, version = row
    if team.status is TeamStatus.WITHDRAWN:  # its assignment counts for nothing; the judge hears why
        raise NotFound(WITHDRAWN_ENTRY)
    return AssignedEntry(
        campaign=campaign,
        phase=phase,
        entry=entry,
        team=team,
        challenge=challenge,
        version=version,
        criteria=await rubric(session, phase.id),
        scorecard=await _own_scorecard(session, judge, phase.id, entry.id),
    )


def refuse_after_close(phase: Phase, now: datetime, *, closed_early: str, closed_at: str) -> None:
    """Refuses (409) once judging has closed: by the clock at ``closes_at`` + grace, or early by an
    organizer. ``closed_at`` takes the closing time as ``%(when)s``. Before judging opens, nothing is refused."""
    if accepts_writes(phase, now) or (phase.status is not PhaseStatus.CLOSED and now < phase.opens_at):
        return
    if now < effective_close(phase):  # closed early by an organizer
        raise Conflict(closed_early)
    raise Conflict(closed_at, when=effective_close(phase))


def _require_open(phase: Phase, now: datetime) -> None:
    if accepts_writes(phase, now):
        return
    if phase.status is not PhaseStatus.CLOSED and now < phase.opens_at:
        raise Conflict(N_("Judging opens at %(when)s."), when=phase.opens_at)
    refuse_after_close(
        phase,
        now,
        closed_early=N_("An organizer has closed judging, so scores can no longer be changed."),
        closed_at=N_("Judging closed at %(when)s, so scores can no longer be changed."),
    )


def _score_errors(view: AssignedEntry, values: dict[int, int], feedback: str, private_note: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    by_id = {c.id: c for c in view.criteria}
    for criterion_id, value in values.items():
        criterion = by_id.get(criterion_id)
        if criterion is None or not criterion.scale_min <= value <= criterion.scale_max:
            errors[f"c{criterion_id}"] = OFF_SCALE
    if len(feedback) > FEEDBACK_MAX:
        errors["feedback"] = N_("The feedback can be at most 5000 characters.")
    if len(private_note) > FEEDBACK_MAX:
        errors["private_note"] = N_("The private note can be at most 5000 characters.")
    return errors


async def _lock_for_writing(session: AsyncSession, judge: User, view: AssignedEntry) -> None:
    """Serialises the writes of one judge on one entry (an autosave racing "Finalise"), then reads
    the scorecard afresh, so that a finalisation committed meanwhile is seen.

    The phase row is locked FOR SHARE (closing judging or reopening the rubric waits for this
    write) and the judge's assignment FOR UPDATE; SQLite serialises writers anyway."""
    locked = select(Phase).where(Phase.id == view.phase.id).with_for_update(read=True)
    await session.scalar(locked.execution_options(populate_existing=True))
    await session.execute(
        select(Assignment.id)
        .where(
            Assignment.phase_id == view.phase.id,
            Assignment.entry_id == view.entry.id,
            Assignment.judge_id == judge.id,
        )
        .with_for_update()
    )
    view.scorecard = await _own_scorecard(session, judge, view.phase.id, view.entry.id)


def _unchanged_final(card: Scorecard | None, values: dict[int, int], feedback: str, private_note: str) -> bool:
    """A final scorecard that already holds exactly this: a late autosave, or finalising twice."""
    return (
        card is not None
        and card.status is ScorecardStatus.FINAL
        and card.feedback == feedback
        and card.private_note == private_note
        and {s.criterion_id: s.value for s in card.scores} == values
    )


async def _save(
    session: AsyncSession,
    judge: User,
    view: AssignedEntry,
    values: dict[int, int],
    feedback: str,
    private_note: str,
    now: datetime,
) -> Scorecard:
    _require_open(view.phase, now)
    if view.scorecard is not None and view.scorecard.status is ScorecardStatus.FINAL:
        raise Conflict(SCORECARD_FINAL)
    errors = _score_errors(view, values, feedback, private_note)
    if errors:
        raise ValidationFailed(errors)
    card = view.scorecard
    if card is None:
        card = Scorecard(
            phase_id=view.phase.id,
            entry_id=view.entry.id,
            judge_id=judge.id,
            status=ScorecardStatus.DRAFT,
            scores=[],
        )
        session.add(card)
        view.scorecard = card
    card.feedback = feedback
    card.private_note = private_note
    existing = {s.criterion_id: s for s in card.scores}
    for criterion_id, value in values.items():
        if criterion_id in existing:
            existing[criterion_id].value = value
        else:
            card.scores.append(Score(criterion_id=criterion_id, value=value))
    await session.flush()
    return card


async def save_scores(
    session: AsyncSession,
    judge: User,
    phase_id: int,
    entry_id: int,
    values: dict[int, int],
    feedback: str,
    private_note: str,
    now: datetime,
) -> AssignedEntry:
    """Saves the judge's draft (created on first save); returns the refreshed view.

    An autosave that reaches a final scorecard holding exactly what it carries (it was sent just
    before "Finalise", which carried the same fields) changes nothing and is not refused."""
    view = await get_assigned_entry(session, judge, phase_id, entry_id)
    await _lock_for_writing(session, judge, view)
    if _unchanged_final(view.scorecard, values, feedback.strip(), private_note.strip()):
        return view
    await _save(session, judge, view, values, feedback.strip(), private_note.strip(), now)
    return view


async def finalise_scorecard(
    session: AsyncSession,
    judge: User,
    phase_id: int,
    entry_id: int,
    values: dict[int, int],
    feedback: str,
    private_note: str,
    now: datetime,
) -> AssignedEntry:
    """Saves, then makes the scorecard final if every criterion is scored.

    Raises ``IncompleteScorecard`` after saving the draft when criteria are missing: the caller
    commits so that what the judge chose is kept. Finalising again with the same fields (a
    double click, a re-sent form) changes nothing and is not refused.
    """
    view = await get_assigned_entry(session, judge, phase_id, entry_id)
    await _lock_for_writing(session, judge, view)
    if _unchanged_final(view.scorecard, values, feedback.strip(), private_note.strip()):
        return view
    card = await _save(session, judge, view, values, feedback.strip(), private_note.strip(), now)
    scores = view.scores
    missing = [c.name for c in view.criteria if c.id not in scores]
    if missing:
        raise IncompleteScorecard(missing)
    if not view.criteria:
        raise Conflict(N_("This phase has no rubric yet, so there is nothing to finalise."))
    card.status = ScorecardStatus.FINAL
    card.finalised_at = now
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=judge.id,
        action="scorecard.finalised",
        subject=card,
        campaign_id=view.campaign.id,
        before={"status": ScorecardStatus.DRAFT.value},
        after={
            "status": ScorecardStatus.FINAL.value,
            "entry_id": view.entry.id,
            "scores": {str(k): v for k, v in sorted(scores.items())},
            "total": judge_total(view.criteria, scores),
        },
    )
    await publish(
        session,
        ScorecardFinalised(
            campaign_id=view.campaign.id,
            phase_id=view.phase.id,
            entry_id=view.entry.id,
            judge_id=judge.id,
            scorecard_id=card.id,
        ),
    )
    return view
